using LiveInsight.Core.Lake;
using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Aggregator.Jobs;
using LiveInsight.Aggregator.Lake;
using LiveInsight.Core.Alerts;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Events;
using LiveInsight.Core.Lifecycle;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Stats;
using LiveInsight.Core.Storage;
using LiveInsight.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace LiveInsight.Cluster.Tests;

/// <summary>
/// A site's deletion end to end, on N shards: events ingested through the Api's script and aggregated by the real
/// aggregator (rollups, raw events, sessions, the lake), then everything else a site gathers (goals, imports, alerts,
/// audit, members, invites, a share link, retired keys), then the deletion; afterwards Redis is scanned, every table
/// Scanned and the lake listed for the site's id, and nothing may be left. The other sites keep every count.
/// </summary>
[Collection(nameof(DynaliteCollection))]
public sealed class SiteDeletionTests(DynaliteFixture dynalite)
{
    /// <param name="cluster">On a Redis Cluster (3 primaries, each with a replica): the keys are SCANned on every
    /// primary and UNLINKed per slot.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_deleted_site_leaves_no_key_item_or_file_with_its_id_and_the_other_sites_keep_theirs(bool cluster)
    {
        var lake = Path.Combine(Path.GetTempPath(), $"li-lake-{Guid.NewGuid():N}");
        await using var redis = Infrastructure.RedisServer();
        await using var nodes = cluster ? await RedisCluster.StartAsync() : null;
        if (!cluster)
        {
            await redis.StartAsync();
        }

        try
        {
            await using var world = await ShardedWorld.CreateAsync(nodes?.ConnectionString ?? $"127.0.0.1:{redis.Port}", dynalite.Dynalite.Port, lakePath: lake);
            var victim = world.Sites[0];
            await FillAsync(world, lake);
            await AddEverythingElseAsync(world, victim);
            Assert.True((await LeftoversAsync(world, victim, lake)).Count >= 10, "the site's data is not where the scan looks");

            var repository = world.Get<SiteRepository>();
            var marked = await repository.MarkDeletingAsync(victim, DateTimeOffset.UtcNow, CancellationToken.None);
            var counts = await world.Get<SitePurge>().DeleteDataAsync(marked!, CancellationToken.None);
            Assert.True(counts.RedisKeys > 0 && counts.Items > 0 && counts.LakeFiles > 0, counts.Describe());
            // Only the mark is left until the final sweep (every leftover named in full if not).
            var left = await LeftoversAsync(world, victim, lake);
            Assert.True(left.SequenceEqual(["Sites: " + victim]), string.Join("\n", left));

            var pass = await Job(world, DateTimeOffset.UtcNow + SitePurge.FinalSweepAfter + TimeSpan.FromSeconds(1)).RunOnceAsync(CancellationToken.None);
            Assert.Equal(1, pass?.DeletionsFinished);
            left = await LeftoversAsync(world, victim, lake);
            Assert.True(left.Count == 0, string.Join("\n", left));

            foreach (var other in world.Sites.Skip(1))
            {
                Assert.Equal(world.Written[other], await world.PageviewsAsync(other));
                Assert.NotNull(await repository.FindByIdAsync(other, CancellationToken.None));
                Assert.NotEmpty(world.LakeFiles(lake, other)); // the events' days, not today's
            }

            var audit = await world.Get<AuditLog>().ListAsync(AuditLog.Installation, 10, CancellationToken.None);
            Assert.Contains(audit, e => e.Action == AuditActions.SiteDeleted && e.Target == victim);
        }
        finally
        {
            if (Directory.Exists(lake))
            {
                Directory.Delete(lake, recursive: true);
            }
        }
    }

