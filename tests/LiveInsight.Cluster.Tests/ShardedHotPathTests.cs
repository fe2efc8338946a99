using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;
using LiveInsight.Testing;

namespace LiveInsight.Cluster.Tests;

/// <summary>
/// The sharded hot path (issue 24) end to end: the ingestion script and the aggregator's batches on N = 3 shards, on a
/// single redis-server and on a real Redis Cluster of three primaries, including a primary killed mid-traffic.
/// Counts must come out exact: nothing lost, nothing counted twice.
/// </summary>
[Collection(nameof(DynaliteCollection))]
public sealed class ShardedHotPathTests(DynaliteFixture dynalite)
{
    [Fact]
    public async Task Three_shards_on_one_redis_server_ingest_and_aggregate_exactly()
    {
        await using var redis = Infrastructure.RedisServer();
        await redis.StartAsync();
        await using var world = await ShardedWorld.CreateAsync($"127.0.0.1:{redis.Port}", dynalite.Dynalite.Port);

        await world.IngestAsync(perSite: 5);
        await world.IngestAsync(perSite: 3);
        await world.AggregateAsync();

        await AssertExactAsync(world);
        // One stream per shard, each holding only its own sites' events.
        var db = world.Redis.GetDatabase();
        foreach (var shard in RedisShards.All)
        {
            var sites = world.Sites.Where(s => RedisShards.Of(s) == shard).ToList();
            Assert.NotEmpty(sites);
            Assert.Equal(sites.Sum(s => world.Written[s]), await db.StreamLengthAsync(RedisKeys.EventsStreamOf(shard)));
        }

        Assert.False(await db.KeyExistsAsync(RedisKeys.EventsStream)); // the single-shard stream is not used
    }

    [Fact]
    public async Task Three_shards_on_a_redis_cluster_ingest_and_aggregate_exactly_with_each_shards_keys_in_one_slot()
    {
        await using var cluster = await RedisCluster.StartAsync();
        await using var world = await ShardedWorld.CreateAsync(cluster.ConnectionString, dynalite.Dynalite.Port);

        await world.IngestAsync(perSite: 5);
        await world.AggregateAsync();

        await AssertExactAsync(world);
        // The shards' streams are spread over the primaries (so is the load), and a site's keys sit in its stream's slot.
        var primaries = new HashSet<int>();
        foreach (var shard in RedisShards.All)
        {
            primaries.Add((await cluster.PrimaryOfAsync(RedisKeys.EventsStreamOf(shard))).Port);
        }

        Assert.True(primaries.Count > 1, "every shard landed on one primary");
        foreach (var site in world.Sites)
        {
            var slot = world.Redis.HashSlot(RedisKeys.EventsStreamFor(site));
            Assert.Equal(slot, world.Redis.HashSlot(RedisKeys.RealtimeVisitors(site)));
            Assert.Equal(slot, world.Redis.HashSlot(RollupLayout.RedisHash(site, Granularity.Day, "2026-11-30")));
            Assert.Equal(slot, world.Redis.HashSlot(RedisKeys.Session(site, "x")));
        }
    }

    [Fact]
    public async Task A_killed_primary_is_replaced_by_its_replica_and_no_event_is_lost_or_counted_twice()
    {
        await using var cluster = await RedisCluster.StartAsync();
        await using var world = await ShardedWorld.CreateAsync(cluster.ConnectionString, dynalite.Dynalite.Port);
        await world.IngestAsync(perSite: 4);
        await world.AggregateAsync();

        // Ingested but not yet aggregated when the shard's primary dies: the stream entries must survive on the replica.
        await world.IngestAsync(perSite: 6);
        var victim = await cluster.PrimaryOfAsync(RedisKeys.EventsStreamOf(0));
        await RedisCluster.WaitForReplicasAsync(victim);
        await victim.StopAsync();
        await cluster.WaitForFailoverAsync(victim);

        await world.IngestAsync(perSite: 2);
        await world.AggregateAsync();

        await AssertExactAsync(world);
        Assert.Equal(world.Sites.Count * 12L, world.Written.Values.Sum());
    }

    private static async Task AssertExactAsync(ShardedWorld world)
    {
        foreach (var site in world.Sites)
        {
            Assert.Equal(world.Written[site], await world.PageviewsAsync(site));
        }

        Assert.Equal(0, await world.PendingAsync());
    }
}
