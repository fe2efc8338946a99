using System.Text;
using LiveInsight.Aggregator.Consumer;
using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;

namespace LiveInsight.Aggregator.Tests;

/// <summary>Time on page, scroll depth and custom event props, as the tracker sends them (issue 16).</summary>
[Collection(nameof(DynaliteCollection))]
public sealed class EngagementTests(DynaliteFixture dynalite)
{
    private const string Day = "2026-11-20";
    private const string Hour = "2026112010";

    /// <summary>
    /// Page /a: a view hidden three times (10 + 5 + 3 s, deepest scroll 40 then 80 then still 80), a view hidden
    /// once (6 s, 30 %), a view that never reported; page /b: a view hidden twice (4 + 2 s, 100 %).
    /// So /a = 24 s over 2 reporting views = 12 s, scroll (80 + 30) / 2 = 55 %; /b = 6 s, 100 %;
    /// the site = 30 s / 3 = 10 s, (80 + 30 + 100) / 3 = 70 %.
    /// </summary>
    private static IReadOnlyList<StreamEvent> Known(AggregatorWorld w) =>
    [
        w.Event("page_view", "v1", "S1", TimeSpan.FromMinutes(0), "/a"),
        Engage(w, "v1", "S1", 1, "/a", 10_000, 40, null),
        Engage(w, "v1", "S1", 2, "/a", 5_000, 80, 40),
        Engage(w, "v1", "S1", 3, "/a", 3_000, 80, 80),
        w.Event("page_view", "v2", "S2", TimeSpan.FromMinutes(4), "/a"),
        Engage(w, "v2", "S2", 5, "/a", 6_000, 30, null),
        w.Event("page_view", "v3", "S3", TimeSpan.FromMinutes(6), "/a"),
        w.Event("page_view", "v1", "S1", TimeSpan.FromMinutes(7), "/b"),
        Engage(w, "v1", "S1", 8, "/b", 4_000, 100, null),
        Engage(w, "v1", "S1", 9, "/b", 2_000, 100, 100),
    ];

    private static StreamEvent Engage(AggregatorWorld w, string visitor, string session, int minute, string path, long ms, int depth, int? previous) =>
        w.Event("engagement", visitor, session, TimeSpan.FromMinutes(minute), path, engagedMs: ms) with
        {
            ScrollDepth = depth,
            PreviousScrollDepth = previous,
        };

