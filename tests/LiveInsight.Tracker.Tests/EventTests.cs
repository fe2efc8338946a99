using System.Text.Json;
using LiveInsight.Tracker.Tests.Infrastructure;

namespace LiveInsight.Tracker.Tests;

[Collection(nameof(TrackerCollection))]
public sealed class EventTests(TrackerFixture fixture)
{
    [Fact]
    public async Task Custom_events_with_props_arrive_including_calls_made_before_the_script_loaded()
    {
        await using var tracked = await TrackedPage.OpenAsync(fixture, new PageSetup
        {
            Head = TrackedPage.StubScript + "<script>liveinsight.track('Signup', { plan: 'pro' })</script>",
        });

        await tracked.TrackAsync("Upgrade", new { plan = "team", seats = 3 });

        var events = await tracked.WaitForEventsAsync(e => e.Named("Signup").Any() && e.Named("Upgrade").Any());
        var signup = Assert.Single(events.Named("Signup"));
        Assert.Equal("pro", signup.GetProperty("props").GetProperty("plan").GetString());
        var upgrade = Assert.Single(events.Named("Upgrade"));
        Assert.Equal("team", upgrade.GetProperty("props").GetProperty("plan").GetString());
        Assert.Equal("3", upgrade.GetProperty("props").GetProperty("seats").GetString());
        Assert.Equal(signup.Str("session_id"), upgrade.Str("session_id"));
        Assert.Equal($"/{tracked.PageId}", upgrade.Str("path"));
    }

    [Fact]
    public async Task A_batch_flushes_when_its_interval_elapses()
    {
        const int flushMs = 600;
        await using var tracked = await TrackedPage.OpenAsync(fixture, new PageSetup { FlushMs = flushMs });
        await tracked.WaitForEventsAsync(e => e.OfType("page_view").Any());
        await tracked.WaitForRequestsAsync(1);
        var before = tracked.Requests.Count;

        var started = DateTime.UtcNow;
        await tracked.TrackAsync("First");
        await tracked.TrackAsync("Second");
        await tracked.WaitForEventsAsync(e => e.Named("Second").Any());
        var elapsed = DateTime.UtcNow - started;
        await tracked.WaitForRequestsAsync(before + 1);

        // Both events waited for the timer, then went together in one request.
        Assert.InRange(elapsed.TotalMilliseconds, flushMs * 0.8, flushMs + 5000);
        var request = Assert.Single(tracked.Requests.Skip(before));
        Assert.Equal("fetch", request.ResourceType);
        var sent = JsonDocument.Parse(request.PostData!).RootElement;
        Assert.Equal(tracked.PublicKey, sent.GetProperty("key").GetString());
        Assert.Equal(["First", "Second"], sent.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task Ten_events_flush_at_once_without_waiting_for_the_interval()
    {
        await using var tracked = await TrackedPage.OpenAsync(fixture, new PageSetup { FlushMs = 60_000 });

        // The page view and session start are pending; eight more events make ten.
        await tracked.Page.EvaluateAsync("() => { for (let i = 0; i < 8; i++) liveinsight.track('Click', { i }); }");

        var events = await tracked.WaitForEventsAsync(e => e.Count >= 10);
        Assert.Equal(8, events.Named("Click").Count());
        await tracked.WaitForRequestsAsync(1);
        Assert.Single(tracked.Requests);
    }

    [Fact]
    public async Task Leaving_the_page_sends_pending_events_and_engagement_by_beacon()
    {
        await using var tracked = await TrackedPage.OpenAsync(fixture, new PageSetup { FlushMs = 60_000 });
        await tracked.Page.Mouse.WheelAsync(0, 1500);
        await tracked.Page.WaitForFunctionAsync("() => scrollY > 0");
        await tracked.TrackAsync("Checkout");
        Assert.Empty(tracked.Requests);

        await tracked.Page.GotoAsync("about:blank");

        var events = await tracked.WaitForEventsAsync(e =>
            e.OfType("page_view").Any() && e.Named("Checkout").Any() && e.OfType("engagement").Any());
        await tracked.WaitForApiRequestAsync(_ => true, "the Api's log of the beacon");
        var beacon = Assert.Single(tracked.ApiRequests);
        Assert.Equal("no-cors", beacon.FetchMode); // a beacon; the tracker's fetches are cors
        Assert.StartsWith("text/plain", beacon.ContentType, StringComparison.Ordinal);
        Assert.Equal(202, beacon.Status);
        var engagement = Assert.Single(events.OfType("engagement"));
        Assert.True(engagement.GetProperty("engaged_ms").GetInt64() > 0);
        Assert.InRange(engagement.GetProperty("scroll_depth").GetInt32(), 40, 100);
    }

    [Fact]
    public async Task Each_engagement_event_says_what_the_previous_one_of_its_page_view_reported_and_a_new_page_view_starts_afresh()
    {
        await using var tracked = await TrackedPage.OpenAsync(fixture, new PageSetup { FlushMs = 60_000 });
        // A pagehide hides the page (an engagement event); the visibilitychange after it, with the page still visible,
        // makes the tracker count visible time again, as when a visitor comes back to the tab.
        const string Hide = "() => { dispatchEvent(new Event('pagehide')); document.dispatchEvent(new Event('visibilitychange')); }";
        await tracked.Page.WaitForTimeoutAsync(50);
        await tracked.Page.EvaluateAsync(Hide);
        await tracked.WaitForEventsAsync(e => e.OfType("engagement").Count() >= 1);
        await tracked.Page.Mouse.WheelAsync(0, 1500);
        await tracked.Page.WaitForFunctionAsync("() => scrollY > 0");
        await tracked.Page.WaitForTimeoutAsync(50);
        await tracked.Page.EvaluateAsync(Hide);
        await tracked.WaitForEventsAsync(e => e.OfType("engagement").Count() >= 2);
        await tracked.Page.WaitForTimeoutAsync(50);
        await tracked.Page.EvaluateAsync("() => history.pushState(null, '', location.pathname + '/next')");
        await tracked.Page.WaitForTimeoutAsync(50);
        await tracked.Page.EvaluateAsync(Hide);

        var events = await tracked.WaitForEventsAsync(e => e.OfType("engagement").Count() >= 4);
        var engagements = events.OfType("engagement").OrderBy(e => e.GetProperty("ts").GetInt64()).ToList();
        int? Previous(System.Text.Json.JsonElement e) =>
            e.TryGetProperty("previous_scroll_depth", out var p) ? p.GetInt32() : null;
        int Depth(System.Text.Json.JsonElement e) => e.GetProperty("scroll_depth").GetInt32();

        Assert.Null(Previous(engagements[0])); // the page view's first: counted once
        Assert.Equal(Depth(engagements[0]), Previous(engagements[1]));
        Assert.True(Depth(engagements[1]) > Depth(engagements[0]));
        Assert.Equal(Depth(engagements[1]), Previous(engagements[2])); // the SPA navigation closes the first page view…
        Assert.Null(Previous(engagements[3])); // …and the next page view starts afresh
        Assert.All(engagements, e => Assert.True(e.GetProperty("engaged_ms").GetInt64() > 0));
    }
}
