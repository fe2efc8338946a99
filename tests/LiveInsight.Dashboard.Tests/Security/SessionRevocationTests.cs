using System.Net;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests.Security;

/// <summary>Sessions end on the server's word: "sign out everywhere" and a lockout change the account's session stamp,
/// and every cookie made before is refused, on the replica that changed it at once and on the others within
/// <c>SessionCheckSeconds</c> (0 in the second Dashboard here: it reads the stamp on every request).</summary>
[Collection(nameof(DashboardCollection))]
public sealed class SessionRevocationTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Signing_out_everywhere_refuses_every_older_cookie_of_the_account_on_every_replica()
    {
        var email = await CreateUserAsync();
        var (other, otherClient) = fixture.StartSecondDashboard(new() { ["LiveInsight:Dashboard:SessionCheckSeconds"] = "0" });
        await using var running = other;
        using var elsewhere = otherClient;
        var (here, hereCookies) = await SignInAsync(email);
        var (sameReplica, _) = await SignInAsync(email);
        await fixture.SignInAsync(email, DashboardFixture.UserPassword, elsewhere);
        var (_, csrf) = await fixture.SignInAsync(email, DashboardFixture.UserPassword, here);
        var oldCookie = hereCookies.GetCookieHeader(here.BaseAddress!);
        Assert.Equal(HttpStatusCode.OK, (await elsewhere.GetAsync("/account/session")).StatusCode);

        var withoutCsrf = await here.PostAsync("/account/sessions/revoke", null);
        var revoked = await DashboardFixture.SendAsync(here, csrf, HttpMethod.Post, "/account/sessions/revoke");

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.NoContent), (withoutCsrf.StatusCode, revoked.StatusCode));
        Assert.Equal(HttpStatusCode.Unauthorized, (await WithCookieAsync(oldCookie)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await sameReplica.GetAsync("/account/session")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await elsewhere.GetAsync("/account/session")).StatusCode);
        var (again, _) = await SignInAsync(email);
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/account/session")).StatusCode);
    }

    [Fact]
    public async Task A_lockout_ends_the_accounts_open_sessions()
    {
        var email = await CreateUserAsync();
        var (other, otherClient) = fixture.StartSecondDashboard(new()
        {
            ["LiveInsight:Dashboard:SessionCheckSeconds"] = "0",
            ["LiveInsight:Dashboard:TrustedProxies:0"] = "127.0.0.1",
        });
        await using var running = other;
        using var signedIn = otherClient;
        await fixture.SignInAsync(email, DashboardFixture.UserPassword, signedIn);
        Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/account/session")).StatusCode);

        using var guesser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = signedIn.BaseAddress,
        };
        var form = await guesser.GetStringAsync("/login");
        var address = $"10.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}.1";
        for (var guess = 0; guess < Users.UserService.MaxFailedLogins; guess++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/login")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["__RequestVerificationToken"] = DashboardFixture.CsrfField(form), ["email"] = email, ["password"] = $"wrong guess {guess}",
                }),
            };
            request.Headers.Add("X-Forwarded-For", address);
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.SendAsync(request)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, (await signedIn.GetAsync("/account/session")).StatusCode);
    }

    [Fact]
    public async Task Sign_out_everywhere_in_the_page_ends_the_session_of_another_browser_too()
    {
        var email = await CreateUserAsync();
        var first = await fixture.SignedInPageAsync(email: email, password: DashboardFixture.UserPassword);
        var second = await fixture.SignedInPageAsync(email: email, password: DashboardFixture.UserPassword);

        await first.GetByRole(AriaRole.Button, new() { Name = "Sign out everywhere" }).ClickAsync();
        await first.WaitForURLAsync(url => url.Contains("/login"));
        await second.ReloadAsync();

        Assert.Contains("/login", second.Url);
        await first.Context.CloseAsync();
        await second.Context.CloseAsync();
    }

    private async Task<string> CreateUserAsync()
    {
        var email = $"sessions-{Guid.NewGuid():N}"[..20] + "@example.com";
        var (admin, csrf) = await fixture.SignInAsAdminAsync();
        using var client = admin;
        var created = await DashboardFixture.SendAsync(client, csrf, HttpMethod.Post, "/account/users",
            new { email, password = DashboardFixture.UserPassword, role = "member" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return email;
    }

    /// <summary>A client of the fixture's Dashboard, signed in, with its cookie jar (to copy a cookie out of it).</summary>
    private async Task<(HttpClient Client, CookieContainer Cookies)> SignInAsync(string email)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies })
        {
            BaseAddress = new Uri(fixture.DashboardUrl),
        };
        await fixture.SignInAsync(email, DashboardFixture.UserPassword, client);
        return (client, cookies);
    }

    /// <summary>A request that replays a cookie header as it was before, whatever the server has since said.</summary>
    private async Task<HttpResponseMessage> WithCookieAsync(string cookieHeader)
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false })
        {
            BaseAddress = new Uri(fixture.DashboardUrl),
        };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/session");
        request.Headers.Add("Cookie", cookieHeader);
        return await client.SendAsync(request);
    }
}
