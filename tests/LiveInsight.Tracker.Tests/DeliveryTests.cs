using LiveInsight.Tracker.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Tracker.Tests;

/// <summary>Offline queue, retries and refusals: what reaches the stream, and how often.</summary>
[Collection(nameof(TrackerCollection))]
public sealed class DeliveryTests(TrackerFixture fixture)
{
    [Fact]
    public async Task Events_queued_while_the_network_is_cut_are_delivered_exactly_once_when_it_is_back()
    {
        var network = "cut";
        await using var tracked = await TrackedPage.OpenAsync(fixture, beforeLoad: context =>
            context.RouteAsync("**/api/events", async route =>
            {
                if (network == "cut")
                {
                    await route.AbortAsync("internetdisconnected");
                    return;
                }

                // Back, but the answer is lost on the way: the Api takes the batch, the tracker sees a failure and retries.
                await route.FetchAsync(new() { Url = route.Request.Url.Replace("api.test", "127.0.0.1", StringComparison.Ordinal) });
                await route.AbortAsync("connectionreset");
            }));
        await tracked.TrackAsync("Offline", new { step = 1 });

        await TrackedPage.WaitUntilAsync(async () => (await tracked.StoredAsync()).Length >= 3, "the events in the offline queue");
        var ids = (await tracked.StoredAsync()).Select(e => e.GetProperty("id").GetString()!).ToHashSet();
        Assert.Empty(await tracked.EventsAsync());

        network = "answers lost";
        await tracked.WaitForEventsAsync(e => ids.IsSubsetOf(e.Select(x => x.Str("event_id")!)));

        await tracked.Context.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.Wait });
        await TrackedPage.WaitUntilAsync(async () => (await tracked.StoredAsync()).Length == 0, "the offline queue to empty");

        var events = await tracked.EventsAsync();
        Assert.All(ids, id => Assert.Single(events, e => e.Str("event_id") == id));
        Assert.Single(events.Named("Offline"));
        await tracked.WaitForApiRequestAsync(r => r.Status == 202 && r.Dropped.Contains("duplicate", StringComparison.Ordinal),
            "a resent batch answered 202 with its duplicates dropped");
    }

    [Fact]
    public async Task Events_left_in_the_offline_queue_are_sent_on_the_next_load()
    {
        await using var tracked = await TrackedPage.OpenAsync(fixture, beforeLoad: context =>
            context.RouteAsync("**/api/events", route => route.AbortAsync()));
        await tracked.TrackAsync("Queued");
        await TrackedPage.WaitUntilAsync(async () => (await tracked.StoredAsync()).Any(e => e.Str("name") == "Queued"), "the offline queue");
        await tracked.Context.UnrouteAllAsync(new() { Behavior = UnrouteBehavior.IgnoreErrors });

        await tracked.GotoAsync("next");

        var events = await tracked.WaitForEventsAsync(e => e.Named("Queued").Any() && e.OfType("page_view").Count() >= 2);
        Assert.Single(events.Named("Queued"));
        Assert.Single(events.OfType("session_start"));
    }

    [Fact]
    public async Task A_503_is_retried_after_its_retry_after()
    {
        var refusals = 0;
        DateTime refusedAt = default, retriedAt = default;
        await using var tracked = await TrackedPage.OpenAsync(fixture, beforeLoad: context =>
            context.RouteAsync("**/api/events", async route =>
            {
                var attempt = Interlocked.Increment(ref refusals);
                if (attempt == 2)
                {
                    retriedAt = DateTime.UtcNow;
                }

                if (attempt == 1)
                {
                    // Timed here, before the answer leaves: the page may be opened well after the first flush.
                    refusedAt = DateTime.UtcNow;
                    await route.FulfillAsync(new()
                    {
                        Status = 503,
                        Headers = new Dictionary<string, string>
                        {
                            ["Retry-After"] = "1",
                            ["Access-Control-Allow-Origin"] = fixture.Origin(),
                            ["Access-Control-Expose-Headers"] = "Retry-After",
                        },
                    });
                    return;
                }

                await route.ContinueAsync();
            }));
        await tracked.WaitForEventsAsync(e => e.OfType("page_view").Any());

        // The flush interval (200 ms) would retry much sooner; the Api asked for a second.
        Assert.Equal(2, refusals);
        Assert.True(retriedAt - refusedAt >= TimeSpan.FromSeconds(1), $"retried {(retriedAt - refusedAt).TotalMilliseconds} ms after the 503");
    }
}
