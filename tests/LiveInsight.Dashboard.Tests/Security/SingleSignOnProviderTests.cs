using System.Text.Json;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Tests.Infrastructure;
using LiveInsight.Testing;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests.Security;

/// <summary>Single sign-on through a real OpenID Connect provider (npm <c>oidc-provider</c>, run by
/// <c>tests/oidc/provider.mjs</c> as a process), in Chromium: the Dashboard's own discovery, code flow with PKCE, ID
/// token validation and claim mapping, with nothing stubbed. The provider's accounts: <c>admin@corp.test</c> (verified,
/// group <c>liveinsight-admins</c>), <c>viewer@corp.test</c> (verified, no admin group), <c>unverified@corp.test</c>
/// (<c>email_verified=false</c>, in the admin group).</summary>
[Collection(nameof(DashboardCollection))]
public sealed class SingleSignOnProviderTests(DashboardFixture fixture)
{
    private const string ProviderPassword = "provider-password";
    private const string ClientId = "liveinsight-dashboard";
    private const string ClientSecret = "a-client-secret-of-the-test-provider";

    [Fact]
    public async Task People_sign_in_through_a_real_provider_with_the_role_of_their_group_or_site_and_sign_out()
    {
        var site = await fixture.CreateSiteAsync("SSO provider", "sso-provider.test");
        var other = await fixture.CreateSiteAsync("Not the viewer's", "sso-other.test");
        await using var sso = await StartAsync();

        // An owner gives the viewer's provider e-mail a role on one site, before that person ever signs in.
        var (_, csrf) = await fixture.SignInAsync(DashboardFixture.AdminEmail, DashboardFixture.AdminPassword, sso.Client);
        var added = await DashboardFixture.SendAsync(sso.Client, csrf, HttpMethod.Put, $"/account/sites/{site.SiteId}/members/viewer%40corp.test", new { role = "viewer" });
        Assert.Equal(System.Net.HttpStatusCode.OK, added.StatusCode);

        var admin = await SignInThroughProviderAsync(sso.Url, "admin@corp.test");
        var adminSession = await JsonAsync(admin, "/account/session");
        Assert.Equal("admin@corp.test", adminSession.GetProperty("email").GetString());
        Assert.True(adminSession.GetProperty("is_admin").GetBoolean());
        Assert.Equal(200, await StatusAsync(admin, $"/proxy/api/stats/summary?site_id={other.SiteId}&range=today"));

        var viewer = await SignInThroughProviderAsync(sso.Url, "viewer@corp.test");
        var viewerSession = await JsonAsync(viewer, "/account/session");
        Assert.Equal("viewer@corp.test", viewerSession.GetProperty("email").GetString());
        Assert.False(viewerSession.GetProperty("is_admin").GetBoolean());
        Assert.Equal(200, await StatusAsync(viewer, $"/proxy/api/stats/summary?site_id={site.SiteId}&range=today"));
        Assert.Equal(404, await StatusAsync(viewer, $"/proxy/api/stats/summary?site_id={other.SiteId}&range=today"));

        // Signing out ends the Dashboard's session: the next page is the login page, and the front end's calls are refused.
        await viewer.Locator("#logout").ClickAsync();
        await viewer.WaitForURLAsync(url => new Uri(url).AbsolutePath == "/login");
        Assert.Equal(401, await StatusAsync(viewer, "/account/session"));
        await viewer.GotoAsync("/");
        Assert.Equal("/login", new Uri(viewer.Url).AbsolutePath);
        await viewer.Context.CloseAsync();
        await admin.Context.CloseAsync();
    }

    [Fact]
    public async Task A_provider_account_whose_email_is_not_verified_is_refused_even_in_the_admin_group()
    {
        await using var sso = await StartAsync();

        var page = await SignInThroughProviderAsync(sso.Url, "unverified@corp.test", expectSignedIn: false);

        Assert.Equal("/login", new Uri(page.Url).AbsolutePath);
        Assert.Contains("error=sso", page.Url, StringComparison.Ordinal);
        Assert.Contains(SingleSignOn.FailedMessage, await page.Locator("body").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(401, await StatusAsync(page, "/account/session"));
        await page.Context.CloseAsync();
    }

    /// <summary>The login page's single sign-on link, the provider's own form, and back.</summary>
    private async Task<IPage> SignInThroughProviderAsync(string dashboardUrl, string username, bool expectSignedIn = true)
    {
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = dashboardUrl });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/login");
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with Corp SSO" }).ClickAsync();
        await page.WaitForURLAsync(url => url.Contains("/interaction/", StringComparison.Ordinal));
        await page.GetByLabel("Username").FillAsync(username);
        await page.GetByLabel("Password").FillAsync(ProviderPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => url.StartsWith(dashboardUrl, StringComparison.Ordinal)
            && (expectSignedIn ? new Uri(url).AbsolutePath == "/" : url.Contains("/login", StringComparison.Ordinal)));
        return page;
    }

    private static async Task<JsonElement> JsonAsync(IPage page, string path) =>
        JsonDocument.Parse(await page.EvaluateAsync<string>("async p => await (await fetch(p)).text()", path)).RootElement;

    private static Task<int> StatusAsync(IPage page, string path) =>
        page.EvaluateAsync<int>("async p => (await fetch(p)).status", path);

    private async Task<RunningSingleSignOn> StartAsync()
    {
        var providerPort = ExternalProcess.FreePort();
        var (dashboard, client) = fixture.StartSecondDashboard(new()
        {
            ["LiveInsight:Dashboard:Oidc:Authority"] = $"http://127.0.0.1:{providerPort}",
            ["LiveInsight:Dashboard:Oidc:ClientId"] = ClientId,
            ["LiveInsight:Dashboard:Oidc:ClientSecret"] = ClientSecret,
            ["LiveInsight:Dashboard:Oidc:DisplayName"] = "Corp SSO",
            ["LiveInsight:Dashboard:Oidc:AdminGroups:0"] = "liveinsight-admins",
            ["LiveInsight:Dashboard:Oidc:GroupsClaim"] = "groups",
        });
        var url = client.BaseAddress!.ToString().TrimEnd('/');
        var provider = new ExternalProcess("oidc-provider", "node", port =>
            ["tests/oidc/provider.mjs", port.ToString(System.Globalization.CultureInfo.InvariantCulture), ClientId, ClientSecret, $"{url}/signin-oidc"],
            providerPort);
        await provider.StartAsync();
        return new RunningSingleSignOn(dashboard, client, provider, url);
    }

    private sealed record RunningSingleSignOn(
        Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Dashboard.Users.UserService> Dashboard,
        HttpClient Client, ExternalProcess Provider, string Url) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await Provider.DisposeAsync();
            Client.Dispose();
            await Dashboard.DisposeAsync();
        }
    }
}