    [Fact]
    public async Task A_deletion_that_crashed_half_way_keeps_the_mark_and_the_lifecycle_job_finishes_it()
    {
        var lake = Path.Combine(Path.GetTempPath(), $"li-lake-{Guid.NewGuid():N}");
        await using var redis = Infrastructure.RedisServer();
        await redis.StartAsync();
        try
        {
            await using var world = await ShardedWorld.CreateAsync($"127.0.0.1:{redis.Port}", dynalite.Dynalite.Port, lakePath: lake);
            var victim = world.Sites[0];
            await FillAsync(world, lake);
            await AddEverythingElseAsync(world, victim);
            var repository = world.Get<SiteRepository>();
            var purge = world.Get<SitePurge>();

            var marked = await repository.MarkDeletingAsync(victim, DateTimeOffset.UtcNow, CancellationToken.None);
            purge.AfterStep = step => step == "sessions" ? throw new IOException("the process died here") : Task.CompletedTask;
            await Assert.ThrowsAsync<IOException>(() => purge.DeleteDataAsync(marked!, CancellationToken.None));
            purge.AfterStep = null;

            // Half done: Redis and the rollups are gone, the rest is still there, and the site answers as deleted.
            var left = await LeftoversAsync(world, victim, lake);
            Assert.DoesNotContain(left, l => l.StartsWith("redis", StringComparison.Ordinal) || l.StartsWith("Stats", StringComparison.Ordinal));
            Assert.Contains(left, l => l.StartsWith("Events", StringComparison.Ordinal));
            Assert.Contains(left, l => l.StartsWith("lake", StringComparison.Ordinal));
            Assert.Null(await repository.FindByIdAsync(victim, CancellationToken.None));
            Assert.NotNull((await repository.FindAnyByIdAsync(victim, CancellationToken.None))?.DeletingSince);

            // Before the final sweep's time the job leaves it; after it, the job finishes everything.
            Assert.Equal(0, (await Job(world, DateTimeOffset.UtcNow).RunOnceAsync(CancellationToken.None))?.DeletionsFinished);
            Assert.Equal(1, (await Job(world, DateTimeOffset.UtcNow + TimeSpan.FromMinutes(5)).RunOnceAsync(CancellationToken.None))?.DeletionsFinished);
            Assert.Empty(await LeftoversAsync(world, victim, lake));
        }
        finally
        {
            if (Directory.Exists(lake))
            {
                Directory.Delete(lake, recursive: true);
            }
        }
    }

    private static SiteLifecycleJob Job(ShardedWorld world, DateTimeOffset now) => new(
        world.Redis, world.Get<SiteRepository>(), world.Get<SitePurge>(), world.Get<AuditLog>(), new FakeTimeProvider(now),
        NullLogger<SiteLifecycleJob>.Instance);

    /// <summary>Events for every site through the ingestion script, aggregated (raw events, rollups flushed to the Stats
    /// table, session snapshots) and written to the lake.</summary>
    private static async Task FillAsync(ShardedWorld world, string lake)
    {
        var writer = world.Get<LakeWriter>();
        await writer.EnsureGroupAsync();
        await world.IngestAsync(perSite: 5);
        await world.AggregateAsync();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(40));
        var loop = Task.Run(() => writer.RunAsync(stop.Token));
        var db = world.Redis.GetDatabase();
        while (!stop.IsCancellationRequested && !await LakeDrainedAsync(db))
        {
            await Task.Delay(100);
        }

        await stop.CancelAsync();
        await loop;
        Assert.NotEmpty(world.LakeFiles(lake, world.Sites[0])); // the events' days, not today's

