using System.Diagnostics;
using System.Text.Json;
using LiveInsight.Testing;
using LiveInsight.Tracker.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Tracker.Tests.Compat;

/// <summary>
/// Issue 20: the real Plausible tracker from npm (<c>@plausible-analytics/tracker</c>, pinned in package.json), bundled
/// for the page with esbuild as a bundler-using site would, in headless Chromium, pointed at our <c>/api/event</c> by
/// its <c>endpoint</c> option and nothing else changed. Its events must arrive as our tracker's do.
/// </summary>
[Collection(nameof(TrackerCollection))]
public sealed class PlausibleTrackerTests(TrackerFixture fixture)
{
    private static readonly Lazy<string> Bundle = new(BuildBundle);

    /// <summary>The npm package is an ES module for bundlers: esbuild makes it one classic script exposing init and track.</summary>
    private static string BuildBundle()
    {
        var root = RepositoryPaths.Root;
        var start = new ProcessStartInfo(Path.Combine(root, "node_modules", ".bin", "esbuild"))
        {
            ArgumentList = { "--bundle", "--format=iife", "--log-level=error" }, // stdin resolves from the working directory
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = root,
        };
        using var esbuild = Process.Start(start)!;
        esbuild.StandardInput.Write("import { init, track } from '@plausible-analytics/tracker'; window.PlausibleNpm = { init, track };");
        esbuild.StandardInput.Close();
        var output = esbuild.StandardOutput.ReadToEndAsync();
        var errors = esbuild.StandardError.ReadToEnd();
        esbuild.WaitForExit();
        Assert.True(esbuild.ExitCode == 0, "esbuild failed: " + errors);
        return output.Result;
    }

    /// <summary>A page of a fresh site on its own host (Plausible finds sites by domain, so no two tests share one).</summary>
    private async Task<(string SiteId, string Domain, IBrowserContext Context, IPage Page, string PageUrl)> OpenAsync(
        Dictionary<string, string>? headers = null)
    {
        var domain = $"p{Guid.NewGuid():N}"[..12] + ".test";
        var (siteId, _) = await fixture.CreateSiteAsync(domain);
        var context = await fixture.Browser.NewContextAsync(new() { UserAgent = TrackerFixture.UserAgent, ExtraHTTPHeaders = headers });
        var page = await context.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);
        var id = fixture.Pages.Add($$"""
            <!doctype html><html><head><meta charset="utf-8"><title>Shop</title>
            <script>window.__plausible = true; // Plausible ignores automated browsers unless told this is its own test
            {{Bundle.Value}}</script>
            <script>
              PlausibleNpm.init({ domain: '{{domain}}', endpoint: '{{fixture.ApiOrigin}}/api/event', outboundLinks: true, logging: false });
            </script>
            </head><body><div style="height:3000px">
            <a id="out" href="{{fixture.Origin("other.test")}}/elsewhere/">Elsewhere</a>
            <button id="signup" class="plausible-event-name=Signup plausible-event-plan=pro">Sign up</button>
            </div></body></html>
            """);
        var url = $"http://{domain}:{fixture.Pages.Port}/{id}/";
        await page.GotoAsync(url);
        Assert.Empty(errors);
        return (siteId, domain, context, page, $"/{id}/");
    }

    [Fact]
    public async Task Page_views_an_spa_navigation_a_custom_event_with_props_and_an_outbound_click_arrive_and_are_counted()
    {
        var (siteId, domain, context, page, path) = await OpenAsync();
        await using var _ = context;
        await WaitForAsync(siteId, e => e.OfType("page_view").Any());

        await page.EvaluateAsync("p => history.pushState({}, '', p + 'pricing')", path);
        await WaitForAsync(siteId, e => e.OfType("page_view").Count() >= 2);
        await page.EvaluateAsync("() => PlausibleNpm.track('Upgrade', { props: { plan: 'team', seats: '3' } })");
        await page.ClickAsync("#signup");
        await WaitForAsync(siteId, e => e.Named("Upgrade").Any() && e.Named("Signup").Any());
        await page.ClickAsync("#out");

        var events = await WaitForAsync(siteId, e => e.Named("Outbound Link: Click").Any());
        Assert.Equal([path.TrimEnd('/'), path + "pricing"], events.OfType("page_view").Select(e => e.Str("path")));
        Assert.All(events, e => Assert.Equal(domain, e.Str("host")));
        var upgrade = Assert.Single(events.Named("Upgrade"));
        Assert.Equal("team", upgrade.GetProperty("props").GetProperty("plan").GetString());
        Assert.Equal("3", upgrade.GetProperty("props").GetProperty("seats").GetString());
        Assert.Equal("pro", Assert.Single(events.Named("Signup")).GetProperty("props").GetProperty("plan").GetString());
        var outbound = Assert.Single(events.Named("Outbound Link: Click"));
        Assert.Equal($"{fixture.Origin("other.test")}/elsewhere/", outbound.GetProperty("props").GetProperty("url").GetString());
        // Enriched as our own tracker's events are: one visitor, one derived session, the browser's UA parsed.
        Assert.Single(events.Select(e => e.Str("visitor_id")).Distinct());
        Assert.Single(events.Select(e => e.Str("session_id")).Distinct());
        Assert.All(events, e => Assert.Equal("Chrome", e.Str("browser")));

        // Counted: the realtime set of this site sees the visitor, as for /api/events.
        var realtime = await fixture.Redis.GetDatabase().SortedSetLengthAsync(Core.Events.RedisKeys.RealtimeVisitors(siteId));
        Assert.Equal(1, realtime);
    }

    [Fact]
    public async Task A_visitor_who_asks_not_to_be_tracked_is_dropped_through_plausibles_tracker_too()
    {
        var (siteId, _, context, page, _) = await OpenAsync(new() { ["Sec-GPC"] = "1" });
        await using var _ = context;
        var answer = await page.EvaluateAsync<JsonElement>(
            "() => new Promise(done => PlausibleNpm.track('Signup', { callback: r => done(r) }))");

        Assert.Equal(202, answer.GetProperty("status").GetInt32());
        await Task.Delay(300);
        Assert.Empty(await fixture.StreamEventsAsync(siteId));
    }

    private Task<List<JsonElement>> WaitForAsync(string siteId, Func<List<JsonElement>, bool> done) =>
        WaitForStreamAsync(fixture, siteId, done);

    internal static async Task<List<JsonElement>> WaitForStreamAsync(TrackerFixture fixture, string siteId, Func<List<JsonElement>, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var events = await fixture.StreamEventsAsync(siteId);
            if (done(events))
            {
                return events;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"The stream holds: [{string.Join(", ", events.Select(TrackedPage.Describe))}]");
            }

            await Task.Delay(50);
        }
    }
}
