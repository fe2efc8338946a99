using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Aggregator.Jobs;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Events;
using LiveInsight.Core.Lake;
using LiveInsight.Core.Lifecycle;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Stats;
using LiveInsight.Core.Storage;
using LiveInsight.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LiveInsight.Cluster.Tests;

/// <summary>Per-site retention enforced by the daily lifecycle job: with the clock moved forward, exactly the days before
/// the cutoff go (day and hour rollups, sessions, lake partitions, the days' Redis keys) and the rest stays; a site
/// that keeps everything is not touched; and the pass runs once a day.</summary>
[Collection(nameof(DynaliteCollection))]
public sealed class RetentionTests(DynaliteFixture dynalite)
{
    [Fact]
    public async Task Moving_the_clock_past_a_days_retention_deletes_exactly_the_older_days()
    {
        var lake = Path.Combine(Path.GetTempPath(), $"li-lake-{Guid.NewGuid():N}");
        await using var redis = Infrastructure.RedisServer();
        await redis.StartAsync();
        try
        {
            await using var world = await ShardedWorld.CreateAsync($"127.0.0.1:{redis.Port}", dynalite.Dynalite.Port, lakePath: lake);
            var (kept, forever) = (world.Sites[0], world.Sites[1]);
            var repository = world.Get<SiteRepository>();
            var site = (await repository.FindByIdAsync(kept, CancellationToken.None))!;
            Assert.Equal(SiteUpdate.Updated, await repository.UpdateAsync(site with { RetentionMonths = 6 }, CancellationToken.None));

            var today = DateOnly.FromDateTime(DateTime.UtcNow);
            var days = new[] { today.AddDays(-20), today.AddDays(-10), today };
            foreach (var id in new[] { kept, forever })
            {
                foreach (var day in days)
                {
                    await SeedDayAsync(world, lake, id, day);
                }
            }

            // Today: nothing is six months old.
            var first = await Job(world, DateTimeOffset.UtcNow).RunOnceAsync(CancellationToken.None);
            Assert.Equal(PurgeCounts.None, first?.Retention);
            Assert.Equal(days, await DaysHeldAsync(world, lake, kept));

            // Six months on from 15 days ago: the cutoff falls between the first day and the second.
            var later = new DateTimeOffset(today.AddDays(-15).AddMonths(6).ToDateTime(new TimeOnly(3, 0)), TimeSpan.Zero);
            var second = await Job(world, later).RunOnceAsync(CancellationToken.None);
            Assert.True(second?.Retention is { Items: > 0, LakeFiles: 1, RedisKeys: > 0 }, second?.Retention.Describe());
            Assert.Equal(days[1..], await DaysHeldAsync(world, lake, kept));
            Assert.Equal(days, await DaysHeldAsync(world, lake, forever));

            // Once a day: a second pass the same day does not run retention again.
            await SeedDayAsync(world, lake, kept, days[0]);
            Assert.Equal(PurgeCounts.None, (await Job(world, later.AddHours(1)).RunOnceAsync(CancellationToken.None))?.Retention);
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

    /// <summary>One site-day in every place retention looks: day and hour rollup items, a session last seen that day, a
    /// lake partition, and the day's sketch and rollup hash in Redis.</summary>
    private static async Task SeedDayAsync(ShardedWorld world, string lake, string siteId, DateOnly day)
    {
        var dynamo = world.Get<IAmazonDynamoDB>();
        var storage = world.Get<IOptions<StorageOptions>>().Value;
        var noon = new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero);
        var hour = RollupLayout.Bucket(Granularity.Hour, noon, TimeZoneInfo.Utc);
        await Put(dynamo, storage.TableName(Tables.Stats), RollupLayout.StatsPartitionKey(siteId, Granularity.Day, RollupLayout.Summary), RollupLayout.StatsSortKey(RollupLayout.DayBucket(day), ""));
        await Put(dynamo, storage.TableName(Tables.Stats), RollupLayout.StatsPartitionKey(siteId, Granularity.Day, RollupLayout.Page), RollupLayout.StatsSortKey(RollupLayout.DayBucket(day), "/p"));
        await Put(dynamo, storage.TableName(Tables.Stats), RollupLayout.StatsPartitionKey(siteId, Granularity.Hour, RollupLayout.Summary), RollupLayout.StatsSortKey(hour, ""));
        await dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = storage.TableName(Tables.Sessions),
            Item = new()
            {
                ["site_id"] = new() { S = siteId },
                ["session_id"] = new() { S = $"s{day:yyyyMMdd}" },
                ["last_seen"] = new() { N = noon.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) },
            },
        });
        var folder = LakeLayout.SitePartition(lake, siteId, day);
        Directory.CreateDirectory(folder);
        await File.WriteAllBytesAsync(Path.Combine(folder, LakeLayout.CompactFile), [1, 2, 3]);
        var db = world.Redis.GetDatabase();
        await db.HyperLogLogAddAsync(RedisKeys.DayVisitors(siteId, day), "v");
        await db.HashSetAsync(RollupLayout.RedisHash(siteId, Granularity.Day, RollupLayout.DayBucket(day)), "f", 1);
        await db.HashSetAsync(RollupLayout.RedisHash(siteId, Granularity.Hour, hour), "f", 1);
    }

    /// <summary>The days the site still holds in each place, which must all agree.</summary>
    private static async Task<DateOnly[]> DaysHeldAsync(ShardedWorld world, string lake, string siteId)
    {
        var dynamo = world.Get<IAmazonDynamoDB>();
        var storage = world.Get<IOptions<StorageOptions>>().Value;
        var db = world.Redis.GetDatabase();
        var held = new List<(string Where, DateOnly Day)>();
        foreach (var (granularity, dimension) in new[] { (Granularity.Day, RollupLayout.Summary), (Granularity.Day, RollupLayout.Page), (Granularity.Hour, RollupLayout.Summary) })
        {
            var items = (await dynamo.QueryAsync(new QueryRequest
            {
                TableName = storage.TableName(Tables.Stats),
                KeyConditionExpression = "pk = :pk",
                ExpressionAttributeValues = new() { [":pk"] = new() { S = RollupLayout.StatsPartitionKey(siteId, granularity, dimension) } },
            })).Items ?? [];
            held.AddRange(items.Select(i => ($"stats {granularity} {dimension}", granularity == Granularity.Day
                ? DateOnly.ParseExact(i["sk"].S[..10], "yyyy-MM-dd", CultureInfo.InvariantCulture)
                : DateOnly.ParseExact(i["sk"].S[..8], "yyyyMMdd", CultureInfo.InvariantCulture))));
        }

        var sessions = (await dynamo.QueryAsync(new QueryRequest
        {
            TableName = storage.TableName(Tables.Sessions),
            KeyConditionExpression = "site_id = :s",
            ExpressionAttributeValues = new() { [":s"] = new() { S = siteId } },
        })).Items ?? [];
        held.AddRange(sessions.Select(i => ("session", DateOnly.ParseExact(i["session_id"].S[1..], "yyyyMMdd", CultureInfo.InvariantCulture))));
        var siteFolder = Path.Combine(lake, LakeLayout.SiteKeyPrefix(siteId));
        if (Directory.Exists(siteFolder))
        {
            held.AddRange(Directory.GetDirectories(siteFolder).Select(d => ("lake", DateOnly.ParseExact(Path.GetFileName(d)[4..], "yyyy-MM-dd", CultureInfo.InvariantCulture))));
        }

        for (var day = DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-30); day <= DateOnly.FromDateTime(DateTime.UtcNow); day = day.AddDays(1))
        {
            if (await db.KeyExistsAsync(RedisKeys.DayVisitors(siteId, day)))
            {
                held.Add(("redis day sketch", day));
            }

            if (await db.KeyExistsAsync(RollupLayout.RedisHash(siteId, Granularity.Day, RollupLayout.DayBucket(day))))
            {
                held.Add(("redis day hash", day));
            }

            if (await db.KeyExistsAsync(RollupLayout.RedisHash(siteId, Granularity.Hour, RollupLayout.Bucket(Granularity.Hour,
                    new DateTimeOffset(day.ToDateTime(new TimeOnly(12, 0)), TimeSpan.Zero), TimeZoneInfo.Utc))))
            {
                held.Add(("redis hour hash", day));
            }
        }

        // Every place holds the same days (8 places), so one list of days says it all.
        var byDay = held.GroupBy(h => h.Day).OrderBy(g => g.Key).ToList();
        Assert.All(byDay, g => Assert.True(g.Count() == 8, $"{g.Key}: only in {string.Join(", ", g.Select(h => h.Where))}"));
        return byDay.Select(g => g.Key).ToArray();
    }

    private static Task Put(IAmazonDynamoDB dynamo, string table, string pk, string sk) =>
        dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = table,
            Item = new() { ["pk"] = new() { S = pk }, ["sk"] = new() { S = sk }, ["pageviews"] = new() { N = "1" } },
        });
}
