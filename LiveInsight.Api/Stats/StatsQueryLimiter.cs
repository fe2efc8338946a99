using LiveInsight.Api.Extensions;
using LiveInsight.Api.Ingestion;
using LiveInsight.Core.Events;
using LiveInsight.Core.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Api.Stats;

/// <summary>
/// Stats queries that miss the cache, counted per site per UTC minute in Redis (so every replica shares the count).
/// Each distinct filter value is a miss that reads DynamoDB; past the limit such a query answers 429 while cached
/// answers stay free, because this is only consulted from inside the cache's factory.
/// </summary>
public sealed class StatsQueryLimiter(IConnectionMultiplexer redis, IOptions<ReadOptions> options, TimeProvider time)
{
    /// <summary>Throws <see cref="StatsQueryLimitedException"/> when the site has used up this minute's uncached queries.</summary>
    public async Task ThrowIfOverLimitAsync(string siteId)
    {
        var limit = options.Value.UncachedStatsQueriesPerSitePerMinute;
        if (limit <= 0)
        {
            return;
        }

        var now = time.GetUtcNow();
        var used = await redis.GetDatabase().CountAsync(
            RedisKeys.StatsQueriesThisMinute(siteId, now), UnauthenticatedLimiter.MinuteKeyLifetime);
        if (used > limit)
        {
            throw new StatsQueryLimitedException(limit, UnauthenticatedLimiter.SecondsToNextMinute(now));
        }
    }
}

/// <summary>An uncached stats query refused because its site is over <see cref="ReadOptions.UncachedStatsQueriesPerSitePerMinute"/>.</summary>
public sealed class StatsQueryLimitedException(int limit, int retryAfterSeconds)
    : Exception($"This site may run {UnauthenticatedLimiter.Describe(limit)} uncached stats queries a minute; answers already cached stay available. Retry later.")
{
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}
