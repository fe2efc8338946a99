using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Dashboard.Account;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Tests.Infrastructure;
using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LiveInsight.Dashboard.Tests.Security;

/// <summary>Password guessing: the lockout holds against parallel guesses, and one network is throttled across
/// accounts and replicas. The Dashboards here trust 127.0.0.1 as their load balancer, so each test's
/// <c>X-Forwarded-For</c> address is a client of its own and no test uses up another's budget.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class LoginLimitTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Twenty_parallel_wrong_passwords_get_at_most_five_checks_and_then_the_right_one_is_refused()
    {
        var email = $"parallel-{Guid.NewGuid():N}"[..20] + "@example.com";
        await CreateUserAsync(email);
        var hasher = new CountingHasher();
        var (dashboard, client) = fixture.StartSecondDashboard(
            new()
            {
                ["LiveInsight:Dashboard:TrustedProxies:0"] = "127.0.0.1",
                ["LiveInsight:Dashboard:LoginFailuresPerAddressPerMinute"] = "1000",
            },
            services => services.AddSingleton<IPasswordHasher<DashboardUser>>(hasher));
        await using var running = dashboard;
        using var browser = client;
        var address = NewAddress();
        var form = await client.GetStringAsync("/login");

        var guesses = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => PostLoginAsync(client, form, address, email, $"wrong guess {i:D2} here")));
        var right = await PostLoginAsync(client, form, address, email, DashboardFixture.UserPassword);

        Assert.All(guesses, guess => Assert.Equal(HttpStatusCode.Unauthorized, guess.StatusCode));
        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
        Assert.Equal(UserService.MaxFailedLogins, hasher.ChecksOf(email));
        var user = await fixture.DashboardServices.GetRequiredService<UserRepository>().FindAsync(email, CancellationToken.None);
        Assert.True(user!.LockedUntil > DateTimeOffset.UtcNow.AddMinutes(14));
    }

    [Fact]
    public async Task Too_many_wrong_passwords_from_one_address_get_429_on_every_replica_until_the_minute_is_over()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        Dictionary<string, string> settings = new()
        {
            ["LiveInsight:Dashboard:TrustedProxies:0"] = "127.0.0.1",
            ["LiveInsight:Dashboard:LoginFailuresPerAddressPerMinute"] = "3",
        };
        var (first, firstClient) = fixture.StartSecondDashboard(settings, services => services.AddSingleton<TimeProvider>(time));
        var (second, secondClient) = fixture.StartSecondDashboard(settings, services => services.AddSingleton<TimeProvider>(time));
        await using var running = first;
        await using var alsoRunning = second;
        using var one = firstClient;
        using var other = secondClient;
        var address = NewAddress();

        // Right passwords do not count: someone who signs in often is never throttled.
        for (var i = 0; i < 4; i++)
        {
            Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(one, address, DashboardFixture.AdminEmail, DashboardFixture.AdminPassword)).StatusCode);
        }

        // Three guesses on three accounts, over both replicas: the limit is the address's, not an account's.
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostLoginAsync(one, address, "nobody-1@example.com", "a guessed password")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostLoginAsync(other, address, "nobody-2@example.com", "a guessed password")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostLoginAsync(one, address, "nobody-3@example.com", "a guessed password")).StatusCode);
        var throttled = await PostLoginAsync(other, address, DashboardFixture.AdminEmail, DashboardFixture.AdminPassword);
        var elsewhere = await PostLoginAsync(other, NewAddress(), DashboardFixture.AdminEmail, DashboardFixture.AdminPassword);

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        var retryAfter = int.Parse(throttled.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 60);
        Assert.Contains(WebUtility.HtmlEncode(AccountApi.TooManyAttempts(TimeSpan.FromSeconds(retryAfter))), await throttled.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Redirect, elsewhere.StatusCode);

        time.Advance(TimeSpan.FromSeconds(retryAfter));
        Assert.Equal(HttpStatusCode.Redirect, (await PostLoginAsync(one, address, DashboardFixture.AdminEmail, DashboardFixture.AdminPassword)).StatusCode);
    }

    [Fact]
    public async Task Wrong_passwords_through_an_invite_link_use_up_the_addresss_sign_in_budget_like_wrong_sign_ins()
    {
        var email = $"invited-{Guid.NewGuid():N}"[..20] + "@example.com";
        await CreateUserAsync(email);
        var site = await fixture.CreateSiteAsync("Throttled invite", "throttled-invite.test");
        var (admin, csrf) = await fixture.SignInAsAdminAsync();
        string token;
        using (admin)
        {
            var invite = await DashboardFixture.SendAsync(admin, csrf, HttpMethod.Post, $"/account/sites/{site.SiteId}/invites", new { email, role = "viewer" });
            var url = (await invite.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!;
            token = url[(url.IndexOf("/invite/", StringComparison.Ordinal) + "/invite/".Length)..];
        }

        var (dashboard, client) = fixture.StartSecondDashboard(new()
        {
            ["LiveInsight:Dashboard:TrustedProxies:0"] = "127.0.0.1",
            ["LiveInsight:Dashboard:LoginFailuresPerAddressPerMinute"] = "2",
        }, ThrottleOnAStoppedClock);
        await using var running = dashboard;
        using var _ = client;
        var address = NewAddress();

        var wrong = new[]
        {
            await PostFormAsync(client, $"/invite/{token}", address, new() { ["password"] = "a guessed password 1" }),
            await PostFormAsync(client, $"/invite/{token}", address, new() { ["password"] = "a guessed password 2" }),
        };
        var throttled = await PostFormAsync(client, $"/invite/{token}", address, new() { ["password"] = DashboardFixture.UserPassword });
        var signIn = await PostLoginAsync(client, address, DashboardFixture.AdminEmail, DashboardFixture.AdminPassword);
        var elsewhere = await PostFormAsync(client, $"/invite/{token}", NewAddress(), new() { ["password"] = DashboardFixture.UserPassword });

        Assert.All(wrong, response => Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode));
        Assert.Equal((HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests), (throttled.StatusCode, signIn.StatusCode));
        Assert.InRange(int.Parse(throttled.Headers.GetValues("Retry-After").Single()), 1, 60);
        Assert.Equal(HttpStatusCode.Redirect, elsewhere.StatusCode); // the link was not used up by the refused attempts
    }

    [Fact]
    public async Task Wrong_admin_tokens_at_setup_get_429_with_retry_after_once_the_address_has_used_its_minute()
    {
        // A Dashboard on tables of its own, so setup is still open there.
        var (dashboard, client) = fixture.StartSecondDashboard(new()
        {
            ["LiveInsight:Storage:TablePrefix"] = $"dsu{Guid.NewGuid():N}"[..11] + "-",
            ["LiveInsight:Dashboard:TrustedProxies:0"] = "127.0.0.1",
            ["LiveInsight:Dashboard:LoginFailuresPerAddressPerMinute"] = "2",
        }, ThrottleOnAStoppedClock);
        await using var running = dashboard;
        using var _ = client;
        var address = NewAddress();
        Dictionary<string, string> Setup(string token) => new()
        {
            ["adminToken"] = token, ["email"] = "first@example.com", ["password"] = DashboardFixture.AdminPassword, ["confirm"] = DashboardFixture.AdminPassword,
        };

        var wrong = new[]
        {
            await PostFormAsync(client, "/setup", address, Setup("guessed-token-1")),
            await PostFormAsync(client, "/setup", address, Setup("guessed-token-2")),
        };
        var throttled = await PostFormAsync(client, "/setup", address, Setup(DashboardFixture.AdminToken));
        var elsewhere = await PostFormAsync(client, "/setup", NewAddress(), Setup(DashboardFixture.AdminToken));

        Assert.All(wrong, response => Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode));
        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        var retryAfter = int.Parse(throttled.Headers.GetValues("Retry-After").Single());
        Assert.InRange(retryAfter, 1, 60);
        Assert.Contains(WebUtility.HtmlEncode(AccountApi.TooManyTokenGuesses(TimeSpan.FromSeconds(retryAfter))), await throttled.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal((HttpStatusCode.Redirect, "/"), (elsewhere.StatusCode, elsewhere.Headers.Location?.ToString()));
    }

    /// <summary>The address's budget is per clock minute: on a running clock a new minute between the guesses gives the
    /// last one a fresh budget (a CI run saw setup done by the "throttled" right token). So the throttle's clock stands
    /// still; only the throttle's, since the schema bootstrap of a Dashboard on new tables waits on its clock.</summary>
    private static void ThrottleOnAStoppedClock(IServiceCollection services) =>
        services.AddSingleton(provider => ActivatorUtilities.CreateInstance<LoginThrottle>(provider, new FakeTimeProvider(DateTimeOffset.UtcNow)));

    /// <summary>A form of the Dashboard sent from a browser of its own at <paramref name="address"/>, with the form's token.</summary>
    private static async Task<HttpResponseMessage> PostFormAsync(HttpClient dashboard, string path, string address, Dictionary<string, string> fields)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = dashboard.BaseAddress,
        };
        var form = await browser.GetStringAsync(path);
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>(fields) { ["__RequestVerificationToken"] = DashboardFixture.CsrfField(form) }),
        };
        request.Headers.Add("X-Forwarded-For", address);
        return await browser.SendAsync(request);
    }

    /// <summary>A client address of its own (its own /24), as the load balancer would name it.</summary>
    private static string NewAddress() => $"10.{Random.Shared.Next(256)}.{Random.Shared.Next(256)}.{Random.Shared.Next(1, 255)}";

    private async Task CreateUserAsync(string email)
    {
        var (admin, csrf) = await fixture.SignInAsAdminAsync();
        using var client = admin;
        var created = await DashboardFixture.SendAsync(client, csrf, HttpMethod.Post, "/account/users",
            new { email, password = DashboardFixture.UserPassword, role = "member" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
    }

    private static async Task<HttpResponseMessage> PostLoginAsync(HttpClient client, string form, string address, string email, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = DashboardFixture.CsrfField(form), ["email"] = email, ["password"] = password,
            }),
        };
        request.Headers.Add("X-Forwarded-For", address);
        return await client.SendAsync(request);
    }

    /// <summary>A sign-in from a browser of its own (a signed-in browser's form token would no longer match).</summary>
    private static async Task<HttpResponseMessage> PostLoginAsync(HttpClient dashboard, string address, string email, string password)
    {
        using var browser = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = dashboard.BaseAddress,
        };
        return await PostLoginAsync(browser, await browser.GetStringAsync("/login"), address, email, password);
    }

    /// <summary>The real hasher, counting how often a password is checked against each account's own hash.</summary>
    private sealed class CountingHasher : PasswordHasher<DashboardUser>
    {
        private readonly ConcurrentDictionary<string, int> _checks = new();

        public int ChecksOf(string email) => _checks.GetValueOrDefault(email);

        public override PasswordVerificationResult VerifyHashedPassword(DashboardUser user, string hashedPassword, string providedPassword)
        {
            if (user is not null)
            {
                _checks.AddOrUpdate(user.Email, 1, (_, n) => n + 1);
            }

            return base.VerifyHashedPassword(user!, hashedPassword, providedPassword);
        }
    }
}
