using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Api.Reports;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Stats;
using LiveInsight.Core.Alerts;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Stats;
using LiveInsight.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using static LiveInsight.Api.Tests.Stats.KnownDataset;

namespace LiveInsight.Api.Tests.Alerts;

/// <summary>
/// Scheduled reports through a real SMTP server (maildev): sent at the recipient's hour in the site's zone, once across
/// replicas and passes, with the stats API's very numbers, names escaped, and a one-click unsubscribe that needs no login.
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class ReportTests(ApiFixture fixture, MailboxFixture mail) : IClassFixture<MailboxFixture>
{
    // Monday 23 November 2026; the weekly report covers Monday 16 to Sunday 22.
    private static readonly DateOnly SendDay = new(2026, 11, 23);
    private const string Zone = "Europe/Berlin"; // UTC+1 in November
    private const string ScriptPage = "/<script>alert(1)</script>";

    [Fact]
    public async Task A_weekly_report_goes_out_once_at_the_recipient_s_hour_with_the_stats_api_s_numbers_and_unsubscribes_without_login()
    {
        var site = await fixture.CreateAsync(timeZone: Zone);
        await SeedAsync(site.SiteId);
        var email = $"reader-{Guid.NewGuid():N}@example.test";
        using var admin = fixture.CreateAdminClient();
        var created = await admin.PostAsJsonAsync($"/api/sites/{site.SiteId}/reports", new { email, frequency = "weekly", hour = 8 });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);

        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 6, 30, 0, TimeSpan.Zero)); // 07:30 in Berlin
        var (first, second) = (Scheduler(clock), Scheduler(clock));
        Assert.Equal(0, await first.RunOnceAsync(CancellationToken.None));
        clock.SetUtcNow(new DateTimeOffset(2026, 11, 23, 7, 5, 0, TimeSpan.Zero)); // 08:05 in Berlin
        var sent = await Task.WhenAll(first.RunOnceAsync(CancellationToken.None), second.RunOnceAsync(CancellationToken.None));
        sent = [.. sent, await second.RunOnceAsync(CancellationToken.None), await first.RunOnceAsync(CancellationToken.None)];
        Assert.Equal(1, sent.Sum());

        var report = Assert.Single(await mail.Mailbox.WaitForAsync(email, 2, TimeSpan.FromSeconds(3)));
        Assert.Equal("Weekly report for Test site: 2026-11-16 to 2026-11-22", report.Subject);

        // The same numbers as the stats API for the same site-days.
        var range = $"site_id={site.SiteId}&from=2026-11-16&to=2026-11-22";
        var summary = await admin.GetJsonAsync($"/api/stats/summary?{range}");
        var pages = (await admin.GetJsonAsync($"/api/stats/pages?{range}")).GetProperty("pages");
        var model = await fixture.Factory.Services.GetRequiredService<ReportBuilder>()
            .BuildAsync((await fixture.Factory.Services.GetRequiredService<SiteRepository>().FindByIdAsync(site.SiteId, CancellationToken.None))!, "weekly",
                new DateOnly(2026, 11, 16), new DateOnly(2026, 11, 22), CancellationToken.None);
        foreach (var (metric, compared) in new[] { ("visitors", model.Summary.Visitors), ("pageviews", model.Summary.Pageviews), ("bounce_rate", model.Summary.BounceRate), ("avg_duration_seconds", model.Summary.AvgDurationSeconds) })
        {
            Assert.Equal(summary.GetProperty(metric).GetProperty("value").GetDouble(), compared.Value);
            Assert.Equal(summary.GetProperty(metric).GetProperty("change").GetDouble(), compared.Change);
        }

        Assert.Equal(pages.EnumerateArray().Select(p => (p.GetProperty("path").GetString(), p.GetProperty("visitors").GetInt64())), model.TopPages.Select(p => ((string?)p.Path, p.Visitors)));
        var visitors = summary.GetProperty("visitors").GetProperty("value").GetDouble().ToString("N0", CultureInfo.InvariantCulture);
        var pageviews = summary.GetProperty("pageviews").GetProperty("value").GetDouble().ToString("N0", CultureInfo.InvariantCulture);
        Assert.Contains($"Visitors: {visitors} (+50 % vs. before)", report.TextBody);
        Assert.Contains($"Pageviews: {pageviews} (+100 % vs. before)", report.TextBody);
        Assert.Contains("Bounce rate: 25 %", report.TextBody);
        Assert.Contains("Visit duration: 1:00", report.TextBody);
        Assert.Contains("Google", report.TextBody);
        Assert.Contains("Signup", report.TextBody);

        // A page named <script> arrives as text in both parts.
        Assert.Contains("/&lt;script&gt;alert(1)&lt;/script&gt;", report.HtmlBody);
        Assert.DoesNotContain("<script>", report.HtmlBody);
        Assert.Contains(ScriptPage, report.TextBody);

        // One-click unsubscribe, no credentials: the page, then the POST a mail client sends (RFC 8058).
        var link = new Uri(report.Headers["List-Unsubscribe"]!.Trim('<', '>'));
        Assert.Equal("List-Unsubscribe=One-Click", report.Headers["List-Unsubscribe-Post"]);
        using var anonymous = fixture.CreateClient();
        var page = await anonymous.GetAsync(link.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<form method=\"post\"", await page.Content.ReadAsStringAsync());
        Assert.Single(await mail.Mailbox.MessagesToAsync(email)); // opening the page changed nothing yet
        var done = await anonymous.PostAsync(link.PathAndQuery, new FormUrlEncodedContent([new("List-Unsubscribe", "One-Click")]));
        Assert.Equal(HttpStatusCode.OK, done.StatusCode);

        // A tampered token is refused; the genuine one stopped the next Monday's report.
        var forged = link.PathAndQuery[..^3] + (link.PathAndQuery[^3..] == "AAA" ? "BBB" : "AAA");
        Assert.Equal(HttpStatusCode.BadRequest, (await anonymous.PostAsync(forged, null)).StatusCode);
        clock.SetUtcNow(new DateTimeOffset(2026, 11, 30, 9, 0, 0, TimeSpan.Zero));
        Assert.Equal(0, await first.RunOnceAsync(CancellationToken.None));
        Assert.Single(await mail.Mailbox.WaitForAsync(email, 2, TimeSpan.FromSeconds(1)));
        var log = (await admin.GetJsonAsync($"/api/sites/{site.SiteId}/alerts/deliveries")).GetProperty("deliveries");
        Assert.Equal(["suppressed:unsubscribed", "sent"], log.EnumerateArray().Select(d => d.GetProperty("outcome").GetString()));

        // The report as a mail client shows it: rendered by headless Chromium into TestResults/reports/ (not tracked).
        var png = await ReportArtifacts.ScreenshotAsync("weekly-report", report.HtmlBody!);
        Assert.True(new FileInfo(png).Length > 10_000, "the screenshot shows a rendered report");
    }

    [Fact]
    public void A_weekly_report_covers_the_week_before_and_a_monthly_one_the_month_before()
    {
        Assert.Equal((new DateOnly(2026, 11, 16), new DateOnly(2026, 11, 22)), ReportBuilder.Period("weekly", SendDay));
        Assert.Equal((new DateOnly(2026, 11, 1), new DateOnly(2026, 11, 30)), ReportBuilder.Period("monthly", new DateOnly(2026, 12, 1)));
        Assert.Equal((new DateOnly(2026, 12, 1), new DateOnly(2026, 12, 31)), ReportBuilder.Period("monthly", new DateOnly(2027, 1, 1)));
        Assert.True(ReportBuilder.IsSendDay("weekly", SendDay));
        Assert.False(ReportBuilder.IsSendDay("weekly", SendDay.AddDays(1)));
        Assert.True(ReportBuilder.IsSendDay("monthly", new DateOnly(2026, 12, 1)));
    }

    private ReportScheduler Scheduler(TimeProvider clock)
    {
        var sender = new MailSender(Options.Create(new MailOptions
        {
            Host = "127.0.0.1", Port = mail.Mailbox.SmtpPort, Security = "none", From = "LiveInsight <reports@liveinsight.test>",
        }));
        return ActivatorUtilities.CreateInstance<ReportScheduler>(fixture.Factory.Services, clock, sender);
    }

    /// <summary>The reported week (16–22 Nov) and the week before, as flushed day rows.</summary>
    private async Task SeedAsync(string siteId)
    {
        var data = new KnownDataset(fixture, siteId);
        string Day(int d) => RollupLayout.DayBucket(new DateOnly(2026, 11, d));
        // This week: 4 sessions (1 bounce, 240 s in all), 8 page views, 3 visitors. Week before: 4 page views, 2 visitors.
        await data.ItemAsync(Granularity.Day, RollupLayout.Summary, Day(17), "", M(pageviews: 8, sessions: 4, bounces: 1, durationMs: 240_000), ["a", "b", "c"]);
        await data.ItemAsync(Granularity.Day, RollupLayout.Summary, Day(10), "", M(pageviews: 4, sessions: 2, bounces: 1, durationMs: 60_000), ["x", "y"]);
        await data.ItemAsync(Granularity.Day, RollupLayout.Page, Day(17), "/pricing", M(pageviews: 5, entries: 3), ["a", "b"]);
        await data.ItemAsync(Granularity.Day, RollupLayout.Page, Day(17), ScriptPage, M(pageviews: 3, entries: 1), ["c"]);
        await data.ItemAsync(Granularity.Day, RollupLayout.Source, Day(17), "Google", M(pageviews: 6, sessions: 3, bounces: 1, durationMs: 180_000), ["a", "b"]);
        await data.ItemAsync(Granularity.Day, RollupLayout.Event, Day(17), "Signup", M(events: 2), ["a"]);
    }
}

