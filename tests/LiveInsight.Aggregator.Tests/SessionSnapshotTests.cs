using Amazon.DynamoDBv2.Model;
using LiveInsight.Aggregator.Consumer;
using LiveInsight.Aggregator.Sessions;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;

namespace LiveInsight.Aggregator.Tests;

/// <summary>Open sessions reach the Sessions table once they have been seen for a minute, at most once a minute after
/// that; every session gets its final item at close.</summary>
[Collection(nameof(DynaliteCollection))]
public sealed class SessionSnapshotTests(DynaliteFixture dynalite)
{
    [Fact]
    public async Task A_session_shorter_than_a_minute_gets_only_its_final_item_and_a_longer_one_an_open_snapshot_a_minute_in()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        await w.IngestAsync(w.Event("page_view", "v1", "short", TimeSpan.Zero, "/"));
        await w.IngestAsync(w.Event("page_view", "v2", "long", TimeSpan.Zero, "/"));
        await w.IngestAsync(w.Event("page_view", "v2", "long", TimeSpan.FromMinutes(2), "/pricing"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        Assert.Null(await ItemAsync(w, "short"));
        Assert.Null(await ItemAsync(w, "long"));

        // A store on the world's clock: first seen now, written a minute later, not again within the next minute.
        var store = new SessionStore(w.Connection, w.Get<EventStore>(), w.Get<IOptions<StorageOptions>>(), w.Clock);
        await store.SnapshotAsync([(w.SiteId, "long")], CancellationToken.None);
        Assert.Null(await ItemAsync(w, "long"));
        w.Clock.Advance(SessionStore.OpenSnapshotInterval);
        await store.SnapshotAsync([(w.SiteId, "long")], CancellationToken.None);
        var open = await ItemAsync(w, "long");
        Assert.NotNull(open);
        Assert.True(open["is_active"].BOOL);
        Assert.Equal("2", open["page_count"].N);
        await w.Dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = w.TablePrefix + "Sessions", Key = Key(w, "long") });
        w.Clock.Advance(SessionStore.OpenSnapshotInterval / 2);
        await store.SnapshotAsync([(w.SiteId, "long")], CancellationToken.None);
        Assert.Null(await ItemAsync(w, "long"));

        await w.CloseSessionsAndFlushAsync(TimeSpan.FromMinutes(2 + 31));
        var final = await ItemAsync(w, "short");
        Assert.NotNull(final);
        Assert.False(final["is_active"].BOOL);
        Assert.True(final["bounce"].BOOL);
        var closed = await ItemAsync(w, "long");
        Assert.NotNull(closed);
        Assert.False(closed["is_active"].BOOL);
        Assert.Equal("120000", closed["duration_ms"].N);
    }

    private static Dictionary<string, AttributeValue> Key(AggregatorWorld w, string session) =>
        new() { ["site_id"] = new() { S = w.SiteId }, ["session_id"] = new() { S = session } };

    private static async Task<Dictionary<string, AttributeValue>?> ItemAsync(AggregatorWorld w, string session)
    {
        var response = await w.Dynamo.GetItemAsync(new GetItemRequest { TableName = w.TablePrefix + "Sessions", Key = Key(w, session), ConsistentRead = true });
        return response.Item is { Count: > 0 } item ? item : null;
    }
}
