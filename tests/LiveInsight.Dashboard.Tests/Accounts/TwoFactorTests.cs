using System.Net;
using System.Text.RegularExpressions;
using LiveInsight.Dashboard.Account;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests.Accounts;

/// <summary>Two-factor sign-in end to end: enrolment over HTTP and in Chromium, codes computed here from the secret the
/// page showed (the same RFC 6238, checked against the RFC's vectors in <see cref="TotpTests"/>), wrong and reused
/// codes refused, recovery codes working once, and the installation setting that makes it compulsory. Each test runs
/// a Dashboard of its own on a fake clock, from an address of its own (the sign-in throttle's window follows that clock).</summary>
[Collection(nameof(DashboardCollection))]
public sealed partial class TwoFactorTests(DashboardFixture fixture)
{
    [Fact]
    public async Task A_code_is_asked_after_the_password_and_wrong_or_reused_codes_are_refused()
    {
        await using var world = await World.StartAsync(fixture);
        var (client, key) = await world.EnrolAsync();
        var confirmStep = Totp.StepOf(world.Time.GetUtcNow());
        await PostAsync(client, "/account/logout", null);

        using var browserLike = world.NewClient();
        var codeForm = await world.PasswordAsync(browserLike);
        Assert.Equal(HttpStatusCode.OK, codeForm.Status);
        Assert.Contains("Two-factor sign-in", codeForm.Html);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browserLike.GetAsync("/account/session")).StatusCode); // no session yet

        var wrong = await world.CodeAsync(browserLike, codeForm.Html, Totp.Code(Totp.FromBase32(key)!, confirmStep + 5));
        var reused = await world.CodeAsync(browserLike, codeForm.Html, Totp.Code(Totp.FromBase32(key)!, confirmStep));
        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (wrong.StatusCode, reused.StatusCode));
        Assert.Contains("used already", await reused.Content.ReadAsStringAsync());

        world.Time.Advance(Totp.Step);
        var next = Totp.Code(Totp.FromBase32(key)!, confirmStep + 1);
        var right = await world.CodeAsync(browserLike, codeForm.Html, next);
        Assert.Equal(HttpStatusCode.Redirect, right.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browserLike.GetAsync("/account/session")).StatusCode);

        // The same code once more, from another browser that knows the password: that step is used.
        using var replay = world.NewClient();
        var again = await world.PasswordAsync(replay);
        Assert.Equal(HttpStatusCode.Unauthorized, (await world.CodeAsync(replay, again.Html, next)).StatusCode);
    }

    [Fact]
    public async Task A_recovery_code_signs_in_once()
    {
        await using var world = await World.StartAsync(fixture);
        var (_, _, codes) = await world.EnrolWithCodesAsync();
        Assert.Equal(10, codes.Count);
        Assert.Equal(10, codes.Distinct().Count());

        using var first = world.NewClient();
        var form = await world.PasswordAsync(first);
        Assert.Equal(HttpStatusCode.Redirect, (await world.CodeAsync(first, form.Html, codes[3].ToUpperInvariant())).StatusCode);

        using var second = world.NewClient();
        var again = await world.PasswordAsync(second);
        Assert.Equal(HttpStatusCode.Unauthorized, (await world.CodeAsync(second, again.Html, codes[3])).StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, (await world.CodeAsync(second, again.Html, codes[4])).StatusCode);
    }

    [Fact]
    public async Task Five_wrong_codes_lock_the_account_like_five_wrong_passwords()
    {
        await using var world = await World.StartAsync(fixture);
        var (_, key) = await world.EnrolAsync();
        using var guesser = world.NewClient();
        var form = await world.PasswordAsync(guesser);
        for (var guess = 0; guess < Users.UserService.MaxFailedLogins; guess++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await world.CodeAsync(guesser, form.Html, $"00000{guess}")).StatusCode);
        }

        world.Time.Advance(Totp.Step);
        var right = Totp.Code(Totp.FromBase32(key)!, Totp.StepOf(world.Time.GetUtcNow()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await world.CodeAsync(guesser, form.Html, right)).StatusCode);
    }

    [Fact]
    public async Task With_two_factor_required_an_account_without_it_can_only_set_it_up()
    {
        await using var world = await World.StartAsync(fixture, new() { ["LiveInsight:Dashboard:RequireTwoFactor"] = "true" });
        using var client = world.NewClient();
        var login = await world.PasswordAsync(client);
        Assert.Equal(HttpStatusCode.Redirect, login.Status);
        Assert.Equal(TwoFactorApi.Page, login.Location);

        Assert.Equal(HttpStatusCode.Forbidden, (await client.GetAsync("/proxy/api/sites")).StatusCode);
        var home = await client.GetAsync("/");
        Assert.Equal((HttpStatusCode.Redirect, TwoFactorApi.Page), (home.StatusCode, home.Headers.Location?.OriginalString));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/account/session")).StatusCode);

        await world.EnrolAsync(client);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/proxy/api/sites")).StatusCode);
        var page = await client.GetStringAsync(TwoFactorApi.Page);
        Assert.Contains("cannot be turned off", page);
    }

    [Fact]
    public async Task In_the_browser_a_person_sets_up_two_factor_sign_in_and_signs_in_with_a_code()
    {
        await using var world = await World.StartAsync(fixture);
        var context = await fixture.Browser.NewContextAsync(new()
        {
            BaseURL = world.Url, ExtraHTTPHeaders = new Dictionary<string, string> { ["X-Forwarded-For"] = world.Address },
        });
        var page = await context.NewPageAsync();
        await SignInWithPasswordAsync(page, world.Email);
        await page.WaitForURLAsync(url => !url.Contains("/login"));

        await page.GotoAsync(TwoFactorApi.Page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Set up two-factor sign-in" }).ClickAsync();
        var key = await page.Locator("#manual-key").TextContentAsync();
        Assert.StartsWith("otpauth://totp/LiveInsight:", await page.Locator("#otpauth-uri").TextContentAsync());
        var secret = Totp.FromBase32(key!.Trim())!;
        await page.GetByLabel("The 6-digit code the app shows").FillAsync(Totp.Code(secret, Totp.StepOf(world.Time.GetUtcNow())));
        await page.GetByRole(AriaRole.Button, new() { Name = "Turn on" }).ClickAsync();
        Assert.Equal(10, await page.Locator("#recovery-codes li").CountAsync());

        await context.ClearCookiesAsync();
        await page.GotoAsync("/login");
        await SignInWithPasswordAsync(page, world.Email);
        await page.GetByLabel("Code").WaitForAsync();
        await page.GetByLabel("Code").FillAsync("000000");
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        Assert.Contains("not right", await page.Locator("#form-error").TextContentAsync());

        world.Time.Advance(Totp.Step);
        await page.GetByLabel("Code").FillAsync(Totp.Code(secret, Totp.StepOf(world.Time.GetUtcNow())));
        await page.GetByRole(AriaRole.Button, new() { Name = "Verify" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/login"));
        await page.Locator("#logout-everywhere").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        await context.CloseAsync();
    }

    private static async Task SignInWithPasswordAsync(IPage page, string email)
    {
        await page.GotoAsync("/login");
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(DashboardFixture.UserPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, Dictionary<string, string>? form)
    {
        var session = await client.GetStringAsync("/account/session");
        var csrf = CsrfJson().Match(session).Groups[1].Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = form is null ? null : new FormUrlEncodedContent(form) };
        request.Headers.Add("X-CSRF-TOKEN", csrf);
        return await client.SendAsync(request);
    }

    [GeneratedRegex("\"csrf_token\":\"([^\"]+)\"")]
    private static partial Regex CsrfJson();

    [GeneratedRegex("id=\"manual-key\"[^>]*>([A-Z2-7]+)<")]
    private static partial Regex ManualKey();

    [GeneratedRegex("<li>([a-z2-7]{5}-[a-z2-7]{5})</li>")]
    private static partial Regex RecoveryCode();

    /// <summary>A Dashboard on a fake clock, a member with a password, and an address of its own behind a trusted proxy.</summary>
    private sealed class World(WebApplicationFactory<Users.UserService> dashboard, HttpClient client, string email, FakeTimeProvider time, string address)
        : IAsyncDisposable
    {
        public FakeTimeProvider Time => time;

        public string Email => email;

        public string Address => address;

        public string Url => client.BaseAddress!.ToString().TrimEnd('/');

        public static async Task<World> StartAsync(DashboardFixture fixture, Dictionary<string, string>? extra = null)
        {
            var email = $"2fa-{Guid.NewGuid():N}"[..20] + "@example.com";
            var (admin, csrf) = await fixture.SignInAsAdminAsync();
            using (admin)
            {
                var created = await DashboardFixture.SendAsync(admin, csrf, HttpMethod.Post, "/account/users",
                    new { email, password = DashboardFixture.UserPassword, role = "member" });
                Assert.Equal(HttpStatusCode.Created, created.StatusCode);
            }

            var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
            var settings = new Dictionary<string, string>
            {
                ["LiveInsight:Dashboard:TrustedProxies:0"] = "127.0.0.1",
                ["LiveInsight:Dashboard:SessionCheckSeconds"] = "0",
            };
            foreach (var (k, v) in extra ?? [])
            {
                settings[k] = v;
            }

            var (dashboard, client) = fixture.StartSecondDashboard(settings, services => services.AddSingleton<TimeProvider>(time));
            return new World(dashboard, client, email, time, $"10.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}.7");
        }

        public HttpClient NewClient()
        {
            var fresh = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = client.BaseAddress };
            fresh.DefaultRequestHeaders.Add("X-Forwarded-For", address);
            return fresh;
        }

        public async Task<(HttpStatusCode Status, string Html, string? Location)> PasswordAsync(HttpClient http)
        {
            var form = await http.GetStringAsync("/login");
            var response = await http.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = DashboardFixture.CsrfField(form), ["email"] = email, ["password"] = DashboardFixture.UserPassword,
            }));
            return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers.Location?.OriginalString);
        }

        public Task<HttpResponseMessage> CodeAsync(HttpClient http, string codeFormHtml, string code) =>
            http.PostAsync("/login/two-factor", new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = DashboardFixture.CsrfField(codeFormHtml),
                ["pending"] = Regex.Match(codeFormHtml, "name=\"pending\" value=\"([^\"]+)\"").Groups[1].Value,
                ["code"] = code,
            }));

        public async Task<(HttpClient Client, string Key)> EnrolAsync(HttpClient? signedIn = null)
        {
            var (http, key, _) = await EnrolWithCodesAsync(signedIn);
            return (http, key);
        }

        /// <summary>Sets up two-factor sign-in through the settings page: wrong code first (refused), then the right one.</summary>
        public async Task<(HttpClient Client, string Key, IReadOnlyList<string> Codes)> EnrolWithCodesAsync(HttpClient? signedIn = null)
        {
            var http = signedIn ?? NewClient();
            if (signedIn is null)
            {
                Assert.Equal(HttpStatusCode.Redirect, (await PasswordAsync(http)).Status);
            }

            var page = await http.GetStringAsync(TwoFactorApi.Page);
            var begun = await http.PostAsync(TwoFactorApi.Page, Form(page, ("step", "begin")));
            var html = await begun.Content.ReadAsStringAsync();
            var key = ManualKey().Match(html).Groups[1].Value;
            var secret = Totp.FromBase32(key)!;
            var step = Totp.StepOf(time.GetUtcNow());
            var wrong = await http.PostAsync(TwoFactorApi.Page, Form(html, ("step", "confirm"), ("code", Totp.Code(secret, step + 3))));
            Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
            var confirmed = await http.PostAsync(TwoFactorApi.Page, Form(await wrong.Content.ReadAsStringAsync(), ("step", "confirm"), ("code", Totp.Code(secret, step))));
            var done = await confirmed.Content.ReadAsStringAsync();
            Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
            return (http, key, RecoveryCode().Matches(done).Select(m => m.Groups[1].Value).ToList());
        }

        private static FormUrlEncodedContent Form(string html, params (string Name, string Value)[] fields) =>
            new(new Dictionary<string, string>(fields.Select(f => KeyValuePair.Create(f.Name, f.Value)))
            {
                ["__RequestVerificationToken"] = DashboardFixture.CsrfField(html),
            });

        public async ValueTask DisposeAsync()
        {
            client.Dispose();
            await dashboard.DisposeAsync();
        }
    }
}
