using System.Net;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text.Json;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Tests.Infrastructure;
using LiveInsight.Dashboard.Users;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Dashboard.Tests;

/// <summary>With OpenID Connect on, people sign in through the identity provider and have no password here: an owner
/// gives an e-mail a site role, and that person (signed in with that e-mail as their name) gets the site and no other.
/// The identity provider itself is never contacted: the role check reads the signed-in principal's name.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class SingleSignOnRoleTests(DashboardFixture fixture)
{
    [Fact]
    public async Task An_owner_gives_a_single_sign_on_email_a_site_role_that_its_person_gets_at_sign_in()
    {
        var site = await fixture.CreateSiteAsync("SSO site", "sso.test");
        var other = await fixture.CreateSiteAsync("Not theirs", "not-theirs.test");
        var person = $"SSO-{Guid.NewGuid():N}"[..14] + "@Example.com";
        var (dashboard, client) = fixture.StartSecondDashboard(new()
        {
            ["LiveInsight:Dashboard:Oidc:Authority"] = "http://127.0.0.1:1/",
            ["LiveInsight:Dashboard:Oidc:ClientId"] = "dashboard",
        });
        await using var running = dashboard;
        using var admin = client;
        var (_, csrf) = await fixture.SignInAsync(DashboardFixture.AdminEmail, DashboardFixture.AdminPassword, admin);

        var session = await admin.GetFromJsonAsync<JsonElement>("/account/session");
        var added = await DashboardFixture.SendAsync(admin, csrf, HttpMethod.Put, $"/account/sites/{site.SiteId}/members/{Uri.EscapeDataString(person)}", new { role = "viewer" });
        var promoted = await DashboardFixture.SendAsync(admin, csrf, HttpMethod.Put, $"/account/sites/{site.SiteId}/members/{Uri.EscapeDataString(person)}", new { role = "admin" });

        // Only an e-mail names a person, never one of the table's other keys (share links, invites, the setup marker).
        var notAnEmail = await DashboardFixture.SendAsync(admin, csrf, HttpMethod.Put, $"/account/sites/{site.SiteId}/members/{Uri.EscapeDataString("site-share#" + other.SiteId)}", new { role = "viewer" });
        Assert.Equal(HttpStatusCode.BadRequest, notAnEmail.StatusCode);
        Assert.True(session.GetProperty("single_sign_on").GetBoolean());
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (added.StatusCode, promoted.StatusCode));
        var roles = fixture.DashboardServices.GetRequiredService<ISiteRoles>();
        var signedIn = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, person), new Claim(ClaimTypes.Role, Roles.Member)], "oidc"));
        Assert.Equal(SiteRole.Admin, await roles.RoleForAsync(signedIn, site.SiteId, CancellationToken.None));
        Assert.Null(await roles.RoleForAsync(signedIn, other.SiteId, CancellationToken.None));

        var members = await admin.GetFromJsonAsync<JsonElement>($"/account/sites/{site.SiteId}/members");
        Assert.Contains(members.GetProperty("members").EnumerateArray(), m => m.GetProperty("email").GetString() == person.ToLowerInvariant()
            && m.GetProperty("role").GetString() == "admin");
        var users = await admin.GetFromJsonAsync<JsonElement>("/account/users");
        Assert.True(users.GetProperty("users").EnumerateArray().Single(u => u.GetProperty("email").GetString() == person.ToLowerInvariant())
            .GetProperty("single_sign_on").GetBoolean());
        var audit = await admin.GetFromJsonAsync<JsonElement>($"/account/sites/{site.SiteId}/audit");
        Assert.Contains(audit.GetProperty("entries").EnumerateArray(), e => e.GetProperty("details").GetString() == "added as viewer (single sign-on)");

        // No password exists for them, and without single sign-on an unknown e-mail still needs an invite.
        await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.SignInAsync(person, "any password at all"));
        var (localAdmin, localCsrf) = await fixture.SignInAsAdminAsync();
        using (localAdmin)
        {
            var unknown = await DashboardFixture.SendAsync(localAdmin, localCsrf, HttpMethod.Put, $"/account/sites/{site.SiteId}/members/nobody-{Guid.NewGuid():N}@example.com", new { role = "viewer" });
            Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        }
    }
}
