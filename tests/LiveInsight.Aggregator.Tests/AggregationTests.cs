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

        // Exact as soon as the events are applied, without waiting for any session to end…
        await w.FlushAsync();
        await AssertKnownDayAsync(w);

        // …and closing the sessions changes none of it.
        await w.CloseSessionsAndFlushAsync(KnownTraffic.AllSessionsIdle);
        await AssertKnownDayAsync(w);
        Assert.Equal(0, await w.Connection.GetDatabase().SortedSetLengthAsync(RedisKeys.OpenSessions));
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
    public async Task A_new_session_is_a_bounce_at_once_and_its_second_page_takes_the_bounce_back_and_moves_the_exit()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.Zero, "/"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();

        Assert.Equal((1, 1, 0), await SessionMetricsAsync(w, Granularity.Day, "summary", KnownTraffic.Day));
        Assert.Equal((1, 1, 0), await SessionMetricsAsync(w, Granularity.Day, "country", KnownTraffic.Day, "DE"));
        Assert.Equal(1, (await w.StatsAsync(Granularity.Day, "page", KnownTraffic.Day, "/"))!["exits"]);

        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromMinutes(3), "/pricing"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();

        Assert.Equal((1, 0, 180_000), await SessionMetricsAsync(w, Granularity.Day, "summary", KnownTraffic.Day));
        Assert.Equal((1, 0, 180_000), await SessionMetricsAsync(w, Granularity.Hour, "browser", "2026112010", "Chrome"));
        Assert.Equal(0, (await w.StatsAsync(Granularity.Day, "page", KnownTraffic.Day, "/"))!["exits"]);
        Assert.Equal(1, (await w.StatsAsync(Granularity.Day, "page", KnownTraffic.Day, "/pricing"))!["exits"]);
    }

    [Fact]
    public async Task A_custom_event_takes_back_the_bounce_of_a_one_page_session_at_once()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.Zero, "/"));
        await w.IngestAsync(w.Event("custom", "v1", "S", TimeSpan.FromSeconds(40), "/", name: "Signup"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();

        Assert.Equal((1, 0, 40_000), await SessionMetricsAsync(w, Granularity.Day, "summary", KnownTraffic.Day));
        Assert.Equal(1, (await w.StatsAsync(Granularity.Day, "page", KnownTraffic.Day, "/"))!["exits"]);
    }

    [Fact]
    public async Task A_non_interactive_custom_event_is_counted_but_leaves_a_one_page_session_a_bounce()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.Zero, "/"));
        await w.IngestAsync(w.Event("custom", "v1", "S", TimeSpan.FromSeconds(40), "/", name: "Video played") with { NonInteractive = true });
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();

        Assert.Equal((1, 1, 40_000), await SessionMetricsAsync(w, Granularity.Day, "summary", KnownTraffic.Day));
        Assert.Equal(1, (await w.StatsAsync(Granularity.Day, "event", KnownTraffic.Day, "Video played"))!["events"]);
    }

    [Fact]
    public async Task Page_views_that_arrive_in_reverse_order_give_the_same_bounce_duration_and_exit()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        // The later page view is applied first, in a batch of its own, then the earlier two.
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromMinutes(5), "/checkout"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromMinutes(2), "/pricing"));
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.Zero, "/"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();

        Assert.Equal((1, 0, 300_000), await SessionMetricsAsync(w, Granularity.Day, "summary", KnownTraffic.Day));
        Assert.Equal(1, (await w.StatsAsync(Granularity.Day, "page", KnownTraffic.Day, "/checkout"))!["exits"]);
        Assert.Equal(0, (await w.StatsAsync(Granularity.Day, "page", KnownTraffic.Day, "/pricing"))!.GetValueOrDefault("exits"));
        Assert.Equal(0, (await w.StatsAsync(Granularity.Day, "page", KnownTraffic.Day, "/"))!.GetValueOrDefault("exits"));
    }

    [Fact]
    public async Task A_session_across_midnight_in_the_site_time_zone_stays_booked_on_the_day_it_started()
    {
        // 14:50 UTC is 23:50 in Tokyo on 2026-11-20; 15:10 UTC is 00:10 on 2026-11-21 there (and another UTC hour).
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString, "Asia/Tokyo");
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromMinutes(290), "/"));
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromMinutes(310), "/late"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();

        Assert.Equal((1, 0, 1_200_000), await SessionMetricsAsync(w, Granularity.Day, "summary", "2026-11-20"));
        Assert.Equal((1, 0, 1_200_000), await SessionMetricsAsync(w, Granularity.Hour, "summary", "2026112014"));
        Assert.Equal((1, 0, 1_200_000), await SessionMetricsAsync(w, Granularity.Day, "source", "2026-11-20", "Direct"));
        Assert.Equal(1, (await w.StatsAsync(Granularity.Day, "page", "2026-11-20", "/late"))!["exits"]);
        var nextDay = (await w.StatsAsync(Granularity.Day, "summary", "2026-11-21"))!;
        Assert.Equal((1, 0, 0, 0), (nextDay["pageviews"], nextDay.GetValueOrDefault("sessions"), nextDay.GetValueOrDefault("bounces"), nextDay.GetValueOrDefault("duration_ms")));
        Assert.Equal(0, (await w.StatsAsync(Granularity.Day, "page", "2026-11-21", "/late"))!.GetValueOrDefault("exits"));
        Assert.Equal(0, (await w.StatsAsync(Granularity.Hour, "summary", "2026112015"))!.GetValueOrDefault("duration_ms"));

        await w.CloseSessionsAndFlushAsync(TimeSpan.FromHours(6));
        Assert.Equal((1, 0, 1_200_000), await SessionMetricsAsync(w, Granularity.Day, "summary", "2026-11-20"));
    }

    [Theory]
    [InlineData(false, 1, 0, "/")]
    [InlineData(true, 0, 60_000, "/pricing")]
    public async Task A_session_opened_before_live_booking_is_booked_whole_once_whether_it_ends_untouched_or_gets_another_page(
        bool touchedAfterUpgrade, long bounces, long durationMs, string exit)
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        await LeaveSessionAsAnOlderAggregatorDidAsync(w, "S", "/");
        if (touchedAfterUpgrade)
        {
            await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromMinutes(1), "/pricing"));
            await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        }

        await w.CloseSessionsAndFlushAsync(TimeSpan.FromMinutes(40));

        Assert.Equal((1, bounces, durationMs), await SessionMetricsAsync(w, Granularity.Day, "summary", KnownTraffic.Day));
        Assert.Equal((1, bounces, durationMs), await SessionMetricsAsync(w, Granularity.Day, "country", KnownTraffic.Day, "DE"));
        Assert.Equal(1, (await w.StatsAsync(Granularity.Day, "page", KnownTraffic.Day, exit))!["exits"]);
        Assert.Equal(touchedAfterUpgrade ? 0 : 1, (await w.StatsAsync(Granularity.Day, "page", KnownTraffic.Day, "/"))!.GetValueOrDefault("exits"));
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

    /// <summary>Sessions, bounces and duration of the known day: summary, per hour, per page (entries, exits) and per
    /// dimension row.</summary>
    private static async Task AssertKnownDayAsync(AggregatorWorld w)
    {
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
        Assert.Equal((1, 2, 0, 120_000), (google["sessions"], google["pageviews"], google.GetValueOrDefault("bounces"), google["duration_ms"]));
        var direct = (await w.StatsAsync(Granularity.Day, "source", day, "Direct"))!;
        Assert.Equal((3, 3, 2, 60_000), (direct["sessions"], direct["pageviews"], direct["bounces"], direct["duration_ms"]));
        Assert.Equal((2, 1, 120_000), await SessionMetricsAsync(w, Granularity.Day, "country", day, "DE"));
        Assert.Equal((1, 1, 0), await SessionMetricsAsync(w, Granularity.Day, "country", day, "US"));
        Assert.Equal((1, 0, 60_000), await SessionMetricsAsync(w, Granularity.Day, "country", day, "FR"));

        var ten = (await w.StatsAsync(Granularity.Hour, "summary", "2026112010"))!;
        var eleven = (await w.StatsAsync(Granularity.Hour, "summary", "2026112011"))!;
        Assert.Equal((4, 3, 3), (ten["pageviews"], ten["sessions"], ten["visitors"]));
        Assert.Equal((1, 1, 1), (eleven["pageviews"], eleven["sessions"], eleven["visitors"]));
        Assert.Equal((3, 1, 180_000), await SessionMetricsAsync(w, Granularity.Hour, "summary", "2026112010"));
        Assert.Equal((1, 1, 0), await SessionMetricsAsync(w, Granularity.Hour, "summary", "2026112011"));
        Assert.Equal((2, 1, 60_000), await SessionMetricsAsync(w, Granularity.Hour, "source", "2026112010", "Direct"));
    }

    /// <summary>A one-page session as the apply script left it before live booking: counted (sessions, entry), its hash
    /// without the <see cref="RedisKeys.SessionFields.Live"/> flag, and no bounce, duration or exit in the rollups.</summary>
    private static async Task LeaveSessionAsAnOlderAggregatorDidAsync(AggregatorWorld w, string sessionId, string path)
    {
        var db = w.Connection.GetDatabase();
        var ts = AggregatorWorld.T0.ToUnixTimeMilliseconds();
        var hour = RollupLayout.RedisHash(w.SiteId, Granularity.Hour, "2026112010");
        var day = RollupLayout.RedisHash(w.SiteId, Granularity.Day, KnownTraffic.Day);
        await db.HashSetAsync(RedisKeys.Session(w.SiteId, sessionId),
        [
            new(RedisKeys.SessionFields.Start, ts), new(RedisKeys.SessionFields.Last, ts), new(RedisKeys.SessionFields.Pages, 1),
            new(RedisKeys.SessionFields.HourHash, hour), new(RedisKeys.SessionFields.DayHash, day),
            new(RedisKeys.SessionFields.Entry, path), new(RedisKeys.SessionFields.Exit, path),
            new(RedisKeys.SessionFields.DimensionPrefix + RollupLayout.Country, "DE"),
        ]);
        foreach (var hash in new[] { hour, day })
        {
            await db.HashIncrementAsync(hash, RollupLayout.Field(RollupLayout.Summary, "", RollupLayout.Sessions));
            await db.HashIncrementAsync(hash, RollupLayout.Field(RollupLayout.Country, "DE", RollupLayout.Sessions));
            await db.HashIncrementAsync(hash, RollupLayout.Field(RollupLayout.Page, path, RollupLayout.Entries));
            await db.SetAddAsync(RollupLayout.DirtySet, hash);
        }

        await db.SortedSetAddAsync(RedisKeys.OpenSessions, RedisKeys.OpenSessionMember(w.SiteId, sessionId), ts);
    }

    /// <summary>(sessions, bounces, duration_ms) of one Stats item; a metric never booked reads 0.</summary>
    private static async Task<(long Sessions, long Bounces, long DurationMs)> SessionMetricsAsync(
        AggregatorWorld w, Granularity granularity, string dimension, string bucket, string value = "")
    {
        var item = (await w.StatsAsync(granularity, dimension, bucket, value))!;
        return (item.GetValueOrDefault("sessions"), item.GetValueOrDefault("bounces"), item.GetValueOrDefault("duration_ms"));
    }

    private static async Task<(long Pageviews, long Visitors, long Entries, long Exits)> PageAsync(AggregatorWorld w, string day, string path)
    {
        var page = (await w.StatsAsync(Granularity.Day, "page", day, path))!;
        return (page["pageviews"], page["visitors"], page.GetValueOrDefault("entries"), page.GetValueOrDefault("exits"));
    }
}
