using LiveInsight.Aggregator.Lake;
using LiveInsight.Core.Events;
using LiveInsight.Testing;
using StackExchange.Redis;

namespace LiveInsight.Cluster.Tests;

/// <summary>The lake writer on N shards: one shard at a time in its buffer, every shard's <c>lake</c> group drained and
/// acknowledged only once its part files are on disk.</summary>
[Collection(nameof(DynaliteCollection))]
public sealed class ShardedLakeTests(DynaliteFixture dynalite)
{
    [Fact]
    public async Task The_lake_writer_takes_every_shard_in_turn_and_writes_each_sites_events_to_its_own_parts()
    {
        var lake = Path.Combine(Path.GetTempPath(), $"li-lake-{Guid.NewGuid():N}");
        await using var redis = Infrastructure.RedisServer();
        await redis.StartAsync();
        try
        {
            await using var world = await ShardedWorld.CreateAsync($"127.0.0.1:{redis.Port}", dynalite.Dynalite.Port, lakePath: lake);
            var writer = world.Get<LakeWriter>();
            await writer.EnsureGroupAsync();
            await world.IngestAsync(perSite: 4);

            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(40));
            var loop = Task.Run(() => writer.RunAsync(stop.Token));
            var db = world.Redis.GetDatabase();
            while (!stop.IsCancellationRequested && !await DrainedAsync(db))
            {
                await Task.Delay(100);
            }

            await stop.CancelAsync();
            await loop;
            Assert.True(await DrainedAsync(db), "some shard's lake group still has unread or unacknowledged entries");
            foreach (var site in world.Sites)
            {
                var parts = world.LakeFiles(writer.Root, site, "part-*.parquet"); // the events' days, not today's
                Assert.NotEmpty(parts);
                // Each part names its writer and shard: one buffer never mixes two shards' entry ids.
                Assert.All(parts, p => Assert.Contains($"-{RedisShards.Tag(RedisShards.Of(site))}", Path.GetFileName(p)));
            }
        }
        finally
        {
            if (Directory.Exists(lake))
            {
                Directory.Delete(lake, recursive: true);
            }
        }
    }

    private static async Task<bool> DrainedAsync(IDatabase db)
    {
        foreach (var shard in RedisShards.All)
        {
            var group = (await db.StreamGroupInfoAsync(RedisKeys.EventsStreamOf(shard))).Single(g => g.Name == LakeOptions.GroupName);
            if ((group.Lag ?? 1) > 0 || group.PendingMessageCount > 0)
            {
                return false;
            }
        }

        return true;
    }
}
