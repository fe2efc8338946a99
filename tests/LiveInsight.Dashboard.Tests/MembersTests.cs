using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Tests.Infrastructure;
using LiveInsight.Dashboard.Users;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Dashboard.Tests;

/// <summary>Members, one-time invites and the audit log, over HTTP as the front end calls them.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class MembersTests(DashboardFixture fixture)
{
    [Fact]
    public async Task An_invite_link_works_once_and_a_second_use_is_refused()
    {
        var site = await fixture.CreateSiteAsync("Invites", "invites.test");
        var (owner, csrf, ownerEmail) = await fixture.MemberAsync(site.SiteId, "owner");
        var invitee = $"new-{Guid.NewGuid():N}"[..16] + "@example.com";
        using (owner)
        {
            var created = await DashboardFixture.SendAsync(owner, csrf, HttpMethod.Post, $"/account/sites/{site.SiteId}/invites", new { email = invitee, role = "admin" });
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            var link = await created.Content.ReadFromJsonAsync<JsonElement>();
            var url = new Uri(link.GetProperty("url").GetString()!);
            Assert.InRange(link.GetProperty("expires_at").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddDays(6.9), DateTimeOffset.UtcNow.AddDays(7.1));

            using var first = fixture.NewHttpClient();
            var page = await first.GetStringAsync(url.PathAndQuery);
            Assert.Contains(invitee, page);
            Assert.Contains("Invites", page);
            var joined = await AcceptAsync(first, url.PathAndQuery, page, "invited password 12345");
            Assert.Equal(HttpStatusCode.Redirect, joined.StatusCode);
            Assert.Equal($"/?site={site.SiteId}", joined.Headers.Location?.ToString());
            var sites = await first.GetFromJsonAsync<JsonElement>("/proxy/api/sites");
            Assert.Equal("admin", sites.GetProperty("sites").EnumerateArray().Single().GetProperty("role").GetString());

            using var second = fixture.NewHttpClient();
            var again = await second.GetAsync(url.PathAndQuery);
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
            // The used link has no form any more; any page's antiforgery token of this client will do.
            var replay = await AcceptAsync(second, url.PathAndQuery, await second.GetStringAsync("/login"), "another password 12345");
            Assert.Equal(HttpStatusCode.NotFound, replay.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await second.GetAsync("/account/session")).StatusCode);

            var audit = await owner.GetFromJsonAsync<JsonElement>($"/account/sites/{site.SiteId}/audit");
            var entries = audit.GetProperty("entries").EnumerateArray().ToList();
            var invite = entries.Single(e => e.GetProperty("action").GetString() == "member.invite");
            var join = entries.Single(e => e.GetProperty("action").GetString() == "member.join");
            Assert.Equal(ownerEmail, invite.GetProperty("actor").GetString());
            Assert.Equal(invitee, invite.GetProperty("target").GetString());
            Assert.Equal(invitee, join.GetProperty("actor").GetString());
            Assert.Equal("127.0.0.0", join.GetProperty("ip").GetString());
            Assert.True(entries.IndexOf(join) < entries.IndexOf(invite), "newest first");
        }
    }

    [Fact]
    public async Task An_expired_invite_is_refused()
    {
        var site = await fixture.CreateSiteAsync("Expired", "expired.test");
        var invites = fixture.DashboardServices.GetRequiredService<InviteStore>();
        var (token, _) = await invites.CreateAsync(site.SiteId, "late@example.com", SiteRole.Viewer, DashboardFixture.AdminEmail,
            DateTimeOffset.UtcNow - InviteStore.ValidFor - TimeSpan.FromMinutes(1), CancellationToken.None);
        var (fresh, _) = await invites.CreateAsync(site.SiteId, "late@example.com", SiteRole.Viewer, DashboardFixture.AdminEmail, CancellationToken.None);
        using var client = fixture.NewHttpClient();

        var page = await client.GetAsync($"/invite/{token}");
        var form = await client.GetStringAsync($"/invite/{fresh}");
        var post = await AcceptAsync(client, $"/invite/{token}", form, "too late password 123");

        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, post.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/account/session")).StatusCode);
    }

    [Fact]
    public async Task An_existing_user_joins_with_their_password_and_a_wrong_one_does_not_use_the_link()
    {
        var site = await fixture.CreateSiteAsync("Second site", "second-site.test");
        var other = await fixture.CreateSiteAsync("First site", "first-site.test");
        var (member, _, email) = await fixture.MemberAsync(other.SiteId, "viewer");
        member.Dispose();
        var (token, _) = await fixture.DashboardServices.GetRequiredService<InviteStore>()
            .CreateAsync(site.SiteId, email, SiteRole.Viewer, DashboardFixture.AdminEmail, CancellationToken.None);
        using var client = fixture.NewHttpClient();
        var form = await client.GetStringAsync($"/invite/{token}");

        var wrong = await AcceptAsync(client, $"/invite/{token}", form, "not my password 123", confirm: null);
        var right = await AcceptAsync(client, $"/invite/{token}", form, DashboardFixture.UserPassword, confirm: null);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        var sites = await client.GetFromJsonAsync<JsonElement>("/proxy/api/sites");
        Assert.Equal(new[] { other.SiteId, site.SiteId }.Order(), sites.GetProperty("sites").EnumerateArray().Select(s => s.GetProperty("site_id").GetString()!).Order());
    }

    [Fact]
    public async Task A_role_change_and_a_removal_take_effect_at_once_and_are_in_the_owners_audit_log()
    {
        var site = await fixture.CreateSiteAsync("Members", "members.test");
        var (owner, csrf, ownerEmail) = await fixture.MemberAsync(site.SiteId, "owner");
        var (member, memberCsrf, email) = await fixture.MemberAsync(site.SiteId, "viewer");
        using (owner)
        using (member)
        {
            var rename = new { name = "Renamed" };
            Assert.Equal(HttpStatusCode.Forbidden, (await DashboardFixture.SendAsync(member, memberCsrf, HttpMethod.Patch, $"/proxy/api/sites/{site.SiteId}", rename)).StatusCode);

            var promoted = await DashboardFixture.SendAsync(owner, csrf, HttpMethod.Put, $"/account/sites/{site.SiteId}/members/{email}", new { role = "admin" });
            Assert.Equal(HttpStatusCode.OK, promoted.StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await DashboardFixture.SendAsync(member, memberCsrf, HttpMethod.Patch, $"/proxy/api/sites/{site.SiteId}", rename)).StatusCode);

            var members = await owner.GetFromJsonAsync<JsonElement>($"/account/sites/{site.SiteId}/members");
            var roles = members.GetProperty("members").EnumerateArray().ToDictionary(m => m.GetProperty("email").GetString()!, m => m.GetProperty("role").GetString());
            Assert.Equal("admin", roles[email]);
            Assert.Equal("owner", roles[ownerEmail]);
            Assert.Equal("owner", roles[DashboardFixture.AdminEmail]);
            Assert.Equal(HttpStatusCode.Conflict, (await DashboardFixture.SendAsync(owner, csrf, HttpMethod.Put,
                $"/account/sites/{site.SiteId}/members/{DashboardFixture.AdminEmail}", new { role = "viewer" })).StatusCode);

            Assert.Equal(HttpStatusCode.NoContent, (await DashboardFixture.SendAsync(owner, csrf, HttpMethod.Delete, $"/account/sites/{site.SiteId}/members/{email}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await member.GetAsync($"/proxy/api/stats/summary?site_id={site.SiteId}")).StatusCode);
            Assert.Empty((await member.GetFromJsonAsync<JsonElement>("/proxy/api/sites")).GetProperty("sites").EnumerateArray());
            Assert.Equal(HttpStatusCode.NotFound, (await DashboardFixture.SendAsync(owner, csrf, HttpMethod.Delete, $"/account/sites/{site.SiteId}/members/{email}")).StatusCode);

            var audit = await owner.GetFromJsonAsync<JsonElement>($"/account/sites/{site.SiteId}/audit");
            var entries = audit.GetProperty("entries").EnumerateArray().Where(e => e.GetProperty("actor").GetString() == ownerEmail).ToList();
            Assert.Equal(["member.remove", "member.role"], entries.Select(e => e.GetProperty("action").GetString()));
            Assert.Equal("viewer → admin", entries[1].GetProperty("details").GetString());
            Assert.All(entries, e => Assert.Equal(email, e.GetProperty("target").GetString()));
            // The settings change went through the proxy: once the Api records it, it is the owner's to read too.
            if (audit.GetProperty("entries").EnumerateArray().FirstOrDefault(e => e.GetProperty("action").GetString() == "site.update") is { ValueKind: JsonValueKind.Object } update)
            {
                Assert.Equal(email, update.GetProperty("actor").GetString());
            }
        }
    }

    [Theory]
    [InlineData("viewer", HttpStatusCode.Forbidden)]
    [InlineData("admin", HttpStatusCode.Forbidden)]
    [InlineData(null, HttpStatusCode.NotFound)]
    public async Task Only_owners_read_a_sites_audit_log_and_manage_its_members(string? role, HttpStatusCode expected)
    {
        var site = await fixture.CreateSiteAsync("Audited", "audited.test");
        var other = await fixture.CreateSiteAsync("Elsewhere", "elsewhere.test");
        var (client, csrf, _) = await fixture.MemberAsync(role is null ? other.SiteId : site.SiteId, role ?? "owner");
        using (client)
        {
            Assert.Equal(expected, (await client.GetAsync($"/account/sites/{site.SiteId}/audit")).StatusCode);
            Assert.Equal(expected, (await client.GetAsync($"/account/sites/{site.SiteId}/members")).StatusCode);
            Assert.Equal(expected, (await DashboardFixture.SendAsync(client, csrf, HttpMethod.Post, $"/account/sites/{site.SiteId}/invites", new { email = "x@example.com", role = "owner" })).StatusCode);
            Assert.Equal(expected, (await DashboardFixture.SendAsync(client, csrf, HttpMethod.Put, $"/account/sites/{site.SiteId}/members/{DashboardFixture.AdminEmail}", new { role = "viewer" })).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/account/audit")).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/account/users")).StatusCode);
        }
    }

    [Fact]
    public async Task Administrators_list_users_and_read_the_installations_audit_log()
    {
        var site = await fixture.CreateSiteAsync("Users", "users.test");
        var (member, _, email) = await fixture.MemberAsync(site.SiteId, "viewer");
        member.Dispose();
        var (admin, _) = await fixture.SignInAsAdminAsync();
        using (admin)
        {
            var users = await admin.GetFromJsonAsync<JsonElement>("/account/users");
            var audit = await admin.GetFromJsonAsync<JsonElement>("/account/audit");

            var user = users.GetProperty("users").EnumerateArray().Single(u => u.GetProperty("email").GetString() == email);
            Assert.Equal("member", user.GetProperty("role").GetString());
            Assert.Equal("viewer", user.GetProperty("sites").GetProperty(site.SiteId).GetString());
            var created = audit.GetProperty("entries").EnumerateArray().First(e => e.GetProperty("target").GetString() == email);
            Assert.Equal("user.create", created.GetProperty("action").GetString());
            Assert.Equal(DashboardFixture.AdminEmail, created.GetProperty("actor").GetString());
        }
    }

    [Fact]
    public async Task The_first_administrator_made_through_setup_is_in_the_installations_audit_log()
    {
        var (admin, _) = await fixture.SignInAsAdminAsync();
        using (admin)
        {
            var audit = await admin.GetFromJsonAsync<JsonElement>("/account/audit?limit=500");

            var setup = audit.GetProperty("entries").EnumerateArray().Last(e => e.GetProperty("target").GetString() == DashboardFixture.AdminEmail);
            Assert.Equal("user.create", setup.GetProperty("action").GetString());
            Assert.Equal(DashboardFixture.AdminEmail, setup.GetProperty("actor").GetString());
            Assert.Contains("setup", setup.GetProperty("details").GetString(), StringComparison.Ordinal);
        }
    }

    private static async Task<HttpResponseMessage> AcceptAsync(HttpClient client, string path, string form, string password, string? confirm = "")
    {
        var fields = new Dictionary<string, string> { ["__RequestVerificationToken"] = DashboardFixture.CsrfField(form), ["password"] = password };
        if (confirm is not null)
        {
            fields["confirm"] = confirm == "" ? password : confirm;
        }

        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }
}
