using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

/// <summary>The members panel and the invite flow in headless Chromium.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class MembersViewTests(DashboardFixture fixture)
{
    [Fact]
    public async Task An_owner_invites_someone_who_joins_by_the_link_and_sees_only_that_site_without_settings()
    {
        var site = await fixture.CreateSiteAsync("Invite UI", "invite-ui.test");
        var invitee = $"guest-{Guid.NewGuid():N}"[..16] + "@example.com";
        var (created, _, createdEmail) = await fixture.MemberAsync(site.SiteId, "admin"); // an account made by the administrator
        created.Dispose();
        var page = await fixture.SignedInPageAsync(path: $"/?site={site.SiteId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Members" }).ClickAsync();
        var panel = page.Locator("#members-panel");
        await Assertions.Expect(panel.Locator($"tr[data-email='{DashboardFixture.AdminEmail}']")).ToContainTextAsync("installation administrator");
        // Without single sign-on the panel once showed "nullnull" where the single sign-on form would be (issue 23).
        Assert.DoesNotContain("nullnull", await panel.InnerTextAsync(), StringComparison.Ordinal);

        await panel.GetByLabel("E-mail to invite").FillAsync(invitee);
        await panel.GetByLabel("Role", new() { Exact = true }).SelectOptionAsync("viewer");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Create invite link" }).ClickAsync();
        var linkField = panel.GetByLabel("Invite link");
        await Assertions.Expect(linkField).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("/invite/[A-Za-z0-9_-]{43}$"));
        var link = await linkField.InputValueAsync();
        await Assertions.Expect(panel.Locator("tr[data-action='member.invite']")).ToContainTextAsync(invitee);

        var guestContext = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.DashboardUrl });
        var guest = await guestContext.NewPageAsync();
        await guest.GotoAsync(link);
        await Assertions.Expect(guest.Locator("#invite-email")).ToHaveTextAsync(invitee);
        await guest.GetByLabel("Password (at least 12 characters)").FillAsync(DashboardFixture.UserPassword);
        await guest.GetByLabel("Password again").FillAsync(DashboardFixture.UserPassword);
        await guest.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();

        await guest.WaitForURLAsync(url => url.Contains($"site={site.SiteId}"));
        await Assertions.Expect(guest.Locator("#user")).ToHaveTextAsync(invitee);
        await Assertions.Expect(guest.Locator("#site option")).ToHaveCountAsync(1);
        await Assertions.Expect(guest.Locator("#site")).ToHaveValueAsync(site.SiteId);
        await Assertions.Expect(guest.GetByRole(AriaRole.Button, new() { Name = "Sites" })).ToBeHiddenAsync();
        await Assertions.Expect(guest.GetByRole(AriaRole.Button, new() { Name = "Members" })).ToBeHiddenAsync();

        // The owner's panel, reopened, lists the new member and the join in the audit log.
        var button = page.GetByRole(AriaRole.Button, new() { Name = "Members" });
        await button.ClickAsync();
        await button.ClickAsync();
        await Assertions.Expect(panel.Locator($"tr[data-email='{invitee}'] select")).ToHaveValueAsync("viewer");
        await Assertions.Expect(panel.Locator("tr[data-action='member.join']")).ToContainTextAsync(invitee);

        // The installation administrator also sees every account with its roles, and the installation's log.
        await Assertions.Expect(panel.Locator($"tr[data-user='{invitee}']")).ToContainTextAsync($"viewer of {site.SiteId}");
        await Assertions.Expect(panel.Locator($"tr[data-user='{createdEmail}']")).ToContainTextAsync($"admin of {site.SiteId}");
        await Assertions.Expect(panel.Locator($"tr[data-user='{DashboardFixture.AdminEmail}']")).ToContainTextAsync("every site (owner)");
        await Assertions.Expect(panel.Locator("tr[data-action='user.create']").Filter(new() { HasText = createdEmail })).ToHaveCountAsync(2); // installation and site logs
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardFixture.ScreenshotDirectory, "members.png"), FullPage = true });

        await guestContext.CloseAsync();
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_site_admin_edits_only_their_site_cannot_add_sites_and_has_no_members_panel()
    {
        var mine = await fixture.CreateSiteAsync("Admin here", "admin-here.test");
        var watched = await fixture.CreateSiteAsync("Viewer here", "viewer-here.test");
        var (client, csrf, email) = await fixture.MemberAsync(mine.SiteId, "admin");
        using (client)
        {
            var (admin, adminCsrf) = await fixture.SignInAsAdminAsync();
            using (admin)
            {
                await DashboardFixture.SendAsync(admin, adminCsrf, HttpMethod.Put, $"/account/sites/{watched.SiteId}/members/{email}", new { role = "viewer" });
            }
        }

        var page = await fixture.SignedInPageAsync(path: $"/?site={mine.SiteId}", email: email, password: DashboardFixture.UserPassword);
        await Assertions.Expect(page.Locator("#site option")).ToHaveCountAsync(2);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sites" }).ClickAsync();

        var panel = page.Locator("#sites-panel");
        await Assertions.Expect(panel.Locator("details")).ToHaveCountAsync(1);
        await Assertions.Expect(panel.Locator("details summary")).ToContainTextAsync("Admin here");
        await Assertions.Expect(panel.GetByRole(AriaRole.Button, new() { Name = "Add site" })).ToHaveCountAsync(0);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Members" })).ToBeHiddenAsync();
        await page.Context.CloseAsync();
    }
}