/// <summary>Where tests leave files worth looking at (TestResults/ at the repository root, not tracked).</summary>
public static class ReportArtifacts
{
    public static string Folder => Path.Combine(RepositoryPaths.Root, "TestResults", "reports");

    /// <summary>Writes the HTML and renders it with headless Chromium (as the browser tests start it); returns the PNG.</summary>
    public static async Task<string> ScreenshotAsync(string name, string html)
    {
        Directory.CreateDirectory(Folder);
        var page = Path.Combine(Folder, name + ".html");
        var png = Path.Combine(Folder, name + ".png");
        await File.WriteAllTextAsync(page, html);
        File.Delete(png);
        var info = new System.Diagnostics.ProcessStartInfo(Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var argument in new[]
                 {
                     "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run",
                     "--hide-scrollbars", "--window-size=680,1100", $"--user-data-dir={Path.Combine(Path.GetTempPath(), $"li-chromium-{Guid.NewGuid():N}")}",
                     $"--screenshot={png}", new Uri(page).AbsoluteUri,
                 })
        {
            info.ArgumentList.Add(argument);
        }

        using var chromium = System.Diagnostics.Process.Start(info)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var output = Task.WhenAll(chromium.StandardOutput.ReadToEndAsync(timeout.Token), chromium.StandardError.ReadToEndAsync(timeout.Token));
        await chromium.WaitForExitAsync(timeout.Token);
        await output;
        Assert.True(File.Exists(png), $"Chromium wrote no screenshot: {string.Join("\n", output.Result)}");
        return png;
    }
}
