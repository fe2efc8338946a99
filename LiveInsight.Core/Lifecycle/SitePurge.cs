using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Lake;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Stats;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;

namespace LiveInsight.Core.Lifecycle;

/// <summary>What one purge removed, for the answer, the audit line and the bench.</summary>
public sealed record PurgeCounts(long RedisKeys, long Items, long LakeFiles)
{
    public static readonly PurgeCounts None = new(0, 0, 0);

    public static PurgeCounts operator +(PurgeCounts a, PurgeCounts b) =>
        new(a.RedisKeys + b.RedisKeys, a.Items + b.Items, a.LakeFiles + b.LakeFiles);

    public string Describe() => string.Create(CultureInfo.InvariantCulture, $"redis_keys={RedisKeys} items={Items} lake_files={LakeFiles}");
}

/// <summary>
/// Removes a site's data from every store, in an order that is safe to repeat: the site is marked first
/// (<see cref="SiteRepository.MarkDeletingAsync"/>: ingestion refuses its events, reads do not find it), then Redis (so
/// the flusher has nothing left to copy back), then the DynamoDB tables keyed by the site, then the lake, and the
/// record itself last. Each step only deletes what is there, so a crash leaves the mark and the next run (a repeated
/// request, or <c>Aggregator/Jobs/SiteLifecycleJob</c>) finishes it. The same steps, limited to days, serve erasure
/// of a period and retention; limited to stats, a reset.
/// </summary>
public sealed class SitePurge(
    SiteRepository sites, SiteRedisData redis, DynamoDeletes deletes, IOptions<StorageOptions> storage, ILakeStore? lake)
{
    /// <summary>Test seam: runs after each named step (<c>redis</c>, <c>stats</c>, <c>sessions</c>, …), so a test can
    /// crash the deletion between two steps.</summary>
    public Func<string, Task>? AfterStep { get; set; }

    /// <summary>How long after the mark the record may go. Until then the purge runs again (the lifecycle job's final
    /// sweep), so events other replicas took while their one-minute site cache still knew the site are removed too.</summary>
    public static readonly TimeSpan FinalSweepAfter = TimeSpan.FromMinutes(2);

    private string Table(TableDefinition table) => storage.Value.TableName(table);

    /// <summary>Everything of a site marked as deleting, except the mark itself (<see cref="FinishAsync"/>).</summary>
    public async Task<PurgeCounts> DeleteDataAsync(Site site, CancellationToken cancellationToken)
    {
        if (site.DeletingSince is null)
        {
            throw new InvalidOperationException("A site is purged only once it is marked as deleting.");
        }

        var id = site.SiteId;
        var keys = await redis.RemoveAsync(id, remove: null, sharedMembers: true, cancellationToken);
        await Step("redis");
        var items = await DeleteStatsAsync(id, cancellationToken);
        await Step("stats");
        items += await deletes.DeleteQueriedAsync(ByPartition(Tables.Sessions, "site_id", id), ["site_id", "session_id"], cancellationToken);
        await Step("sessions");
        items += await DeleteEventsAsync(site, EventDays(site), cancellationToken);
        await Step("events");
        items += await deletes.DeleteQueriedAsync(ByPartition(Tables.Alerts, "site_id", id), ["site_id", "sk"], cancellationToken);
        items += await deletes.DeleteQueriedAsync(ByPartition(Tables.Audit, "site_id", id), ["site_id", "sk"], cancellationToken);
        await Step("alerts");
        items += await DeleteMembershipsAsync(id, cancellationToken);
        await Step("members");
        var files = await DeleteLakeAsync(id, day => true, cancellationToken);
        await Step("lake");
        var aliases = await sites.AliasIdsOfAsync(id, cancellationToken);
        await deletes.DeleteAsync(Table(Tables.Sites),
            aliases.Select(a => new Dictionary<string, AttributeValue> { ["site_id"] = new() { S = a } }).ToList(), cancellationToken);
        items += aliases.Count;
        await Step("keys");
        return new PurgeCounts(keys, items, files);
    }

    /// <summary>The last step: the site's record (with its settings, goals and keys) goes.</summary>
    public async Task FinishAsync(string siteId, CancellationToken cancellationToken)
    {
        await sites.DeleteMarkedAsync(siteId, cancellationToken);
        await Step("record");
    }

    /// <summary>Every stat of the site (rollups, imports, sessions, raw events, the lake, Redis), keeping the site,
    /// its settings, keys, goals, alerts and members.</summary>
    public async Task<PurgeCounts> ResetStatsAsync(Site site, CancellationToken cancellationToken)
    {
        var keys = await redis.RemoveAsync(site.SiteId, key => SiteRedisData.IsStat(site.SiteId, key), sharedMembers: true, cancellationToken);
        var items = await DeleteStatsAsync(site.SiteId, cancellationToken);
        await NewSummaryEpochAsync(site.SiteId, cancellationToken);
        items += await deletes.DeleteQueriedAsync(ByPartition(Tables.Sessions, "site_id", site.SiteId), ["site_id", "session_id"], cancellationToken);
        items += await DeleteEventsAsync(site, EventDays(site), cancellationToken);
        var files = await DeleteLakeAsync(site.SiteId, _ => true, cancellationToken);
        return new PurgeCounts(keys, items, files);
    }

    /// <summary>The site-local days <paramref name="from"/>..<paramref name="to"/> (inclusive): day and hour rollups
    /// (imported days too), sessions last seen in them, raw events, lake partitions and the days' Redis keys.</summary>
    public async Task<PurgeCounts> EraseDaysAsync(Site site, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var zone = SiteTimeZones.Of(site.TimeZone);
        var (start, end) = (StartOf(from, zone), StartOf(to.AddDays(1), zone));
        var keys = await redis.RemoveAsync(site.SiteId,
            key => SiteRedisData.DayOf(site.SiteId, key, zone) is { } day && day >= from && day <= to, sharedMembers: false, cancellationToken);
        var items = await DeleteStatsRangeAsync(site.SiteId, RollupLayout.DayBucket(from), RollupLayout.DayBucket(to.AddDays(1)),
            HourBucket(start), HourBucket(end), cancellationToken);
        items += await DeleteSummaryWeeksAsync(site.SiteId, SummaryWeeks.WeekOf(from), SummaryWeeks.WeekOf(to), cancellationToken);
        items += await DeleteSessionsAsync(site.SiteId, start, end, cancellationToken);
        var days = Enumerable.Range(0, to.DayNumber - from.DayNumber + 1).Select(from.AddDays);
        items += await DeleteEventsAsync(site, days, cancellationToken);
        var files = await DeleteLakeAsync(site.SiteId, day => day >= from && day <= to, cancellationToken);
        return new PurgeCounts(keys, items, files);
    }

    /// <summary>Retention: every day before <paramref name="firstKept"/> of rollups, sessions, the lake and Redis; raw
    /// DynamoDB events are left to their own short TTL.</summary>
    public async Task<PurgeCounts> DeleteBeforeAsync(Site site, DateOnly firstKept, CancellationToken cancellationToken)
    {
        var zone = SiteTimeZones.Of(site.TimeZone);
        var cut = StartOf(firstKept, zone);
        var keys = await redis.RemoveAsync(site.SiteId,
            key => SiteRedisData.DayOf(site.SiteId, key, zone) is { } day && day < firstKept, sharedMembers: false, cancellationToken);
        var items = await DeleteStatsRangeAsync(site.SiteId, "", RollupLayout.DayBucket(firstKept), "", HourBucket(cut), cancellationToken);
        items += await DeleteSummaryWeeksAsync(site.SiteId, null, SummaryWeeks.WeekOf(firstKept.AddDays(-1)), cancellationToken);
        items += await DeleteSessionsAsync(site.SiteId, DateTimeOffset.UnixEpoch, cut, cancellationToken);
        var files = await DeleteLakeAsync(site.SiteId, day => day < firstKept, cancellationToken);
        return new PurgeCounts(keys, items, files);
    }

    /// <summary>Every rollup partition of the site (both granularities, every dimension) and its import records.</summary>
    private async Task<long> DeleteStatsAsync(string siteId, CancellationToken cancellationToken)
    {
        long items = 0;
        foreach (var pk in StatsPartitions(siteId).Append(ImportLayout.RecordsPartitionKey(siteId)))
        {
            items += await deletes.DeleteQueriedAsync(ByPartition(Tables.Stats, "pk", pk), ["pk", "sk"], cancellationToken);
        }

        return items;
    }

    /// <summary>Day items with a sort key in [dayFrom, dayTo) and hour items in [hourFrom, hourTo) (an empty lower
    /// bound: from the first). Sort keys are <c>{bucket}#{value}</c>, and no key is a bare bucket, so a bucket as the
    /// exclusive upper end of BETWEEN never matches an item.</summary>
    private async Task<long> DeleteStatsRangeAsync(
        string siteId, string dayFrom, string dayTo, string hourFrom, string hourTo, CancellationToken cancellationToken)
    {
        long items = 0;
        var ranges = new[] { (Granularity.Day, dayFrom, dayTo), (Granularity.Hour, hourFrom, hourTo) }
            .SelectMany(r => ImportLayout.Dimensions.Select(d => (Pk: RollupLayout.StatsPartitionKey(siteId, r.Item1, d), From: r.Item2, To: r.Item3)))
            .Concat(DayPackPartitions(siteId).Select(pk => (Pk: pk, From: dayFrom, To: dayTo)));
        foreach (var (pk, from, to) in ranges)
        {
            var query = new QueryRequest
            {
                TableName = Table(Tables.Stats),
                KeyConditionExpression = from.Length == 0 ? "pk = :pk AND sk < :to" : "pk = :pk AND sk BETWEEN :from AND :to",
                ExpressionAttributeValues = new()
                {
                    [":pk"] = new() { S = pk },
                    [":to"] = new() { S = to },
                },
            };
            if (from.Length > 0)
            {
                query.ExpressionAttributeValues[":from"] = new() { S = from };
            }

            items += await deletes.DeleteQueriedAsync(query, ["pk", "sk"], cancellationToken);
        }

        return items;
    }

    private static IEnumerable<string> StatsPartitions(string siteId) =>
        new[] { Granularity.Hour, Granularity.Day }.SelectMany(g => ImportLayout.Dimensions.Select(d => RollupLayout.StatsPartitionKey(siteId, g, d)))
            .Concat(DayPackPartitions(siteId))
            .Append(SummaryWeeks.PartitionKey(siteId));

    /// <summary>The summary weeks (<see cref="SummaryWeeks"/>) with a Monday from <paramref name="from"/> (null: the
    /// first) to <paramref name="to"/>, inclusive, then a new epoch for the site: the days changed first, so a week
    /// a reader builds meanwhile from the old days carries the old epoch and is never served.</summary>
    private async Task<long> DeleteSummaryWeeksAsync(string siteId, DateOnly? from, DateOnly to, CancellationToken cancellationToken)
    {
        var query = new QueryRequest
        {
            TableName = Table(Tables.Stats),
            KeyConditionExpression = from is null ? "pk = :pk AND sk <= :to" : "pk = :pk AND sk BETWEEN :from AND :to",
            ExpressionAttributeValues = new()
            {
                [":pk"] = new() { S = SummaryWeeks.PartitionKey(siteId) },
                [":to"] = new() { S = SummaryWeeks.SortKey(to) },
            },
        };
        if (from is { } first)
        {
            query.ExpressionAttributeValues[":from"] = new() { S = SummaryWeeks.SortKey(first) };
        }

        var items = await deletes.DeleteQueriedAsync(query, ["pk", "sk"], cancellationToken);
        await NewSummaryEpochAsync(siteId, cancellationToken);
        return items;
    }

    /// <summary>A new random epoch for the site's summary weeks (after a reset deleted the partition too, so an epoch
    /// a reader read before can never come back).</summary>
    private Task NewSummaryEpochAsync(string siteId, CancellationToken cancellationToken) =>
        deletes.Client.PutItemAsync(new PutItemRequest { TableName = Table(Tables.Stats), Item = SummaryWeeks.EpochItem(siteId) }, cancellationToken);

    /// <summary>The partitions of the site's day packs (<see cref="DayPacks"/>: sort keys <c>{day}#{part}</c>, erased with their days).</summary>
    private static IEnumerable<string> DayPackPartitions(string siteId) =>
        ImportLayout.Dimensions.Where(DayPacks.Packed).Select(d => DayPacks.PartitionKey(siteId, d));

    /// <summary>Sessions last seen in [start, end) (the Sessions table's <c>last_seen-index</c>).</summary>
    private Task<long> DeleteSessionsAsync(string siteId, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken) =>
        deletes.DeleteQueriedAsync(new QueryRequest
        {
            TableName = Table(Tables.Sessions),
            IndexName = "last_seen-index",
            KeyConditionExpression = "site_id = :s AND last_seen BETWEEN :from AND :to",
            ExpressionAttributeValues = new()
            {
                [":s"] = new() { S = siteId },
                [":from"] = new() { N = start.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) },
                [":to"] = new() { N = (end.ToUnixTimeMilliseconds() - 1).ToString(CultureInfo.InvariantCulture) },
            },
        }, ["site_id", "session_id"], cancellationToken);

    /// <summary>Raw events of the given site-local days (the Events table's <c>site_day-index</c>, one Query a day).</summary>
    private async Task<long> DeleteEventsAsync(Site site, IEnumerable<DateOnly> days, CancellationToken cancellationToken)
    {
        long items = 0;
        foreach (var day in days)
        {
            items += await deletes.DeleteQueriedAsync(new QueryRequest
            {
                TableName = Table(Tables.Events),
                IndexName = "site_day-index",
                KeyConditionExpression = "site_day = :d",
                ExpressionAttributeValues = new() { [":d"] = new() { S = $"{site.SiteId}#{RollupLayout.DayBucket(day)}" } },
            }, ["pk", "sk"], cancellationToken);
        }

        return items;
    }

    /// <summary>Every day a raw event of the site can be filed under: from two days before it was created (events may
    /// carry a slightly earlier time) to tomorrow in any zone.</summary>
    private static IEnumerable<DateOnly> EventDays(Site site)
    {
        var first = DateOnly.FromDateTime(site.CreatedAt.UtcDateTime).AddDays(-2);
        var last = DateOnly.FromDateTime((site.DeletingSince ?? DateTimeOffset.UtcNow).UtcDateTime).AddDays(2);
        return Enumerable.Range(0, Math.Max(0, last.DayNumber - first.DayNumber + 1)).Select(first.AddDays);
    }

    /// <summary>The Users table holds a site's members (the <c>sites</c> map of each person), invites (<c>site_id</c>)
    /// and share links (<c>site_id</c>, or the site's own link item): a Scan, as listing members does (it holds
    /// people, not events).</summary>
    private async Task<long> DeleteMembershipsAsync(string siteId, CancellationToken cancellationToken)
    {
        long changed = 0;
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await deletes.Client.ScanAsync(new ScanRequest
            {
                TableName = Table(Tables.Users),
                FilterExpression = "site_id = :s OR email = :link OR attribute_exists(sites.#s)",
                ExpressionAttributeNames = new() { ["#s"] = siteId },
                ExpressionAttributeValues = new()
                {
                    [":s"] = new() { S = siteId },
                    [":link"] = new() { S = UsersTableKeys.SiteShareLink(siteId) },
                },
                ExclusiveStartKey = start,
                ConsistentRead = true,
            }, cancellationToken);
            foreach (var item in page.Items ?? [])
            {
                var key = new Dictionary<string, AttributeValue> { ["email"] = item["email"] };
                if (item.TryGetValue("sites", out var map) && map.M is { } roles && roles.ContainsKey(siteId))
                {
                    await deletes.Client.UpdateItemAsync(new UpdateItemRequest
                    {
                        TableName = Table(Tables.Users),
                        Key = key,
                        UpdateExpression = "REMOVE sites.#s",
                        ExpressionAttributeNames = new() { ["#s"] = siteId },
                    }, cancellationToken);
                }
                else
                {
                    await deletes.Client.DeleteItemAsync(new DeleteItemRequest { TableName = Table(Tables.Users), Key = key }, cancellationToken);
                }

                changed++;
            }

            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);

        return changed;
    }

    /// <summary>The site's lake files of the days <paramref name="which"/> chooses (<see cref="LakeLayout.SiteKeyPrefix"/>).</summary>
    private async Task<long> DeleteLakeAsync(string siteId, Func<DateOnly, bool> which, CancellationToken cancellationToken)
    {
        if (lake is null)
        {
            return 0;
        }

        var files = (await lake.ListAsync(LakeLayout.SiteKeyPrefix(siteId), cancellationToken))
            .Where(o => !LakeLayout.TryParseKey(o.Key, out _, out var day, out _) || which(day))
            .Select(o => o.Key)
            .ToList();
        // The day sums counted from those days' files go with them (a UTC day's sums read the site-days around it).
        files.AddRange((await lake.ListAsync(LakeDaySums.SiteKeyPrefix(siteId), cancellationToken))
            .Where(o => !LakeDaySums.TryParseKey(o.Key, out _, out var utcDay, out _, out _) || LakeDaySums.CoveringDays(utcDay).Any(which))
            .Select(o => o.Key));
        await lake.DeleteAsync(files, cancellationToken);
        return files.Count;
    }

    private QueryRequest ByPartition(TableDefinition table, string attribute, string value) => new()
    {
        TableName = Table(table),
        KeyConditionExpression = "#pk = :pk",
        ExpressionAttributeNames = new() { ["#pk"] = attribute },
        ExpressionAttributeValues = new() { [":pk"] = new() { S = value } },
    };

    private static DateTimeOffset StartOf(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        return new DateTimeOffset(local, zone.GetUtcOffset(local));
    }

    private static string HourBucket(DateTimeOffset utc) => RollupLayout.Bucket(Granularity.Hour, utc, TimeZoneInfo.Utc);

    private async Task Step(string name)
    {
        if (AfterStep is { } hook)
        {
            await hook(name);
        }
    }
}
