using LiveInsight.Aggregator.Consumer;
using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;

namespace LiveInsight.Aggregator.Tests;

[Collection(nameof(DynaliteCollection))]
public sealed class AggregationTests(DynaliteFixture dynalite)
{
    [Fact]
    public async Task A_known_day_gives_exact_pageviews_sessions_bounces_entries_exits_and_visitors()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        await KnownTraffic.IngestAsync(w);

        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.CloseSessionsAndFlushAsync(KnownTraffic.AllSessionsIdle);

        await KnownTraffic.AssertDayTotalsAsync(w);
        var day = KnownTraffic.Day;
        // (page views, visitors, entries, exits)
        Assert.Equal((2, 1, 2, 1), await PageAsync(w, day, "/"));
        Assert.Equal((2, 2, 1, 2), await PageAsync(w, day, "/pricing"));
        Assert.Equal((1, 1, 1, 1), await PageAsync(w, day, "/blog"));
        Assert.Equal(5_000, (await w.StatsAsync(Granularity.Day, "page", day, "/pricing"))!["engaged_ms"]);
        Assert.Equal(1, (await w.StatsAsync(Granularity.Day, "event", day, "Signup"))!["events"]);
        Assert.Equal(1, (await w.StatsAsync(Granularity.Day, "event", day, "Download"))!["events"]);
        var google = (await w.StatsAsync(Granularity.Day, "source", day, "Google"))!;
        Assert.Equal((1, 2, 0, 120_000), (google["sessions"], google["pageviews"], google["bounces"], google["duration_ms"]));
        var direct = (await w.StatsAsync(Granularity.Day, "source", day, "Direct"))!;
        Assert.Equal((3, 3, 2, 60_000), (direct["sessions"], direct["pageviews"], direct["bounces"], direct["duration_ms"]));
        Assert.Equal(2, (await w.StatsAsync(Granularity.Day, "country", day, "DE"))!["sessions"]);

        var ten = (await w.StatsAsync(Granularity.Hour, "summary", "2026112010"))!;
        var eleven = (await w.StatsAsync(Granularity.Hour, "summary", "2026112011"))!;
        Assert.Equal((4, 3, 3), (ten["pageviews"], ten["sessions"], ten["visitors"]));
        Assert.Equal((1, 1, 1), (eleven["pageviews"], eleven["sessions"], eleven["visitors"]));
        Assert.Equal(KnownTraffic.Events(w).Count, await w.CountEventsAsync());
    }

    [Fact]
    public async Task Day_buckets_follow_the_site_time_zone()
    {
        // 2026-11-20 23:30 UTC is already 2026-11-21 in Tokyo.
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString, "Asia/Tokyo");
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromHours(13.5), "/"));

        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.CloseSessionsAndFlushAsync(TimeSpan.FromHours(15));

        Assert.Null(await w.StatsAsync(Granularity.Day, "summary", "2026-11-20"));
        Assert.Equal(1, (await w.StatsAsync(Granularity.Day, "summary", "2026-11-21"))!["pageviews"]);
        Assert.Equal(1, (await w.StatsAsync(Granularity.Hour, "summary", "2026112023"))!["pageviews"]);
    }

    [Fact]
    public async Task Open_sessions_count_at_once_and_their_bounce_is_booked_only_when_they_end()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.Zero, "/"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());

        await w.CloseSessionsAndFlushAsync(TimeSpan.FromMinutes(20));
        var open = (await w.StatsAsync(Granularity.Day, "summary", KnownTraffic.Day))!;
        Assert.Equal((1, 0), (open["sessions"], open.GetValueOrDefault("bounces")));

        await w.CloseSessionsAndFlushAsync(TimeSpan.FromMinutes(31));
        var closed = (await w.StatsAsync(Granularity.Day, "summary", KnownTraffic.Day))!;
        Assert.Equal((1, 1), (closed["sessions"], closed["bounces"]));
    }

    [Fact]
    public async Task Acknowledged_entries_are_trimmed_from_the_stream_and_unread_ones_are_kept()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        await KnownTraffic.IngestAsync(w);
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.IngestAsync(w.Event("page_view", "v9", "Z", TimeSpan.FromMinutes(80), "/late"));

        await w.Get<Jobs.StreamMaintenance>().ReportLagAndTrimAsync();

        var left = await w.Connection.GetDatabase().StreamRangeAsync(RedisKeys.EventsStream);
        Assert.InRange(left.Length, 1, 2);
        Assert.Contains(left, entry => entry[RedisKeys.StreamField].ToString().Contains("/late", StringComparison.Ordinal));
        Assert.Equal(1, w.Get<Health.AggregatorState>().Lag);
    }

    private static async Task<(long Pageviews, long Visitors, long Entries, long Exits)> PageAsync(AggregatorWorld w, string day, string path)
    {
        var page = (await w.StatsAsync(Granularity.Day, "page", day, path))!;
        return (page["pageviews"], page["visitors"], page.GetValueOrDefault("entries"), page.GetValueOrDefault("exits"));
    }
}
