using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Stats;
using StreamConsumer = LiveInsight.Aggregator.Consumer.StreamConsumer;

namespace LiveInsight.Aggregator.Tests;

/// <summary>Issue 22: the flusher writes each flushed day's pack of every dimension from the same items as its rows,
/// and rewrites it when the day changes, so the pack always holds exactly the rows (values, numbers, sketches).</summary>
[Collection(nameof(DynaliteCollection))]
public sealed class DayPackFlushTests(DynaliteFixture dynalite)
{
    private const string Day1 = "2026-11-20";
    private const string Day2 = "2026-11-21";

    [Fact]
    public async Task Every_flushed_day_has_a_pack_equal_to_its_rows_also_after_the_day_changes()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        foreach (var e in new[]
        {
            w.Event("page_view", "v1", "A", TimeSpan.Zero, "/", source: "Google"),
            w.Event("custom", "v1", "A", TimeSpan.FromMinutes(1), "/", name: "Signup", source: "Google"),
            w.Event("page_view", "v2", "C", TimeSpan.FromMinutes(5), "/pricing", source: "Bing"),
            w.Event("page_view", "v4", "F", TimeSpan.FromHours(25), "/", source: "Google", country: "US"),
        })
        {
            await w.IngestAsync(e);
        }

        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();
        var first = await AssertPacksEqualRowsAsync(w);

        // Day 1 changes after its pack was written: a new page and another view of "/" on it.
        await w.IngestAsync(w.Event("page_view", "v5", "H", TimeSpan.FromMinutes(30), "/late", source: "Bing"));
        await w.IngestAsync(w.Event("page_view", "v6", "I", TimeSpan.FromMinutes(31), "/", source: "Google"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();
        var second = await AssertPacksEqualRowsAsync(w);

        Assert.Contains((RollupLayout.Page, Day1, "/"), first.Keys);
        Assert.Contains((RollupLayout.Source, Day2, "Google"), first.Keys);
        Assert.DoesNotContain((RollupLayout.Page, Day1, "/late"), first.Keys);
        Assert.Contains((RollupLayout.Page, Day1, "/late"), second.Keys);
        Assert.True(second[(RollupLayout.Page, Day1, "/")] > first[(RollupLayout.Page, Day1, "/")]);
    }

    /// <summary>Compares every packed day with its rows; returns pageviews (or events) per (dimension, day, value).</summary>
    private static async Task<Dictionary<(string, string, string), long>> AssertPacksEqualRowsAsync(AggregatorWorld w)
    {
        var seen = new Dictionary<(string, string, string), long>();
        foreach (var dimension in ImportLayout.Dimensions.Where(DayPacks.Packed))
        {
            var rows = await QueryAsync(w, RollupLayout.StatsPartitionKey(w.SiteId, Granularity.Day, dimension));
            var packs = DayPacks.Complete(await QueryAsync(w, DayPacks.PartitionKey(w.SiteId, dimension)), withSketches: true);
            var rowDays = rows.GroupBy(r => r["bucket"].S).ToDictionary(g => g.Key, g => g.ToList());
            Assert.Equal(rowDays.Keys.Order(), packs.Keys.Order());
            foreach (var (day, dayRows) in rowDays)
            {
                var packed = packs[day].ToDictionary(r => r.Value);
                Assert.Equal(dayRows.Select(r => r["value"].S).Order(), packed.Keys.Order());
                foreach (var row in dayRows)
                {
                    var p = packed[row["value"].S];
                    var numbers = row.Where(a => a.Value.N is not null && a.Key != "hll_crc32")
                        .ToDictionary(a => a.Key, a => long.Parse(a.Value.N, System.Globalization.CultureInfo.InvariantCulture));
                    Assert.Equal(numbers.OrderBy(n => n.Key), p.Numbers.OrderBy(n => n.Key));
                    Assert.Equal(row.TryGetValue("hll", out var hll) ? hll.B.ToArray() : null, p.Sketch);
                    seen[(dimension, day, row["value"].S)] = numbers.GetValueOrDefault(RollupLayout.Pageviews) + numbers.GetValueOrDefault(RollupLayout.Events);
                }
            }
        }

        return seen;
    }

    private static async Task<List<Dictionary<string, AttributeValue>>> QueryAsync(AggregatorWorld w, string pk) =>
        (await w.Dynamo.QueryAsync(new QueryRequest
        {
            TableName = w.TablePrefix + "Stats",
            KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new() { [":pk"] = new() { S = pk } },
        })).Items ?? [];
}
