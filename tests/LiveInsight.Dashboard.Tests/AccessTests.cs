using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

[Collection(nameof(DashboardCollection))]
public sealed partial class AccessTests(DashboardFixture fixture)
{
    private async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string password, bool withToken = true)
    {
        var form = await client.GetStringAsync("/login");
        var fields = new Dictionary<string, string> { ["email"] = DashboardFixture.AdminEmail, ["password"] = password };
        if (withToken)
        {
            fields["__RequestVerificationToken"] = DashboardFixture.CsrfField(form);
        }

        return await client.PostAsync("/login", new FormUrlEncodedContent(fields));
    }

    private async Task<(HttpClient Client, string Csrf)> SignedInClientAsync()
    {
        var client = fixture.NewHttpClient();
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(client, DashboardFixture.AdminPassword)).StatusCode);
        var session = await client.GetFromJsonAsync<JsonElement>("/account/session");
        Assert.Equal(DashboardFixture.AdminEmail, session.GetProperty("email").GetString());
        Assert.True(session.GetProperty("is_admin").GetBoolean());
        return (client, session.GetProperty("csrf_token").GetString()!);
    }

    [Fact]
    public async Task A_wrong_password_is_refused_in_the_browser()
    {
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.DashboardUrl });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/");
        Assert.Contains("/login", page.Url);

        await page.GetByLabel("E-mail").FillAsync(DashboardFixture.AdminEmail);
        await page.GetByLabel("Password").FillAsync("not the password at all");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToHaveTextAsync(LiveInsight.Dashboard.Account.AccountApi.WrongCredentials);
        Assert.DoesNotContain(await context.CookiesAsync(), c => c.Name == "li_session");
        await page.GotoAsync("/");
        Assert.Contains("/login", page.Url);
        await context.CloseAsync();
    }

    [Fact]
    public async Task A_wrong_password_or_a_missing_csrf_token_gets_no_session()
    {
        using var client = fixture.NewHttpClient();

        var wrong = await PostLoginAsync(client, "wrong password 123");
        var noToken = await PostLoginAsync(client, DashboardFixture.AdminPassword, withToken: false);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.False(wrong.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("li_session=", StringComparison.Ordinal)));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/account/session")).StatusCode);
    }

    [Fact]
    public async Task The_session_cookie_is_http_only_and_same_site_strict()
    {
        using var client = fixture.NewHttpClient();

        var response = await PostLoginAsync(client, DashboardFixture.AdminPassword);

        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("li_session=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=strict", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("/", response.Headers.Location?.ToString());
    }

    [Theory]
    [InlineData("/proxy/api/stats/summary?site_id=x")]
    [InlineData("/proxy/api/realtime/users?site_id=x")]
    [InlineData("/proxy/api/sites")]
    [InlineData("/account/session")]
    public async Task Without_a_session_the_proxy_answers_401_and_never_reaches_the_api(string url)
    {
        using var client = fixture.NewHttpClient();

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync(url)).StatusCode);
    }

    [Fact]
    public async Task The_proxy_adds_the_credentials_routes_only_the_read_and_site_endpoints_and_checks_csrf()
    {
        var site = await fixture.CreateSiteAsync();
        var (client, csrf) = await SignedInClientAsync();
        using (client)
        {
            var users = await client.GetFromJsonAsync<JsonElement>($"/proxy/api/realtime/users?site_id={site.SiteId}");
            Assert.Equal(site.SiteId, users.GetProperty("site_id").GetString());
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/proxy/api/stats/summary?site_id={site.SiteId}")).StatusCode);

            Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("/proxy/api/events", JsonContent.Create(new { key = site.PublicKey }))).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/proxy/api/bench/parse")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/proxy/liveinsight.js")).StatusCode);

            var withoutToken = await client.PostAsync("/proxy/api/sites", JsonContent.Create(new { name = "X", domains = new[] { "x.test" } }));
            Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);

            using var create = new HttpRequestMessage(HttpMethod.Post, "/proxy/api/sites")
            {
                Content = JsonContent.Create(new { name = "Made here", domains = new[] { "made.test" } }),
            };
            create.Headers.Add("X-CSRF-TOKEN", csrf);
            var created = await client.SendAsync(create);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            Assert.StartsWith("sk_", (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret_key").GetString());
        }
    }

    [Fact]
    public async Task Setup_is_closed_once_an_administrator_exists()
    {
        using var client = fixture.NewHttpClient();

        var page = await client.GetAsync("/setup");
        var post = await client.PostAsync("/setup", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["adminToken"] = DashboardFixture.AdminToken, ["email"] = "intruder@example.com", ["password"] = "another password 123",
        }));

        Assert.Equal(HttpStatusCode.Redirect, page.StatusCode);
        Assert.Equal("/login", page.Headers.Location?.ToString());
        Assert.NotEqual(HttpStatusCode.OK, post.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostLoginAsyncAs(client, "intruder@example.com", "another password 123")).StatusCode);
    }

    [Fact]
    public async Task Five_wrong_passwords_lock_the_account_even_against_the_right_one_and_other_accounts_are_unaffected()
    {
        const string email = "lockout@example.com", password = "the right password 42";
        await CreateViewerAsync(email, password);
        using var client = fixture.NewHttpClient();

        for (var attempt = 1; attempt <= 5; attempt++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await PostLoginAsyncAs(client, email, $"wrong guess number {attempt}")).StatusCode);
        }

        var locked = await PostLoginAsyncAs(client, email, password);
        Assert.Equal(HttpStatusCode.Unauthorized, locked.StatusCode);
        Assert.Contains("locked for 15 minutes", System.Net.WebUtility.HtmlDecode(await locked.Content.ReadAsStringAsync()));
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(fixture.NewHttpClient(), DashboardFixture.AdminPassword)).StatusCode);
    }

    [Fact]
    public async Task A_right_password_before_the_limit_clears_the_count()
    {
        const string email = "forgetful@example.com", password = "the right password 43";
        await CreateViewerAsync(email, password);
        using var client = fixture.NewHttpClient();

        for (var round = 0; round < 2; round++)
        {
            for (var attempt = 1; attempt <= 4; attempt++)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await PostLoginAsyncAs(client, email, $"wrong {round} {attempt}")).StatusCode);
            }

            Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsyncAs(fixture.NewHttpClient(), email, password)).StatusCode);
        }
    }

    /// <summary>A viewer account of its own, created by the admin, so lockout tests never touch the shared admin.</summary>
    private async Task CreateViewerAsync(string email, string password)
    {
        var (admin, csrf) = await SignedInClientAsync();
        using (admin)
        {
            using var create = new HttpRequestMessage(HttpMethod.Post, "/account/users")
            {
                Content = JsonContent.Create(new { email, password, role = "viewer" }),
            };
            create.Headers.Add("X-CSRF-TOKEN", csrf);
            Assert.Equal(HttpStatusCode.Created, (await admin.SendAsync(create)).StatusCode);
        }
    }

    private static async Task<HttpResponseMessage> PostLoginAsyncAs(HttpClient client, string email, string password)
    {
        var form = await client.GetStringAsync("/login");
        return await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = DashboardFixture.CsrfField(form), ["email"] = email, ["password"] = password,
        }));
    }

    [Theory]
    [InlineData("/login")]
    [InlineData("/")]
    [InlineData("/js/app.js")]
    public async Task Every_answer_carries_a_strict_content_security_policy(string url)
    {
        using var client = fixture.NewHttpClient();

        var response = await client.GetAsync(url);

        var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.DoesNotContain("unsafe-inline", csp);
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Nothing_is_loaded_from_another_origin_and_openid_connect_is_off_by_default()
    {
        using var client = fixture.NewHttpClient();
        var (signedIn, _) = await SignedInClientAsync();
        using (signedIn)
        {
            var shell = await signedIn.GetStringAsync("/");
            Assert.DoesNotMatch(ExternalReference(), shell);
            Assert.Contains("/build/chart.umd.min.js", shell);
            Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/build/chart.umd.min.js")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await signedIn.GetAsync("/build/app.css")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/login/oidc")).StatusCode);
        Assert.DoesNotContain("Sign in with", await client.GetStringAsync("/login"));
    }

    [GeneratedRegex("(src|href)=\"(https?:)?//", RegexOptions.IgnoreCase)]
    private static partial Regex ExternalReference();
}
