using System.Globalization;
using System.IO.Hashing;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Aggregator.Consumer;
using LiveInsight.Aggregator.Extensions;
using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using static LiveInsight.Aggregator.Consumer.EventStore;

namespace LiveInsight.Aggregator.Jobs;

/// <summary>
/// Copies every rollup hash changed since the last run into the Stats table as absolute values (so a repeated flush
/// is harmless), with the visitor HyperLogLog sketches and their CRC-32. The dirty set is swapped out atomically
/// (RENAME), so changes made during a flush are caught by the next one; a failed flush puts its keys back.
/// </summary>
public sealed partial class StatsFlusher(
    IConnectionMultiplexer redis,
    EventStore store,
    IOptions<StorageOptions> storage,
    IOptions<AggregatorOptions> options,
    TimeProvider time,
    ILogger<StatsFlusher> logger)
{
    /// <returns>How many rollup buckets were written.</returns>
    public async Task<int> FlushAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var shard in RedisShards.All)
        {
            total += await FlushShardAsync(shard, cancellationToken);
        }

        return total;
    }

    /// <summary>One shard's dirty set (each shard has its own, in its slot: RENAME cannot cross slots).</summary>
    private async Task<int> FlushShardAsync(int shard, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var dirty = RollupLayout.DirtySetOf(shard);
        var flushing = RollupLayout.FlushingSet(shard, options.Value.ResolvedConsumerName);
        if (!await db.KeyExistsAsync(flushing) && !await TryRenameAsync(db, dirty, flushing))
        {
            return 0;
        }

        try
        {
            var hashes = (await db.SetMembersAsync(flushing)).Select(m => m.ToString()).ToList();
            var items = new List<Dictionary<string, AttributeValue>>();
            foreach (var hash in hashes)
            {
                items.AddRange(await ItemsAsync(db, hash));
            }

            var writable = items.Where(Writable).ToList();
            await WriteAsync([.. writable, .. DayPackItems(writable)], cancellationToken);
            await WriteAsync(SummaryEpochItems(writable, time.GetUtcNow()), cancellationToken);
            await db.KeyDeleteAsync(flushing);
            return hashes.Count;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFlushFailed(e.Message);
            await db.SetCombineAndStoreAsync(SetOperation.Union, dirty, dirty, flushing);
            await db.KeyDeleteAsync(flushing);
            throw;
        }
    }

    /// <summary>
    /// A batch DynamoDB refuses as invalid is refused whole, whatever else it holds; so it is retried item by item and
    /// only the invalid items are left out (logged). Retrying them could never succeed and would hold every other
    /// site's rollups back with them.
    /// </summary>
    private async Task WriteAsync(List<Dictionary<string, AttributeValue>> items, CancellationToken cancellationToken)
    {
        var table = storage.Value.TableName(Tables.Stats);
        try
        {
            await store.WriteAsync(table, items, cancellationToken);
        }
        catch (AmazonDynamoDBException e) when (e.ErrorCode == "ValidationException")
        {
            foreach (var item in items)
            {
                try
                {
                    await store.WriteAsync(table, [item], cancellationToken);
                }
                catch (AmazonDynamoDBException refused) when (refused.ErrorCode == "ValidationException")
                {
                    LogItemRefused(Shorten(item["pk"].S), Shorten(item["sk"].S), refused.Message);
                }
            }
        }
    }

    /// <summary>Whether DynamoDB can take the item's keys: a value longer than the rollups keep (written before values
    /// were capped) would be refused, so it is left out and logged rather than retried forever.</summary>
    private bool Writable(Dictionary<string, AttributeValue> item)
    {
        var sortKey = item["sk"].S;
        if (System.Text.Encoding.UTF8.GetByteCount(sortKey) <= RollupLayout.MaxSortKeyBytes)
        {
            return true;
        }

        LogItemRefused(Shorten(item["pk"].S), Shorten(sortKey), $"sort key over {RollupLayout.MaxSortKeyBytes} bytes");
        return false;
    }

    /// <summary>Each flushed day's rows of a dimension packed into a few items (<see cref="DayPacks"/>), from the same
    /// items, so that a range's stats read one item per day instead of one per value and day.</summary>
    private static IEnumerable<Dictionary<string, AttributeValue>> DayPackItems(List<Dictionary<string, AttributeValue>> items) =>
        items.GroupBy(i => i["pk"].S[..i["pk"].S.IndexOf('#', StringComparison.Ordinal)], StringComparer.Ordinal)
            .SelectMany(site => DayPacks.ItemsFor(site.Key, site));

    /// <summary>A new summary epoch (<see cref="SummaryWeeks"/>) for each site whose flush wrote the summary of a day
    /// old enough to have been merged into a week (a late event after a long backlog): written after the days, so the
    /// weeks built from them before are never served again. Empty in normal operation.</summary>
    private static List<Dictionary<string, AttributeValue>> SummaryEpochItems(List<Dictionary<string, AttributeValue>> items, DateTimeOffset now)
    {
        var summary = RollupLayout.StatsPartitionKey("", Granularity.Day, RollupLayout.Summary); // "#d#summary"
        var sites = new HashSet<string>(StringComparer.Ordinal);
        foreach (var item in items)
        {
            var (pk, sk) = (item["pk"].S, item["sk"].S);
            if (pk.EndsWith(summary, StringComparison.Ordinal) && sk.Length > 10
                && DateOnly.TryParseExact(sk.AsSpan(0, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                && SummaryWeeks.FlushInvalidates(day, now))
            {
                sites.Add(pk[..^summary.Length]);
            }
        }

        return sites.Select(SummaryWeeks.EpochItem).ToList();
    }

    private static string Shorten(string key) => key.Length <= 120 ? key : key[..120] + "…";

    private static async Task<bool> TryRenameAsync(IDatabase db, string dirty, string flushing)
    {
        try
        {
            return await db.KeyRenameAsync(dirty, flushing);
        }
        catch (RedisServerException e) when (e.Message.Contains("no such key", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }
    }

    private static async Task<List<Dictionary<string, AttributeValue>>> ItemsAsync(IDatabase db, string hash)
    {
        var (siteId, granularity, bucket) = RollupLayout.ParseRedisHash(hash);
        var rows = new Dictionary<(string Dimension, string Value), Dictionary<string, AttributeValue>>();
        foreach (var entry in await db.HashGetAllAsync(hash))
        {
            var (dimension, value, metric) = RollupLayout.ParseField(entry.Name.ToString());
            if (!rows.TryGetValue((dimension, value), out var item))
            {
                item = new Dictionary<string, AttributeValue>
                {
                    ["pk"] = S(RollupLayout.StatsPartitionKey(siteId, granularity, dimension)),
                    ["sk"] = S(RollupLayout.StatsSortKey(bucket, value)),
                    ["bucket"] = S(bucket),
                    ["value"] = S(value),
                };
                rows[(dimension, value)] = item;
            }

            item[metric] = N((long)entry.Value);
        }

        // A day hash can hold thousands of rows with sketches (pages, session dimensions, events): their reads are
        // pipelined, not one round trip after another.
        var sketches = new List<Task>();
        foreach (var ((dimension, value), item) in rows)
        {
            var sketch = dimension switch
            {
                RollupLayout.Summary => granularity == Granularity.Hour
                    ? RedisKeys.HourVisitors(siteId, DateTimeOffset.ParseExact(bucket, "yyyyMMddHH", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal))
                    : RedisKeys.DayVisitors(siteId, DateOnly.ParseExact(bucket, "yyyy-MM-dd", CultureInfo.InvariantCulture)),
                _ when granularity == Granularity.Day && RollupLayout.HasValueVisitors(dimension) =>
                    RollupLayout.ValueVisitorsHll(siteId, bucket, dimension, value),
                _ => null,
            };
            if (sketch is not null)
            {
                sketches.Add(AddSketchAsync(db, item, sketch));
            }
        }

        await Task.WhenAll(sketches);
        return rows.Values.ToList();
    }

    private static async Task AddSketchAsync(IDatabase db, Dictionary<string, AttributeValue> item, string sketchKey)
    {
        var read = db.StringGetAsync(sketchKey);
        var count = db.HyperLogLogLengthAsync(sketchKey);
        var bytes = (byte[]?)await read;
        var visitors = await count;
        if (bytes is not { Length: > 0 })
        {
            return;
        }

        item[RollupLayout.Visitors] = N(visitors);
        item["hll"] = new AttributeValue { B = new MemoryStream(bytes) };
        item["hll_crc32"] = N(Crc32.HashToUInt32(bytes));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Rollup item {PartitionKey} / {SortKey} left out of the flush, DynamoDB cannot take it: {Error}")]
    private partial void LogItemRefused(string partitionKey, string sortKey, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Flushing rollups to DynamoDB failed, will retry: {Error}")]
    private partial void LogFlushFailed(string error);
}