    [Fact]
    public async Task Known_engagement_gives_exact_time_on_page_and_scroll_depth_in_redis_and_in_the_stats_table()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        foreach (var e in Known(w))
        {
            await w.IngestAsync(e);
        }

        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());

        // Right after the aggregator applied them: the Redis hashes (hour and day).
        foreach (var (granularity, bucket) in new[] { (Granularity.Day, Day), (Granularity.Hour, Hour) })
        {
            var hash = RollupLayout.RedisHash(w.SiteId, granularity, bucket);
            Assert.Equal((24_000, 2, 110, 2), await EngagementInRedisAsync(w, hash, RollupLayout.Page, "/a"));
            Assert.Equal((6_000, 1, 100, 1), await EngagementInRedisAsync(w, hash, RollupLayout.Page, "/b"));
            Assert.Equal((30_000, 3, 210, 3), await EngagementInRedisAsync(w, hash, RollupLayout.Summary, ""));
        }

        // The Stats table holds the same numbers once flushed, so they outlive the hashes.
        await w.FlushAsync();
        await w.Connection.GetDatabase().KeyDeleteAsync(RollupLayout.RedisHash(w.SiteId, Granularity.Day, Day));
        Assert.Equal((24_000, 2, 110, 2), Engagement(await w.StatsAsync(Granularity.Day, RollupLayout.Page, Day, "/a")));
        Assert.Equal((6_000, 1, 100, 1), Engagement(await w.StatsAsync(Granularity.Day, RollupLayout.Page, Day, "/b")));
        Assert.Equal((30_000, 3, 210, 3), Engagement(await w.StatsAsync(Granularity.Day, RollupLayout.Summary, Day)));
        Assert.Equal((30_000, 3, 210, 3), Engagement(await w.StatsAsync(Granularity.Hour, RollupLayout.Summary, Hour)));
    }

    [Fact]
    public async Task Engagement_redelivered_after_a_crash_is_booked_once()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var known = Known(w);
        foreach (var e in known.Take(4))
        {
            await w.IngestAsync(e);
        }

        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        foreach (var e in known.Skip(4))
        {
            await w.IngestAsync(e);
        }

        var doomed = w.Get<BatchProcessor>();
        doomed.AfterPersist = () => throw new InvalidOperationException("killed between persist and apply");
        await Assert.ThrowsAsync<InvalidOperationException>(() => w.Get<StreamConsumer>().RunOnceAsync(CancellationToken.None));

        var replacement = await w.StartHostAsync("replacement");
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>(replacement));
        doomed.AfterPersist = null;
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>(replacement));
        await w.FlushAsync();

        Assert.Equal((24_000, 2, 110, 2), Engagement(await w.StatsAsync(Granularity.Day, RollupLayout.Page, Day, "/a")));
        Assert.Equal((30_000, 3, 210, 3), Engagement(await w.StatsAsync(Granularity.Day, RollupLayout.Summary, Day)));
        Assert.Equal(0, (await w.Connection.GetDatabase().StreamPendingAsync(RedisKeys.EventsStream, "aggregator")).PendingMessageCount);
    }

    [Fact]
    public async Task Custom_event_props_are_counted_per_event_key_and_value_and_a_long_value_is_cut_in_bytes()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var huge = "<script>alert(1)</script>" + string.Concat(Enumerable.Repeat("語", 600));
        foreach (var (name, sent) in new (string, Dictionary<string, string>)[]
                 {
                     ("Signup", new() { ["plan"] = "pro", ["ref"] = "news|letter" }),
                     ("Signup", new() { ["plan"] = "pro" }),
                     ("Signup", new() { ["plan"] = "free", ["note"] = huge }),
                     ("Download", new() { ["plan"] = "pro" }),
                 })
        {
            await w.IngestAsync(w.Event("custom", "v1", "S1", TimeSpan.FromMinutes(1), "/", name: name) with { Props = sent });
        }

        await w.IngestAsync(w.Event("page_view", "v1", "S1", TimeSpan.FromMinutes(2), "/") with { Props = new() { ["plan"] = "page" } });
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();

        async Task<long> Count(string name, string key, string value) =>
            (await w.StatsAsync(Granularity.Day, RollupLayout.Prop, Day, RollupLayout.PropValue(name, key, value)))?[RollupLayout.Events] ?? 0;

        Assert.Equal(2, await Count("Signup", "plan", "pro"));
        Assert.Equal(1, await Count("Signup", "plan", "free"));
        Assert.Equal(1, await Count("Signup", "ref", "news|letter"));
        Assert.Equal(1, await Count("Download", "plan", "pro"));
        Assert.Equal(0, await Count("Download", "plan", "free"));

        var hash = await w.Connection.GetDatabase().HashGetAllAsync(RollupLayout.RedisHash(w.SiteId, Granularity.Day, Day));
        var props = hash.Select(h => RollupLayout.ParseField(h.Name!)).Where(f => f.Dimension == RollupLayout.Prop).ToList();
        Assert.Equal(5, props.Count); // nothing from the page view
        var note = Assert.Single(props, p => RollupLayout.ParsePropValue(p.Value)!.Value.Key == "note");
        Assert.True(Encoding.UTF8.GetByteCount(note.Value) <= RollupLayout.MaxValueBytes);
        var parsed = RollupLayout.ParsePropValue(note.Value)!.Value;
        Assert.Equal("Signup", parsed.EventName);
        Assert.StartsWith("<script>alert(1)</script>語語", parsed.Value, StringComparison.Ordinal);
        Assert.True(parsed.Value.Length < huge.Length);
        Assert.Equal(1, await Count("Signup", "note", parsed.Value));
    }

    [Fact]
    public void A_prop_value_keeps_name_key_and_value_apart_even_with_a_separator_inside()
    {
        var value = RollupLayout.PropValue("a\u001Fb", "k", "v\u001Fw|x");
        Assert.Equal(("a\uFFFDb", "k", "v\uFFFDw|x"), RollupLayout.ParsePropValue(value));
        Assert.Null(RollupLayout.ParsePropValue(RollupLayout.Other));
    }

    private static async Task<(long, long, long, long)> EngagementInRedisAsync(AggregatorWorld w, string hash, string dimension, string value)
    {
        var db = w.Connection.GetDatabase();
        async Task<long> Get(string metric) => (long?)await db.HashGetAsync(hash, RollupLayout.Field(dimension, value, metric)) ?? 0;
        return (await Get(RollupLayout.EngagedMs), await Get(RollupLayout.EngagedViews), await Get(RollupLayout.ScrollSum), await Get(RollupLayout.ScrollViews));
    }

    private static (long, long, long, long) Engagement(Dictionary<string, long>? item)
    {
        Assert.NotNull(item);
        return (item.GetValueOrDefault(RollupLayout.EngagedMs), item.GetValueOrDefault(RollupLayout.EngagedViews),
            item.GetValueOrDefault(RollupLayout.ScrollSum), item.GetValueOrDefault(RollupLayout.ScrollViews));
    }
}
