using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace LiveInsight.Api.Extensions;

public sealed class ReadOptions
{
    public const string SectionName = "LiveInsight:Read";

    [Range(1, 60)]
    public int RealtimeCacheSeconds { get; set; } = 3;

    [Range(1, 3600)]
    public int StatsCacheSeconds { get; set; } = 30;

    /// <summary>Stats queries per site per minute that miss the cache (each reads DynamoDB; a new filter value is always a
    /// miss). Beyond it: 429 until the next minute. 0 turns the limit off.</summary>
    [Range(0, 1_000_000)]
    public int UncachedStatsQueriesPerSitePerMinute { get; set; } = 300;

    /// <summary>Only the read benchmark sets this, to measure every request cold (and so without the limit above).</summary>
    public bool DisableCache { get; set; }

    /// <summary>Whether the unfiltered summary reads pre-merged settled weeks (<c>Core/Stats/SummaryWeeks</c>) instead of
    /// their seven day items. Off only to compare the two paths (tests, the read profile).</summary>
    public bool SummaryWeeks { get; set; } = true;
}

public enum ReadArea
{
    Realtime,
    Stats,
}

/// <summary>
/// HybridCache (memory, then Redis) in front of every read: concurrent misses for one key on a replica run the query
/// once (HybridCache's stampede protection), other replicas find the answer in Redis. Records query time and hits.
/// </summary>
public sealed class ReadCache(HybridCache cache, IOptions<ReadOptions> options, Stats.StatsQueryLimiter limiter, LiveInsightMetrics metrics)
{
    /// <param name="siteId">For <see cref="ReadArea.Stats"/>: the site whose uncached-query limit a miss counts against
    /// (<see cref="Stats.StatsQueryLimitedException"/> beyond it).</param>
    public async ValueTask<T> GetOrCreateAsync<T>(
        ReadArea area, string key, Func<CancellationToken, Task<T>> query, CancellationToken cancellationToken, string? siteId = null)
    {
        var tag = new KeyValuePair<string, object?>("area", area == ReadArea.Realtime ? "realtime" : "stats");
        if (options.Value.DisableCache)
        {
            return await TimedAsync(query, area, tag, cancellationToken);
        }

        var seconds = area == ReadArea.Realtime ? options.Value.RealtimeCacheSeconds : options.Value.StatsCacheSeconds;
        var entry = new HybridCacheEntryOptions
        {
            Expiration = TimeSpan.FromSeconds(seconds),
            LocalCacheExpiration = TimeSpan.FromSeconds(seconds),
        };
        var missed = false;
        var value = await cache.GetOrCreateAsync(
            key,
            async ct =>
            {
                if (area == ReadArea.Stats && siteId is not null)
                {
                    await limiter.ThrowIfOverLimitAsync(siteId);
                }

                missed = true;
                return await TimedAsync(query, area, tag, ct);
            },
            entry,
            siteId is null ? null : [SiteTag(siteId)],
            cancellationToken: cancellationToken);
        (missed ? metrics.ReadCacheMisses : metrics.ReadCacheHits).Add(1, tag);
        return value;
    }

    /// <summary>Forgets every cached stats answer of a site on this replica (and, through the tag's invalidation stamp
    /// in Redis, on others when they next look there): for changes to past data, such as an import or its deletion.</summary>
    public ValueTask ForgetSiteAsync(string siteId, CancellationToken cancellationToken) =>
        cache.RemoveByTagAsync(SiteTag(siteId), cancellationToken);

    private static string SiteTag(string siteId) => "site:" + siteId;

    private async Task<T> TimedAsync<T>(
        Func<CancellationToken, Task<T>> query, ReadArea area, KeyValuePair<string, object?> tag, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await query(cancellationToken);
        }
        finally
        {
            var histogram = area == ReadArea.Realtime ? metrics.RealtimeQueryDuration : metrics.StatsQueryDuration;
            histogram.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds, tag);
        }
    }
}
