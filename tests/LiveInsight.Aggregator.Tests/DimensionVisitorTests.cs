using System.IO.Hashing;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;
using StackExchange.Redis;
using F = LiveInsight.Core.Events.RedisKeys.SessionFields;
using StreamConsumer = LiveInsight.Aggregator.Consumer.StreamConsumer;

namespace LiveInsight.Aggregator.Tests;

/// <summary>Issue 16: unique visitors per dimension row (day sketches per value) and the entry page by smallest ts.</summary>
[Collection(nameof(DynaliteCollection))]
public sealed class DimensionVisitorTests(DynaliteFixture dynalite)
{
    private const string Day1 = "2026-11-20";
    private const string Day2 = "2026-11-21";

    /// <summary>
    /// Day 1: v1 has two sessions from Google and sends Signup twice; v2 comes from Bing, v3 directly (both DE, like v1).
    /// Day 2: v1 again and v4, both from Google; v2 sends Signup.
    /// </summary>
    private static async Task IngestTwoDaysAsync(AggregatorWorld w)
    {
        StreamEvent[] events =
        [
            w.Event("page_view", "v1", "A", TimeSpan.Zero, "/", source: "Google"),
            w.Event("custom", "v1", "A", TimeSpan.FromMinutes(1), "/", name: "Signup", source: "Google"),
            w.Event("custom", "v1", "A", TimeSpan.FromMinutes(2), "/", name: "Signup", source: "Google"),
            w.Event("page_view", "v1", "B", TimeSpan.FromHours(2), "/pricing", source: "Google"),
            w.Event("page_view", "v2", "C", TimeSpan.FromMinutes(5), "/", source: "Bing"),
            w.Event("page_view", "v3", "D", TimeSpan.FromMinutes(6), "/blog"),
            w.Event("page_view", "v1", "E", TimeSpan.FromHours(24), "/", source: "Google"),
            w.Event("page_view", "v4", "F", TimeSpan.FromHours(25), "/", source: "Google", country: "US"),
            w.Event("custom", "v2", "G", TimeSpan.FromHours(26), "/", name: "Signup", source: "Bing"),
        ];
        foreach (var e in events)
        {
            await w.IngestAsync(e);
        }
    }

