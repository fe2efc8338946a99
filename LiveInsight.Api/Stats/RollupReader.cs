using System.Globalization;
using System.IO.Hashing;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Api.Extensions;
using LiveInsight.Core.Stats;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Api.Stats;

/// <summary>
/// Reads rollups as <see cref="RollupLayout"/> defines them: a bucket comes from its Redis hash while that hash exists
/// (the current, not yet flushed buckets), otherwise from the Stats table. A whole dimension over a range is one
/// pipelined HGETALL per bucket plus one Query of the days' packs (<see cref="DayPacks"/>; rows for days without one);
/// chosen values are EXISTS+HMGET plus BatchGetItem.
/// </summary>
public sealed partial class RollupReader(
    IConnectionMultiplexer redis, IAmazonDynamoDB dynamo, IOptions<StorageOptions> storage, IOptions<ReadOptions> read, TimeProvider time,
    ILogger<RollupReader> logger)
{
    private const string SketchAttribute = "hll";
    private const string SketchCrcAttribute = "hll_crc32";

    public static readonly string[] Metrics =
    [
        RollupLayout.Pageviews, RollupLayout.Sessions, RollupLayout.Bounces, RollupLayout.DurationMs, RollupLayout.Events,
        RollupLayout.EngagedMs, RollupLayout.Entries, RollupLayout.Exits, RollupLayout.Visitors,
        RollupLayout.EngagedViews, RollupLayout.ScrollSum, RollupLayout.ScrollViews,
    ];

    private string Table => storage.Value.TableName(Tables.Stats);

    /// <summary>Every value of one dimension in the given buckets (stored sketches only when asked: a breakdown can be long).</summary>
    public async Task<List<RollupRow>> ReadDimensionAsync(
        string siteId, Granularity granularity, IReadOnlyList<string> buckets, string dimension, CancellationToken cancellationToken,
        bool withSketches = false)
    {
        var db = redis.GetDatabase();
        var hashes = await Task.WhenAll(buckets.Select(b => db.HashGetAllAsync(RollupLayout.RedisHash(siteId, granularity, b))));
        var rows = new List<RollupRow>();
        var missing = new List<string>();
        for (var i = 0; i < buckets.Count; i++)
        {
            if (hashes[i].Length == 0)
            {
                missing.Add(buckets[i]);
                continue;
            }

            var values = new Dictionary<string, Dictionary<string, long>>();
            foreach (var entry in hashes[i])
            {
                var (dim, value, metric) = RollupLayout.ParseField(entry.Name!);
                if (dim == dimension)
                {
                    var metrics = values.TryGetValue(value, out var m) ? m : values[value] = [];
                    metrics[metric] = (long)entry.Value;
                }
            }

            rows.AddRange(values.Select(v => new RollupRow(buckets[i], v.Key, v.Value, FromRedis: true)));
        }

        if (missing.Count > 0)
        {
            rows.AddRange(await ReadStoredAsync(siteId, granularity, dimension, missing, withSketches, cancellationToken));
        }

        return rows;
    }

    /// <summary>The most separate Queries for the days without a day pack; beyond it one Query spans them all.</summary>
    private const int MaxRowRuns = 4;

    /// <summary>
    /// Stored days of one dimension: from their day packs (<see cref="DayPacks"/>: one item per day) where a day has a
    /// complete one, from their rows otherwise (days flushed before packs existed, imported days), a Query per run of
    /// consecutive such days. The rows are the same either way: the flusher writes a day's pack from its row items.
    /// </summary>
    private async Task<List<RollupRow>> ReadStoredAsync(
        string siteId, Granularity granularity, string dimension, List<string> buckets, bool withSketches, CancellationToken cancellationToken)
    {
        if (granularity != Granularity.Day || !DayPacks.Packed(dimension))
        {
            return await QueryAsync(siteId, granularity, dimension, buckets, withSketches, cancellationToken);
        }

        var packed = await QueryPacksAsync(siteId, dimension, buckets, withSketches, cancellationToken);
        var rows = new List<RollupRow>();
        var remaining = new List<string>();
        foreach (var bucket in buckets)
        {
            if (!packed.TryGetValue(bucket, out var day))
            {
                remaining.Add(bucket);
                continue;
            }

            foreach (var row in day)
            {
                if (withSketches && !row.SketchIntact)
                {
                    LogCorruptSketch(RollupLayout.StatsSortKey(bucket, row.Value));
                }

                var metrics = new Dictionary<string, long>();
                foreach (var (name, value) in row.Numbers)
                {
                    if (MetricNames.Contains(name))
                    {
                        metrics[name] = value;
                    }
                }

                rows.Add(new RollupRow(bucket, row.Value, metrics, FromRedis: false, withSketches ? row.Sketch : null));
            }
        }

        if (remaining.Count > 0)
        {
            var runs = Runs(remaining);
            var reads = runs.Count <= MaxRowRuns
                ? runs.Select(run => QueryAsync(siteId, granularity, dimension, run, withSketches, cancellationToken))
                : [QueryAsync(siteId, granularity, dimension, remaining, withSketches, cancellationToken)];
            rows.AddRange((await Task.WhenAll(reads)).SelectMany(r => r));
        }

        return rows;
    }

    private static readonly HashSet<string> MetricNames = [.. Metrics];

    /// <summary>Day buckets split where a day is skipped (each run is one Query's range).</summary>
    private static List<List<string>> Runs(List<string> buckets)
    {
        var runs = new List<List<string>>();
        DateOnly? previous = null;
        foreach (var bucket in buckets.Order(StringComparer.Ordinal))
        {
            var day = DateOnly.ParseExact(bucket, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            if (previous is not { } p || p.AddDays(1) != day)
            {
                runs.Add([]);
            }

            runs[^1].Add(bucket);
            previous = day;
        }

        return runs;
    }

    private async Task<Dictionary<string, List<DayPacks.Row>>> QueryPacksAsync(
        string siteId, string dimension, List<string> buckets, bool withSketches, CancellationToken cancellationToken)
    {
        var request = new QueryRequest
        {
            TableName = Table,
            KeyConditionExpression = "pk = :pk AND sk BETWEEN :from AND :to",
            ExpressionAttributeValues = new()
            {
                [":pk"] = new AttributeValue { S = DayPacks.PartitionKey(siteId, dimension) },
                [":from"] = new AttributeValue { S = buckets.Min(StringComparer.Ordinal) + "#" },
                [":to"] = new AttributeValue { S = buckets.Max(StringComparer.Ordinal) + "$" },
            },
        };
        var items = new List<Dictionary<string, AttributeValue>>();
        do
        {
            var page = await dynamo.QueryAsync(request, cancellationToken);
            items.AddRange(page.Items ?? []);
            request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (request.ExclusiveStartKey is not null);

        return DayPacks.Complete(items, withSketches);
    }

    /// <summary>Chosen values of one dimension (the summary is the value "" of <c>summary</c>) in the given buckets.</summary>
    public async Task<List<RollupRow>> ReadValuesAsync(
        string siteId, Granularity granularity, IReadOnlyList<string> buckets, string dimension, IReadOnlyList<string> values,
        bool withSketches, CancellationToken cancellationToken)
    {
        var (rows, missing) = await ReadValuesFromRedisAsync(siteId, granularity, buckets, dimension, values);
        if (missing.Count > 0)
        {
            var keys = missing.SelectMany(b => values.Select(v => RollupLayout.StatsSortKey(b, v))).ToList();
            rows.AddRange(await BatchGetAsync(siteId, granularity, dimension, keys, withSketches, cancellationToken));
        }

        return rows;
    }

    /// <summary>The rows of the buckets whose Redis hash exists, and the buckets without one (read from the Stats table).</summary>
    private async Task<(List<RollupRow> Rows, List<string> Missing)> ReadValuesFromRedisAsync(
        string siteId, Granularity granularity, IReadOnlyList<string> buckets, string dimension, IReadOnlyList<string> values)
    {
        var db = redis.GetDatabase();
        var fields = values.SelectMany(v => Metrics.Select(m => (RedisValue)RollupLayout.Field(dimension, v, m))).ToArray();
        var reads = buckets.Select(b => RollupLayout.RedisHash(siteId, granularity, b))
            .Select(key => (Exists: db.KeyExistsAsync(key), Fields: db.HashGetAsync(key, fields)))
            .ToList();
        await Task.WhenAll(reads.SelectMany(r => new Task[] { r.Exists, r.Fields }));
        var rows = new List<RollupRow>();
        var missing = new List<string>();
        for (var i = 0; i < buckets.Count; i++)
        {
            if (!reads[i].Exists.Result)
            {
                missing.Add(buckets[i]);
                continue;
            }

            var got = reads[i].Fields.Result;
            for (var v = 0; v < values.Count; v++)
            {
                var metrics = new Dictionary<string, long>();
                for (var m = 0; m < Metrics.Length; m++)
                {
                    if (got[v * Metrics.Length + m] is { IsNull: false } value)
                    {
                        metrics[Metrics[m]] = (long)value;
                    }
                }

                rows.Add(new RollupRow(buckets[i], values[v], metrics, FromRedis: true));
            }
        }

        return (rows, missing);
    }

    private async Task<List<RollupRow>> QueryAsync(
        string siteId, Granularity granularity, string dimension, List<string> buckets, bool withSketches, CancellationToken cancellationToken)
    {
        var wanted = buckets.ToHashSet();
        var (projection, names) = Projection(withSketches);
        var request = new QueryRequest
        {
            TableName = Table,
            KeyConditionExpression = "pk = :pk AND sk BETWEEN :from AND :to",
            ExpressionAttributeValues = new()
            {
                [":pk"] = new AttributeValue { S = RollupLayout.StatsPartitionKey(siteId, granularity, dimension) },
                [":from"] = new AttributeValue { S = buckets.Min(StringComparer.Ordinal) + "#" },
                // '$' sorts right after '#': the upper bound takes every value of the last bucket.
                [":to"] = new AttributeValue { S = buckets.Max(StringComparer.Ordinal) + "$" },
            },
            ProjectionExpression = projection,
            ExpressionAttributeNames = names,
        };
        var rows = new List<RollupRow>();
        do
        {
            var page = await dynamo.QueryAsync(request, cancellationToken);
            foreach (var item in page.Items ?? [])
            {
                var row = ToRow(item, withSketches);
                if (wanted.Contains(row.Bucket))
                {
                    rows.Add(row);
                }
            }

            request.ExclusiveStartKey = page.LastEvaluatedKey is { Count: > 0 } next ? next : null;
        }
        while (request.ExclusiveStartKey is not null);

        return rows;
    }

    private async Task<List<RollupRow>> BatchGetAsync(
        string siteId, Granularity granularity, string dimension, List<string> sortKeys, bool withSketches, CancellationToken cancellationToken,
        bool consistent = false)
    {
        var pk = RollupLayout.StatsPartitionKey(siteId, granularity, dimension);
        var (projection, names) = Projection(withSketches);
        var rows = new List<RollupRow>();
        foreach (var chunk in sortKeys.Distinct().Chunk(100))
        {
            var pending = new Dictionary<string, KeysAndAttributes>
            {
                [Table] = new()
                {
                    Keys = chunk.Select(sk => new Dictionary<string, AttributeValue>
                    {
                        ["pk"] = new() { S = pk },
                        ["sk"] = new() { S = sk },
                    }).ToList(),
                    ProjectionExpression = projection,
                    ExpressionAttributeNames = names,
                    ConsistentRead = consistent,
                },
            };
            while (pending is { Count: > 0 })
            {
                var response = await dynamo.BatchGetItemAsync(new BatchGetItemRequest { RequestItems = pending }, cancellationToken);
                if (response.Responses?.TryGetValue(Table, out var items) == true)
                {
                    rows.AddRange(items.Select(item => ToRow(item, withSketches)));
                }

                pending = response.UnprocessedKeys is { Count: > 0 } more ? more : null;
            }
        }

        return rows;
    }

    private static (string Projection, Dictionary<string, string> Names) Projection(bool withSketches, params string[] more)
    {
        var attributes = Metrics.Append("sk").Append(ImportLayout.ImportIdAttribute).Concat(more);
        if (withSketches)
        {
            attributes = attributes.Append(SketchAttribute).Append(SketchCrcAttribute);
        }

        var names = attributes.Select((a, i) => ($"#a{i}", a)).ToDictionary(p => p.Item1, p => p.a);
        return (string.Join(',', names.Keys), names);
    }

    private RollupRow ToRow(Dictionary<string, AttributeValue> item, bool withSketches)
    {
        var sk = item["sk"].S;
        var split = sk.IndexOf('#');
        var metrics = new Dictionary<string, long>();
        foreach (var (name, value) in item)
        {
            if (value.N is not null && name != SketchCrcAttribute)
            {
                metrics[name] = long.Parse(value.N, CultureInfo.InvariantCulture);
            }
        }

        var imported = item.ContainsKey(ImportLayout.ImportIdAttribute);
        return new RollupRow(sk[..split], sk[(split + 1)..], metrics, FromRedis: false, withSketches && !imported ? Sketch(item, sk) : null, imported);
    }

    /// <summary>The stored sketch when its checksum holds; a corrupt one is skipped (and said so), never merged.</summary>
    private byte[]? Sketch(Dictionary<string, AttributeValue> item, string sk)
    {
        if (!item.TryGetValue(SketchAttribute, out var hll) || hll.B is null)
        {
            return null;
        }

        var bytes = hll.B.ToArray();
        if (item.TryGetValue(SketchCrcAttribute, out var crc) && crc.N is not null
            && uint.TryParse(crc.N, NumberStyles.None, CultureInfo.InvariantCulture, out var expected)
            && Crc32.HashToUInt32(bytes) == expected)
        {
            return bytes;
        }

        LogCorruptSketch(sk);
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Skipping the stored visitor sketch of {SortKey}: its checksum does not match")]
    private partial void LogCorruptSketch(string sortKey);
}
