using Amazon.DynamoDBv2.Model;
using LiveInsight.Aggregator.Consumer;
using LiveInsight.Core.Stats;
using StackExchange.Redis;
using StreamConsumer = LiveInsight.Aggregator.Consumer.StreamConsumer;

namespace LiveInsight.Aggregator.Tests;

/// <summary>Issue 14: distinct values per dimension and site-day are capped; later new ones count under "(other)", so
/// what one key sends cannot grow the rollups, page sketches and Stats rows without bound.</summary>
[Collection(nameof(DynaliteCollection))]
public sealed class ValueCapTests(DynaliteFixture dynalite)
{
    private const int Cap = 100;
    private const string DayOne = "2026-11-20";
    private const string DayTwo = "2026-11-21";

    /// <summary>What the "(other)" row of a capped day may add over a day that exactly filled the cap: one page row and
    /// its sketch, one referrer row, in an hour and a day hash.</summary>
    private const long OtherRowsBytes = 16 * 1024;

    [Fact]
    public async Task Beyond_the_daily_cap_new_pages_and_referrers_count_under_other_and_a_days_memory_stops_growing()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString, maxValuesPerDay: Cap);
        for (var i = 0; i < Cap; i++)
        {
            await w.IngestAsync(View(w, "a", i, TimeSpan.FromSeconds(i)));
        }

        // The next day: thirty times as many distinct pages, referrers and sessions, from the same 20 visitors.
        for (var i = 0; i < 30 * Cap; i++)
        {
            await w.IngestAsync(View(w, "b", i, TimeSpan.FromDays(1) + TimeSpan.FromSeconds(i)));
        }

        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.CloseSessionsAndFlushAsync(TimeSpan.FromDays(1) + TimeSpan.FromHours(2));

        var db = w.Connection.GetDatabase();
        var one = Rows(await db.HashGetAllAsync(RollupLayout.RedisHash(w.SiteId, Granularity.Day, DayOne)));
        var two = Rows(await db.HashGetAllAsync(RollupLayout.RedisHash(w.SiteId, Granularity.Day, DayTwo)));
        Assert.Equal(Cap, one[RollupLayout.Page].Count);
        Assert.DoesNotContain(RollupLayout.Other, one[RollupLayout.Page]);
        Assert.Equal(Cap + 1, two[RollupLayout.Page].Count);
        Assert.Equal(Cap + 1, two[RollupLayout.Referrer].Count);
        Assert.Contains(RollupLayout.Other, two[RollupLayout.Page]);

        var other = (await w.StatsAsync(Granularity.Day, RollupLayout.Page, DayTwo, RollupLayout.Other))!;
        Assert.Equal((29 * Cap, 29 * Cap, 29 * Cap), (other["pageviews"], other["entries"], other["exits"]));
        Assert.Equal(20, other["visitors"]);
        var otherReferrers = (await w.StatsAsync(Granularity.Day, RollupLayout.Referrer, DayTwo, RollupLayout.Other))!;
        Assert.Equal((29 * Cap, 29 * Cap, 29 * Cap), (otherReferrers["sessions"], otherReferrers["pageviews"], otherReferrers["bounces"]));
        Assert.Equal(30 * Cap, (await w.StatsAsync(Granularity.Day, RollupLayout.Summary, DayTwo))!["pageviews"]);

        // Raw rows keep what was sent: every event and every session's real entry page and referrer.
        Assert.Equal(31 * Cap, await w.CountEventsAsync());
        var sessions = await SessionsAsync(w);
        Assert.Equal(31 * Cap, sessions.Count);
        Assert.DoesNotContain(sessions, s => s["entry_page"].S == RollupLayout.Other || s["exit_page"].S == RollupLayout.Other
            || s["referrer"].S == RollupLayout.Other);
        Assert.Equal(30 * Cap, sessions.Count(s => s["entry_page"].S.StartsWith("/b/", StringComparison.Ordinal)));

        // Thirty times the distinct input, about the same memory: the capped day holds one "(other)" row more.
        var memoryOne = await DayMemoryAsync(w, DayOne);
        var memoryTwo = await DayMemoryAsync(w, DayTwo);
        Assert.InRange(memoryTwo, 1, memoryOne + OtherRowsBytes);
    }

    [Fact]
    public async Task A_batch_redelivered_after_a_crash_keeps_the_choice_made_before_it_even_when_other_values_came_in_between()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString, maxValuesPerDay: Cap);
        for (var i = 0; i < 150; i++)
        {
            await w.IngestAsync(View(w, "a", i, TimeSpan.FromSeconds(i)));
        }

        var doomed = w.Get<BatchProcessor>();
        doomed.AfterPersist = () => throw new InvalidOperationException("killed after the cap decided, before the apply");
        await Assert.ThrowsAsync<InvalidOperationException>(() => w.Get<StreamConsumer>().RunOnceAsync(CancellationToken.None));

        // New pages arrive and are applied by a replica that does not take the dead one's entries over...
        for (var i = 0; i < 150; i++)
        {
            await w.IngestAsync(View(w, "z", i, TimeSpan.FromSeconds(200 + i)));
        }

        var patient = await w.StartHostAsync("patient", claimIdleSeconds: 3600);
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>(patient));
        // ...then a replacement takes the dead one's batch over and applies it.
        var replacement = await w.StartHostAsync("replacement");
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>(replacement));
        await w.CloseSessionsAndFlushAsync(TimeSpan.FromHours(2));

        var pages = Rows(await w.Connection.GetDatabase().HashGetAllAsync(RollupLayout.RedisHash(w.SiteId, Granularity.Day, DayOne)))[RollupLayout.Page];
        Assert.Equal(Cap, pages.Count(p => p.StartsWith("/a/", StringComparison.Ordinal)));
        Assert.DoesNotContain(pages, p => p.StartsWith("/z/", StringComparison.Ordinal));
        Assert.Equal(300 - Cap, (await w.StatsAsync(Granularity.Day, RollupLayout.Page, DayOne, RollupLayout.Other))!["pageviews"]);
        Assert.Equal(300, (await w.StatsAsync(Granularity.Day, RollupLayout.Summary, DayOne))!["pageviews"]);
    }

    /// <summary>A page view with its own page, referrer and session, from one of 20 visitors.</summary>
    private static Core.Events.StreamEvent View(AggregatorWorld w, string prefix, int i, TimeSpan at) =>
        w.Event("page_view", $"v{i % 20}", $"{prefix}{i}", at, $"/{prefix}/{i:D4}") with { ReferrerHost = $"{prefix}{i:D4}.example" };

    /// <summary>Dimension → its distinct values in one rollup hash.</summary>
    private static Dictionary<string, HashSet<string>> Rows(HashEntry[] hash) => hash
        .Select(e => RollupLayout.ParseField(e.Name.ToString()))
        .GroupBy(f => f.Dimension)
        .ToDictionary(g => g.Key, g => g.Select(f => f.Value).ToHashSet());

    private static async Task<List<Dictionary<string, AttributeValue>>> SessionsAsync(AggregatorWorld w)
    {
        var items = new List<Dictionary<string, AttributeValue>>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await w.Dynamo.ScanAsync(new ScanRequest { TableName = w.TablePrefix + "Sessions", ExclusiveStartKey = start });
            items.AddRange(page.Items);
            start = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (start is not null);

        return items;
    }

    /// <summary>Sum of <c>MEMORY USAGE</c> over the site's keys of one day (rollup hashes of the day and its hours,
    /// page sketches, admitted-value sets, visitor HyperLogLogs).</summary>
    private static async Task<long> DayMemoryAsync(AggregatorWorld w, string day)
    {
        var compact = day.Replace("-", "", StringComparison.Ordinal);
        var server = w.Connection.GetServers()[0];
        var db = w.Connection.GetDatabase();
        long total = 0;
        await foreach (var key in server.KeysAsync(pattern: $"li:{{{w.SiteId}}}:*", pageSize: 1000))
        {
            var name = key.ToString();
            if (name.Contains(day, StringComparison.Ordinal) || name.Contains(compact, StringComparison.Ordinal))
            {
                total += (long)(await db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0"));
            }
        }

        return total;
    }
}