    [Fact]
    public async Task Visitors_per_row_are_exact_for_a_day_and_a_union_over_two_days_in_redis_and_in_the_stats_table()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        await IngestTwoDaysAsync(w);
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());

        // Right after processing, from the Redis sketches (union over the two days by PFCOUNT of both keys).
        var fromRedis = new Func<string, string, string[], Task<long>>((dimension, value, days) => RedisVisitorsAsync(w, dimension, value, days));
        await AssertTwoDaysAsync(fromRedis);

        // After the flush, from the Stats items alone: the Redis hashes and sketches are gone.
        await w.FlushAsync();
        var server = w.Connection.GetServer(w.Connection.GetEndPoints()[0]);
        await w.Connection.GetDatabase().KeyDeleteAsync(server.Keys(pattern: $"li:{{{w.SiteId}}}:*").ToArray());
        var fromStats = new Func<string, string, string[], Task<long>>((dimension, value, days) => StoredVisitorsAsync(w, dimension, value, days));
        await AssertTwoDaysAsync(fromStats);

        var google = (await w.StatsAsync(Granularity.Day, RollupLayout.Source, Day1, "Google"))!;
        Assert.Equal((2, 1), (google["sessions"], google["visitors"]));
        var signup = (await w.StatsAsync(Granularity.Day, RollupLayout.Event, Day1, "Signup"))!;
        Assert.Equal((2, 1), (signup["events"], signup["visitors"]));
        // No hour sketches per value: hour items keep counters only.
        Assert.False((await w.StatsAsync(Granularity.Hour, RollupLayout.Source, "2026112010", "Google"))!.ContainsKey("visitors"));
    }

    private static async Task AssertTwoDaysAsync(Func<string, string, string[], Task<long>> visitors)
    {
        Assert.Equal(1, await visitors(RollupLayout.Source, "Google", [Day1]));
        Assert.Equal(1, await visitors(RollupLayout.Source, "Bing", [Day1]));
        Assert.Equal(1, await visitors(RollupLayout.Source, "Direct", [Day1]));
        Assert.Equal(2, await visitors(RollupLayout.Medium, "search", [Day1]));
        Assert.Equal(3, await visitors(RollupLayout.Country, "DE", [Day1]));
        Assert.Equal(3, await visitors(RollupLayout.Browser, "Chrome", [Day1]));
        Assert.Equal(1, await visitors(RollupLayout.Event, "Signup", [Day1]));
        Assert.Equal(2, await visitors(RollupLayout.Source, "Google", [Day2]));
        Assert.Equal(1, await visitors(RollupLayout.Event, "Signup", [Day2]));
        // {v1} ∪ {v1, v4} and {v1} ∪ {v2}: a union, not the sums 3 and 2… and {v1,v2,v3} ∪ {v1,v2} for Chrome.
        Assert.Equal(2, await visitors(RollupLayout.Source, "Google", [Day1, Day2]));
        Assert.Equal(2, await visitors(RollupLayout.Event, "Signup", [Day1, Day2]));
        Assert.Equal(3, await visitors(RollupLayout.Country, "DE", [Day1, Day2]));
        Assert.Equal(4, await visitors(RollupLayout.Device, "desktop", [Day1, Day2]));
        // v2's session on day 2 is a custom event from Bing: it started a session there, so Bing has v2 on both days.
        Assert.Equal(1, await visitors(RollupLayout.Source, "Bing", [Day1, Day2]));
    }

    [Fact]
    public async Task A_batch_redelivered_after_a_crash_books_each_visitor_once()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        await IngestTwoDaysAsync(w);
        var doomed = w.Get<Consumer.BatchProcessor>();
        doomed.AfterPersist = () => throw new InvalidOperationException("killed between persist and apply");
        await Assert.ThrowsAsync<InvalidOperationException>(() => w.Get<StreamConsumer>().RunOnceAsync(CancellationToken.None));

        var replacement = await w.StartHostAsync("replacement");
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>(replacement));
        doomed.AfterPersist = null;
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();

        var google = (await w.StatsAsync(Granularity.Day, RollupLayout.Source, Day1, "Google"))!;
        Assert.Equal((2, 1), (google["sessions"], google["visitors"]));
        var de = (await w.StatsAsync(Granularity.Day, RollupLayout.Country, Day1, "DE"))!;
        Assert.Equal((4, 3), (de["sessions"], de["visitors"]));
        Assert.Equal(1, (await w.StatsAsync(Granularity.Day, RollupLayout.Event, Day1, "Signup"))!["visitors"]);
        Assert.Equal(0, (await w.Connection.GetDatabase().StreamPendingAsync(RedisKeys.EventsStream, "aggregator")).PendingMessageCount);
    }

    [Fact]
    public async Task A_session_across_midnight_books_its_visitor_in_the_day_it_started_only()
    {
        // 14:50 UTC is 23:50 in Tokyo on 2026-11-20; 15:10 UTC is already the 21st there.
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString, "Asia/Tokyo");
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromMinutes(290), "/", source: "Google"));
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromMinutes(310), "/late", source: "Google"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();

        var started = (await w.StatsAsync(Granularity.Day, RollupLayout.Source, Day1, "Google"))!;
        Assert.Equal((1, 1), (started["sessions"], started["visitors"]));
        var next = (await w.StatsAsync(Granularity.Day, RollupLayout.Source, Day2, "Google"))!;
        Assert.Equal(1, next["pageviews"]);
        Assert.False(next.ContainsKey("sessions") || next.ContainsKey("visitors"));
    }

    [Fact]
    public async Task Page_views_arriving_out_of_order_make_the_earliest_the_entry_and_entries_sum_to_sessions()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        // Session S: /checkout (10:05) first, in a batch of its own, then /pricing (10:02) and / (10:00) in the next.
        // Session T: two page views with the same ts, the greater path first: the smaller path is the entry.
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromMinutes(5), "/checkout"));
        await w.IngestAsync(w.Event("page_view", "v2", "T", TimeSpan.FromMinutes(7), "/b"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        Assert.Equal(1, await EntriesAsync(w, "/checkout"));
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromMinutes(2), "/pricing"));
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.Zero, "/"));
        await w.IngestAsync(w.Event("page_view", "v2", "T", TimeSpan.FromMinutes(7), "/a"));
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromMinutes(9), "/thanks"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();

        Assert.Equal(1, await EntriesAsync(w, "/"));
        Assert.Equal(1, await EntriesAsync(w, "/a"));
        foreach (var path in new[] { "/checkout", "/pricing", "/thanks", "/b" })
        {
            Assert.Equal(0, await EntriesAsync(w, path));
        }

        var summary = (await w.StatsAsync(Granularity.Day, RollupLayout.Summary, Day1))!;
        Assert.Equal(summary["sessions"], await SumAsync(w, RollupLayout.Entries));
        Assert.Equal(summary["sessions"], await SumAsync(w, RollupLayout.Exits));
        Assert.Equal(1, (await w.StatsAsync(Granularity.Day, RollupLayout.Page, Day1, "/thanks"))!["exits"]);
        var session = await w.Connection.GetDatabase().HashGetAllAsync(RedisKeys.Session(w.SiteId, "S"));
        Assert.Equal("/", session.Single(h => h.Name == F.Entry).Value.ToString());
        Assert.Equal(AggregatorWorld.T0.ToUnixTimeMilliseconds(), (long)session.Single(h => h.Name == F.EntryTs).Value);
    }

    [Fact]
    public async Task An_entry_counted_as_other_keeps_its_real_path_and_an_earlier_admitted_page_takes_it_over()
    {
        // One page a day is admitted: /admitted arrives first, so /real is counted as "(other)" with its real path kept.
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString, maxValuesPerDay: 1);
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromMinutes(5), "/admitted"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromMinutes(2), "/real"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        var db = w.Connection.GetDatabase();
        var key = RedisKeys.Session(w.SiteId, "S");

        Assert.Equal(RollupLayout.Other, (string?)await db.HashGetAsync(key, F.Entry));
        Assert.Equal("/real", (string?)await db.HashGetAsync(key, F.RealPrefix + F.Entry));

        // An earlier view of the admitted page: the entry is itself again, and no real path is left behind.
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.Zero, "/admitted"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();

        Assert.Equal("/admitted", (string?)await db.HashGetAsync(key, F.Entry));
        Assert.False(await db.HashExistsAsync(key, F.RealPrefix + F.Entry));
        Assert.Equal(1, await EntriesAsync(w, "/admitted"));
        Assert.Equal(0, await EntriesAsync(w, RollupLayout.Other));
    }

    [Fact]
    public async Task A_session_opened_before_entry_ts_existed_has_its_entry_at_its_start()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var db = w.Connection.GetDatabase();
        var ts = AggregatorWorld.T0.ToUnixTimeMilliseconds();
        var hour = RollupLayout.RedisHash(w.SiteId, Granularity.Hour, "2026112010");
        var day = RollupLayout.RedisHash(w.SiteId, Granularity.Day, Day1);
        // As the script left it before entry_ts: entry "/" booked, start = its ts, no entry_ts.
        await db.HashSetAsync(RedisKeys.Session(w.SiteId, "S"),
        [
            new(F.Start, ts), new(F.Last, ts), new(F.Pages, 1), new(F.HourHash, hour), new(F.DayHash, day),
            new(F.Entry, "/"), new(F.Exit, "/"), new(F.ExitTs, ts), new(F.Live, 1),
        ]);
        foreach (var hash in new[] { hour, day })
        {
            await db.HashIncrementAsync(hash, RollupLayout.Field(RollupLayout.Summary, "", RollupLayout.Sessions));
            await db.HashIncrementAsync(hash, RollupLayout.Field(RollupLayout.Page, "/", RollupLayout.Entries));
            await db.HashIncrementAsync(hash, RollupLayout.Field(RollupLayout.Page, "/", RollupLayout.Exits));
        }

        // A later view leaves the entry alone; one a minute before the start takes it over.
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromMinutes(1), "/later"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        Assert.Equal("/", (string?)await db.HashGetAsync(RedisKeys.Session(w.SiteId, "S"), F.Entry));
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromMinutes(-1), "/earlier"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();

        Assert.Equal(0, await EntriesAsync(w, "/"));
        Assert.Equal(1, await EntriesAsync(w, "/earlier"));
        Assert.Equal(0, (await w.StatsAsync(Granularity.Hour, RollupLayout.Page, "2026112010", "/"))!["entries"]);
        Assert.Equal(1, (await w.StatsAsync(Granularity.Hour, RollupLayout.Page, "2026112010", "/earlier"))!["entries"]);
    }

    private static async Task<long> EntriesAsync(AggregatorWorld w, string path)
    {
        var field = RollupLayout.Field(RollupLayout.Page, path, RollupLayout.Entries);
        return (long)await w.Connection.GetDatabase().HashGetAsync(RollupLayout.RedisHash(w.SiteId, Granularity.Day, Day1), field);
    }

    private static async Task<long> SumAsync(AggregatorWorld w, string metric)
    {
        var hash = await w.Connection.GetDatabase().HashGetAllAsync(RollupLayout.RedisHash(w.SiteId, Granularity.Day, Day1));
        return hash.Select(h => RollupLayout.ParseField(h.Name!))
            .Zip(hash, (f, h) => f.Dimension == RollupLayout.Page && f.Metric == metric ? (long)h.Value : 0)
            .Sum();
    }

    private static Task<long> RedisVisitorsAsync(AggregatorWorld w, string dimension, string value, string[] days) =>
        w.Connection.GetDatabase().HyperLogLogLengthAsync(days.Select(d => (RedisKey)RollupLayout.ValueVisitorsHll(w.SiteId, d, dimension, value)).ToArray());

    /// <summary>The union of the stored day sketches (checked against their CRC-32), as the Api computes it.</summary>
    private static async Task<long> StoredVisitorsAsync(AggregatorWorld w, string dimension, string value, string[] days)
    {
        var db = w.Connection.GetDatabase();
        var keys = new List<RedisKey>();
        foreach (var day in days)
        {
            var item = (await w.Dynamo.GetItemAsync(new GetItemRequest
            {
                TableName = w.TablePrefix + "Stats",
                Key = new()
                {
                    ["pk"] = new AttributeValue { S = RollupLayout.StatsPartitionKey(w.SiteId, Granularity.Day, dimension) },
                    ["sk"] = new AttributeValue { S = RollupLayout.StatsSortKey(day, value) },
                },
            })).Item;
            var bytes = item["hll"].B.ToArray();
            Assert.Equal(uint.Parse(item["hll_crc32"].N, System.Globalization.CultureInfo.InvariantCulture), Crc32.HashToUInt32(bytes));
            var key = (RedisKey)$"test:sketch:{Guid.NewGuid():N}";
            await db.StringSetAsync(key, bytes);
            keys.Add(key);
        }

        var count = await db.HyperLogLogLengthAsync(keys.ToArray());
        await db.KeyDeleteAsync(keys.ToArray());
        return count;
    }
}
