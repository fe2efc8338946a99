using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Stats;
using StreamConsumer = LiveInsight.Aggregator.Consumer.StreamConsumer;

namespace LiveInsight.Aggregator.Tests;

/// <summary>Issue 22: the flusher is a writer of settled days too when an event arrives late (a backlog): writing the
/// summary of a day old enough to be merged into a summary week puts a new epoch for the site (<see cref="SummaryWeeks"/>),
/// so no week merged from the day before is served; flushing a recent day does not.</summary>
[Collection(nameof(DynaliteCollection))]
public sealed class SummaryEpochFlushTests(DynaliteFixture dynalite)
{
    [Fact]
    public async Task Flushing_a_settled_days_summary_puts_a_new_epoch_and_a_recent_day_does_not()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        // The flusher runs on the real clock: "now" is a recent day; the world's T0 is days before it.
        var now = DateTimeOffset.UtcNow - AggregatorWorld.T0;
        await w.IngestAsync(w.Event("page_view", "v1", "A", now, "/"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();
        var recent = await EpochAsync(w);

        await w.IngestAsync(w.Event("page_view", "v2", "B", TimeSpan.Zero, "/late"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();
        var late = await EpochAsync(w);
        await w.IngestAsync(w.Event("page_view", "v3", "C", TimeSpan.FromMinutes(1), "/later"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.FlushAsync();
        var later = await EpochAsync(w);

        Assert.True(SummaryWeeks.FlushInvalidates(DateOnly.FromDateTime(AggregatorWorld.T0.UtcDateTime), DateTimeOffset.UtcNow),
            "the world's T0 is a settled day");
        Assert.Equal("", recent);
        Assert.NotEqual("", late);
        Assert.NotEqual(late, later);
    }

    private static async Task<string> EpochAsync(AggregatorWorld w) =>
        SummaryWeeks.EpochOf((await w.Dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = w.TablePrefix + "Stats",
            Key = SummaryWeeks.Key(w.SiteId, SummaryWeeks.EpochSortKey),
            ConsistentRead = true,
        })).Item is { Count: > 0 } item ? item : null);
}