        // Compacted, so the days also have their day sums (LakeDaySums), which deletion must take too.
        await world.Get<LakeCompactor>().CompactAsync(CancellationToken.None);
        Assert.True(Directory.Exists(Path.Combine(lake, LakeDaySums.SiteKeyPrefix(world.Sites[0]))), "no day sums were written");
    }

    private static async Task<bool> LakeDrainedAsync(IDatabase db)
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

    /// <summary>What a site gathers beside its events, each where its own code puts it.</summary>
    private static async Task AddEverythingElseAsync(ShardedWorld world, string siteId)
    {
        var repository = world.Get<SiteRepository>();
        var dynamo = world.Get<IAmazonDynamoDB>();
        var storage = world.Get<IOptions<StorageOptions>>().Value;
        var site = (await repository.FindByIdAsync(siteId, CancellationToken.None))!;
        Assert.Equal(SiteUpdate.Updated, await repository.UpdateAsync(site with
        {
            Goals = [new Goal("g1", "page", "Pricing", "/pricing", null, null, null)],
            RetiredKeys = [new RetiredKey(site.PublicKey, site.SecretKeyHash, DateTimeOffset.UtcNow.AddDays(1))],
        }, CancellationToken.None));
        await repository.RetireKeysAsync(site, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);

        // An import: its record and an imported day.
        await Put(dynamo, storage.TableName(Tables.Stats), ("pk", ImportLayout.RecordsPartitionKey(siteId)), ("sk", "imp1"));
        await Put(dynamo, storage.TableName(Tables.Stats), ("pk", RollupLayout.StatsPartitionKey(siteId, Granularity.Day, RollupLayout.Summary)),
            ("sk", RollupLayout.StatsSortKey("2025-01-01", "")), (ImportLayout.ImportIdAttribute, "imp1"));
        await Put(dynamo, storage.TableName(Tables.Alerts), ("site_id", siteId), ("sk", "rule#r1"));
        await world.Get<AuditLog>().WriteAsync(
            new AuditEntry(siteId, DateTimeOffset.UtcNow, "owner@example.com", AuditActions.GoalCreate, null, "Pricing", "127.0.0.0"), CancellationToken.None);

        // The Dashboard's Users table: a member (whose other site stays), an invite, a share link.
        var users = storage.TableName(Tables.Users);
        await dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = users,
            Item = new()
            {
                ["email"] = new() { S = $"owner-{Guid.NewGuid():N}@example.com" },
                ["password_hash"] = new() { S = "x" },
                ["sites"] = new() { M = new() { [siteId] = new() { S = "owner" }, [world.Sites[1]] = new() { S = "viewer" } } },
            },
        });
        await Put(dynamo, users, ("email", $"#invite:{Guid.NewGuid():N}"), ("site_id", siteId));
        await Put(dynamo, users, ("email", $"share#{Guid.NewGuid():N}"), ("site_id", siteId));
        await Put(dynamo, users, ("email", UsersTableKeys.SiteShareLink(siteId)), ("token_hash", "h"));

        await world.Redis.GetDatabase().StringSetAsync(AlertKeys.LastActivity(siteId), "1");
    }

    /// <summary>Everything that still names the site: Redis keys and members of the shared sets, any item of any table
    /// with the id in a key, attribute value or map key (the installation audit log's record of the deletion aside),
    /// and lake files or folders.</summary>
    private static async Task<List<string>> LeftoversAsync(ShardedWorld world, string siteId, string lake)
    {
        var found = new List<string>();
        var db = world.Redis.GetDatabase();
        foreach (var server in world.Redis.GetServers())
        {
            // The primaries as each node says it is now (ROLE), not as the client last saw them: on a loaded machine the
            // cluster may fail a stalled primary over (3 s node timeout), and the demoted node keeps its old keys until
            // its resync from the new primary ends. Replicas hold what their primary holds; the primaries are the data.
            var role = await RoleAsync(server);
            if (role == "slave")
            {
                continue;
            }

            var where = $"on {server.EndPoint} ({role})";
            await foreach (var key in server.KeysAsync(pattern: "*"))
            {
                var type = await db.KeyTypeAsync(key);
                if (key.ToString().Contains(siteId, StringComparison.Ordinal))
                {
                    found.Add($"redis key {key} {where}");
                }
                else if (type == RedisType.Set && (await db.SetMembersAsync(key)).Any(m => m.ToString().Contains(siteId, StringComparison.Ordinal)))
                {
                    found.Add($"redis set member of {key} {where}");
                }
                else if (type == RedisType.SortedSet && (await db.SortedSetRangeByRankAsync(key)).Any(m => m.ToString().Contains(siteId, StringComparison.Ordinal)))
                {
                    found.Add($"redis sorted set member of {key} {where}");
                }
            }
        }

        var dynamo = world.Get<IAmazonDynamoDB>();
        var storage = world.Get<IOptions<StorageOptions>>().Value;
        foreach (var table in Tables.All)
        {
            Dictionary<string, AttributeValue>? start = null;
            do
            {
                var page = await dynamo.ScanAsync(new ScanRequest { TableName = storage.TableName(table), ExclusiveStartKey = start });
                foreach (var item in page.Items ?? [])
                {
                    if (table == Tables.Audit && item["site_id"].S == AuditLog.Installation)
                    {
                        continue;
                    }

                    if (item.Any(pair => Names(pair.Value, siteId)))
                    {
                        found.Add($"{table.LogicalName}: {item[table.PartitionKey.Name].S}");
                    }
                }

                start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
            }
            while (start is not null);
        }

        if (Directory.Exists(lake))
        {
            found.AddRange(Directory.EnumerateFileSystemEntries(lake, "*", SearchOption.AllDirectories)
                .Where(p => p.Contains(siteId, StringComparison.Ordinal))
                .Select(p => "lake " + p));
        }

        return found;
    }

    private static async Task<string> RoleAsync(IServer server)
    {
        try
        {
            return ((RedisResult[])(await server.ExecuteAsync("ROLE"))!)[0].ToString();
        }
        catch (RedisException e)
        {
            return e.GetType().Name;
        }
    }

    private static bool Names(AttributeValue value, string siteId) =>
        (value.S?.Contains(siteId, StringComparison.Ordinal) ?? false)
        || (value.M is { } map && map.Any(p => p.Key.Contains(siteId, StringComparison.Ordinal) || Names(p.Value, siteId)))
        || (value.L is { } list && list.Any(v => Names(v, siteId)));

    private static Task Put(IAmazonDynamoDB dynamo, string table, params (string Name, string Value)[] attributes) =>
        dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = table,
            Item = attributes.ToDictionary(a => a.Name, a => new AttributeValue { S = a.Value }),
        });
}
