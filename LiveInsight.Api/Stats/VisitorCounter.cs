using System.Globalization;
using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;
using StackExchange.Redis;

namespace LiveInsight.Api.Stats;

/// <summary>The visitors of a set of rollup rows: Redis HyperLogLog keys and stored sketches to union, plus a known
/// count added to the union (a single stored row's own count, or the counts of imported days: an export holds counts,
/// not visitor ids, and an imported day is never also a native day, so the two never meet).</summary>
public sealed record VisitorGroup(IReadOnlyList<RedisKey> Keys, IReadOnlyList<byte[]> Sketches, long Added = 0)
{
    public static readonly VisitorGroup Empty = new([], []);

    /// <summary>Null when the rollups keep no visitors for this dimension and granularity: the summary has sketches
    /// per hour and day; pages, session dimensions and events per day only (<see cref="RollupLayout.HasValueVisitors"/>).</summary>
    public static VisitorGroup? For(string siteId, Granularity granularity, string dimension, IReadOnlyCollection<RollupRow> rows)
    {
        if (!Kept(granularity, dimension))
        {
            return null;
        }

        if (rows.Count == 1 && rows.First() is { FromRedis: false } single && single.Metrics.TryGetValue(RollupLayout.Visitors, out var known))
        {
            return new VisitorGroup([], [], known);
        }

        var keys = rows.Where(r => r.FromRedis).Select(r => RedisKey(siteId, granularity, dimension, r)).ToList();
        var sketches = rows.Where(r => r.Sketch is not null).Select(r => r.Sketch!).ToList();
        var imported = rows.Where(r => r.Imported).Sum(r => r[RollupLayout.Visitors]);
        return new VisitorGroup(keys, sketches, imported);
    }

    /// <summary>Whether rows of this dimension and granularity have visitors at all.</summary>
    public static bool Kept(Granularity granularity, string dimension) =>
        dimension == RollupLayout.Summary || (granularity == Granularity.Day && RollupLayout.HasValueVisitors(dimension));

    private static RedisKey RedisKey(string siteId, Granularity granularity, string dimension, RollupRow row) =>
        (dimension, granularity) switch
        {
            (RollupLayout.Summary, Granularity.Day) => RedisKeys.DayVisitors(siteId, DateOnly.ParseExact(row.Bucket, "yyyy-MM-dd", CultureInfo.InvariantCulture)),
            (RollupLayout.Summary, _) => RedisKeys.HourVisitors(siteId, DateTimeOffset.ParseExact(
                row.Bucket, "yyyyMMddHH", CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal)),
            _ => RollupLayout.ValueVisitorsHll(siteId, row.Bucket, dimension, row.Value),
        };
}

/// <summary>
/// Unique visitors over several buckets are the union of their HyperLogLogs (PFCOUNT of several keys), never a sum.
/// Stored sketches are restored with SET into short-lived keys beside the site's own, counted and deleted, all groups
/// in one MULTI round trip.
/// </summary>
public sealed class VisitorCounter(IConnectionMultiplexer redis)
{
    private static readonly TimeSpan ScratchLifetime = TimeSpan.FromSeconds(30);

    public async Task<long[]> CountAsync(string siteId, IReadOnlyList<VisitorGroup> groups)
    {
        var counts = new long[groups.Count];
        var transaction = redis.GetDatabase().CreateTransaction();
        var pending = new List<(int Index, Task<long> Count)>();
        var scratch = new List<RedisKey>();
        var prefix = RedisKeys.VisitorScratchPrefix(siteId);
        for (var g = 0; g < groups.Count; g++)
        {
            var group = groups[g];
            counts[g] = group.Added;
            var keys = group.Keys.ToList();
            foreach (var sketch in group.Sketches)
            {
                var key = (RedisKey)(prefix + scratch.Count.ToString(CultureInfo.InvariantCulture));
                scratch.Add(key);
                keys.Add(key);
                _ = transaction.StringSetAsync(key, sketch, ScratchLifetime);
            }

            if (keys.Count > 0)
            {
                pending.Add((g, transaction.HyperLogLogLengthAsync(keys.ToArray())));
            }
        }

        if (pending.Count == 0)
        {
            return counts;
        }

        if (scratch.Count > 0)
        {
            _ = transaction.KeyDeleteAsync(scratch.ToArray());
        }

        await transaction.ExecuteAsync();
        foreach (var (index, count) in pending)
        {
            counts[index] += await count;
        }

        return counts;
    }
}
