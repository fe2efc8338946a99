using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using LiveInsight.Dashboard.Tests.Infrastructure;
using LiveInsight.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace LiveInsight.Dashboard.Tests.Accounts;

/// <summary>Password reset through real SMTP (maildev): the mailed link sets a new password once, within 30 minutes,
/// ends the account's sessions, and the request form answers an unknown address exactly like a known one.</summary>
[Collection(nameof(DashboardCollection))]
public sealed partial class PasswordResetTests(DashboardFixture fixture, MailboxFixture mail, ITestOutputHelper output) : IClassFixture<MailboxFixture>
{
    private const string PublicUrl = "http://dashboard.example.test";
    private const string NewPassword = "a brand new password 2026";

    [Fact]
    public async Task The_mailed_link_sets_a_new_password_once_and_ends_every_session_of_the_account()
    {
        var email = await CreateUserAsync();
        var (dashboard, client) = StartDashboard(new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var running = dashboard;
        using var http = client;
        var (signedIn, _) = await fixture.SignInAsync(email, DashboardFixture.UserPassword, NewClient(http));

        Assert.Equal(HttpStatusCode.OK, (await RequestResetAsync(http, email)).Status);
        var link = await LinkOfAsync(email, count: 1);

        Assert.StartsWith(PublicUrl + "/reset/", link, StringComparison.Ordinal); // the configured URL, never the request's Host
        var path = new Uri(link).AbsolutePath;
        var page = await http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var set = await PostResetAsync(http, path, await page.Content.ReadAsStringAsync(), NewPassword, NewPassword);
        Assert.Equal(HttpStatusCode.Redirect, set.StatusCode);
        Assert.Equal("/login?notice=reset", set.Headers.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.Unauthorized, (await signedIn.GetAsync("/account/session")).StatusCode);
        await Assert.ThrowsAsync<InvalidOperationException>(() => fixture.SignInAsync(email, DashboardFixture.UserPassword, NewClient(http)));
        var (again, _) = await fixture.SignInAsync(email, NewPassword, NewClient(http));
        Assert.Equal(HttpStatusCode.OK, (await again.GetAsync("/account/session")).StatusCode);

        // The same link again: the password it was made for is gone.
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(path)).StatusCode);
        var reused = await PostResetAsync(http, path, await (await http.GetAsync("/login/forgot")).Content.ReadAsStringAsync(), "yet another password 99", "yet another password 99");
        Assert.Equal(HttpStatusCode.BadRequest, reused.StatusCode);
        Assert.Contains("cannot be used", await reused.Content.ReadAsStringAsync());
        await fixture.SignInAsync(email, NewPassword, NewClient(http));
    }

    [Fact]
    public async Task A_link_older_than_30_minutes_is_refused()
    {
        var email = await CreateUserAsync();
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (dashboard, client) = StartDashboard(time);
        await using var running = dashboard;
        using var http = client;
        await RequestResetAsync(http, email);
        var path = new Uri(await LinkOfAsync(email, count: 1)).AbsolutePath;
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(path)).StatusCode);

        time.Advance(TimeSpan.FromMinutes(30));
        var form = await (await http.GetAsync("/login/forgot")).Content.ReadAsStringAsync();
        var expired = await PostResetAsync(http, path, form, NewPassword, NewPassword);

        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, expired.StatusCode);
        // The password did not change. (Signed in on the fixture's Dashboard, on real time: a sign-in here would count in
        // the address's throttle window of 30 minutes ahead, which every Dashboard of the tables shares.)
        var (unchanged, _) = await fixture.SignInAsync(email, DashboardFixture.UserPassword);
        unchanged.Dispose();
    }

    [Fact]
    public async Task A_forged_or_altered_link_is_refused()
    {
        var email = await CreateUserAsync();
        var (dashboard, client) = StartDashboard(new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var running = dashboard;
        using var http = client;
        await RequestResetAsync(http, email);
        var token = new Uri(await LinkOfAsync(email, count: 1)).AbsolutePath["/reset/".Length..];
        var (body, mac) = (token.Split('.')[0], token.Split('.')[1]);
        var otherEmail = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(
            System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(Pad(body))).Replace(email, DashboardFixture.AdminEmail)))
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');

        foreach (var forged in new[] { otherEmail + "." + mac, body + "." + mac[..^2] + "AA", body, "x.y", new string('a', 3000) })
        {
            Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync("/reset/" + forged)).StatusCode);
        }
    }

    [Fact]
    public async Task An_unknown_address_gets_the_same_answer_as_a_known_one_and_no_mail()
    {
        var email = await CreateUserAsync();
        var unknown = $"nobody-{Guid.NewGuid():N}"[..20] + "@example.com";
        var (dashboard, client) = StartDashboard(new FakeTimeProvider(DateTimeOffset.UtcNow));
        await using var running = dashboard;
        using var http = client;

        var known = new List<(HttpStatusCode Status, string Body, TimeSpan Took)>();
        var nobody = new List<(HttpStatusCode Status, string Body, TimeSpan Took)>();
        for (var i = 0; i < 7; i++)
        {
            known.Add(await RequestResetAsync(http, email));
            nobody.Add(await RequestResetAsync(http, unknown));
        }

        Assert.Equal(known.Select(a => (a.Status, a.Body)), nobody.Select(a => (a.Status, a.Body)));
        Assert.Contains("If an account with a password exists", known[0].Body);
        Assert.Equal(7, (await mail.Mailbox.WaitForAsync(email, 7, TimeSpan.FromSeconds(30))).Count);
        Assert.Empty(await mail.Mailbox.MessagesToAsync(unknown));
        var (knownMedian, unknownMedian) = (Median(known), Median(nobody));
        output.WriteLine($"reset request, median of 7: known {knownMedian.TotalMilliseconds:0.0} ms, unknown {unknownMedian.TotalMilliseconds:0.0} ms");
        // The mail goes out in the background: a known address never waits for SMTP.
        Assert.True(knownMedian - unknownMedian < TimeSpan.FromMilliseconds(150), $"known {knownMedian}, unknown {unknownMedian}");
    }

    private (Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<Users.UserService>, HttpClient) StartDashboard(FakeTimeProvider time)
    {
        var settings = new Dictionary<string, string>(mail.Mailbox.Settings.ToDictionary(p => p.Key, p => p.Value!))
        {
            ["LiveInsight:Dashboard:PublicUrl"] = PublicUrl,
            ["LiveInsight:Dashboard:SessionCheckSeconds"] = "0",
        };
        return fixture.StartSecondDashboard(settings, services => services.AddSingleton<TimeProvider>(time));
    }

    private static HttpClient NewClient(HttpClient like) =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() }) { BaseAddress = like.BaseAddress };

    private static async Task<(HttpStatusCode Status, string Body, TimeSpan Took)> RequestResetAsync(HttpClient http, string email)
    {
        var form = await http.GetStringAsync("/login/forgot");
        var watch = Stopwatch.StartNew();
        var response = await http.PostAsync("/login/forgot", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = DashboardFixture.CsrfField(form), ["email"] = email,
        }));
        var body = await response.Content.ReadAsStringAsync();
        watch.Stop();
        return (response.StatusCode, TokenField().Replace(body, ""), watch.Elapsed);
    }

    private static Task<HttpResponseMessage> PostResetAsync(HttpClient http, string path, string formHtml, string password, string confirm) =>
        http.PostAsync(path, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = DashboardFixture.CsrfField(formHtml), ["password"] = password, ["confirm"] = confirm,
        }));

    private async Task<string> LinkOfAsync(string email, int count)
    {
        var messages = await mail.Mailbox.WaitForAsync(email, count);
        Assert.Equal(count, messages.Count);
        var text = messages[^1].TextBody ?? "";
        return ResetLink().Match(text) is { Success: true } m ? m.Value : throw new InvalidOperationException("no link in: " + text);
    }

    private async Task<string> CreateUserAsync()
    {
        var email = $"reset-{Guid.NewGuid():N}"[..20] + "@example.com";
        var (admin, csrf) = await fixture.SignInAsAdminAsync();
        using var client = admin;
        var created = await DashboardFixture.SendAsync(client, csrf, HttpMethod.Post, "/account/users",
            new { email, password = DashboardFixture.UserPassword, role = "member" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        return email;
    }

    private static TimeSpan Median(List<(HttpStatusCode, string, TimeSpan Took)> answers) => answers.Select(a => a.Took).Order().ElementAt(answers.Count / 2);

    private static string Pad(string base64Url) => base64Url.Replace('-', '+').Replace('_', '/') + new string('=', (4 - base64Url.Length % 4) % 4);

    [GeneratedRegex("""https?://\S+/reset/[A-Za-z0-9_.-]+""")]
    private static partial Regex ResetLink();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"[^\"]+\"")]
    private static partial Regex TokenField();
}
