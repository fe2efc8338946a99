using LiveInsight.Core.Events;

namespace LiveInsight.Aggregator.Tests;

/// <summary>
/// A small, fully known day on 2026-11-20 (UTC):
/// <list type="bullet">
/// <item>session A (visitor v1, from Google, DE): / at 10:00, /pricing at 10:01, custom "Signup" at 10:02, 5 s engaged on /pricing → 2 pages, not a bounce, 120 s</item>
/// <item>session B (v2, direct, US): /blog at 10:05 → bounce, 0 s</item>
/// <item>session C (v3, direct, FR): /pricing at 10:10, custom "Download" at 10:11 → 1 page but interactive: not a bounce, 60 s</item>
/// <item>session D (v1 again, direct, DE): / at 11:10 → bounce, 0 s</item>
/// </list>
/// </summary>
public static class KnownTraffic
{
    public static IReadOnlyList<StreamEvent> Events(AggregatorWorld w) =>
    [
        w.Event("page_view", "v1", "A", TimeSpan.FromMinutes(0), "/", source: "Google"),
        w.Event("page_view", "v1", "A", TimeSpan.FromMinutes(1), "/pricing", source: "Google"),
        w.Event("custom", "v1", "A", TimeSpan.FromMinutes(2), "/pricing", name: "Signup", source: "Google"),
        w.Event("engagement", "v1", "A", TimeSpan.FromMinutes(2), "/pricing", engagedMs: 5000, source: "Google"),
        w.Event("page_view", "v2", "B", TimeSpan.FromMinutes(5), "/blog", country: "US"),
        w.Event("page_view", "v3", "C", TimeSpan.FromMinutes(10), "/pricing", country: "FR"),
        w.Event("custom", "v3", "C", TimeSpan.FromMinutes(11), "/pricing", name: "Download", country: "FR"),
        w.Event("page_view", "v1", "D", TimeSpan.FromMinutes(70), "/"),
    ];

    /// <summary>Long enough after the last event for every session to be idle for 30 minutes.</summary>
    public static readonly TimeSpan AllSessionsIdle = TimeSpan.FromMinutes(70 + 31);

    public const string Day = "2026-11-20";

    public static async Task IngestAsync(AggregatorWorld world)
    {
        foreach (var e in Events(world))
        {
            await world.IngestAsync(e);
        }
    }

    /// <summary>The day totals every scenario must end with, whatever crashed or ran twice on the way.</summary>
    public static async Task AssertDayTotalsAsync(AggregatorWorld w)
    {
        var summary = await w.StatsAsync(Core.Stats.Granularity.Day, "summary", Day);
        Assert.NotNull(summary);
        Assert.Equal(5, summary["pageviews"]);
        Assert.Equal(4, summary["sessions"]);
        Assert.Equal(2, summary["bounces"]);
        Assert.Equal(180_000, summary["duration_ms"]);
        Assert.Equal(2, summary["events"]);
        Assert.Equal(5_000, summary["engaged_ms"]);
        Assert.Equal(3, summary["visitors"]);

        // Unique visitors per row: v1's two sessions from DE (A and D) are one visitor; Direct has v2, v3 and v1.
        Assert.Equal((2, 1), await SessionsAndVisitorsAsync(w, Core.Stats.RollupLayout.Country, "DE"));
        Assert.Equal((3, 3), await SessionsAndVisitorsAsync(w, Core.Stats.RollupLayout.Source, "Direct"));
        Assert.Equal((1, 1), await SessionsAndVisitorsAsync(w, Core.Stats.RollupLayout.Source, "Google"));
        Assert.Equal((4, 3), await SessionsAndVisitorsAsync(w, Core.Stats.RollupLayout.Browser, "Chrome"));
        Assert.Equal(1, (await w.StatsAsync(Core.Stats.Granularity.Day, Core.Stats.RollupLayout.Event, Day, "Signup"))!["visitors"]);
    }

    private static async Task<(long Sessions, long Visitors)> SessionsAndVisitorsAsync(AggregatorWorld w, string dimension, string value)
    {
        var item = (await w.StatsAsync(Core.Stats.Granularity.Day, dimension, Day, value))!;
        return (item["sessions"], item["visitors"]);
    }
}
