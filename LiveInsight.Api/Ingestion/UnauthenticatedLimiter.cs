using System.Globalization;
using System.Net;
using LiveInsight.Core.Events;
using LiveInsight.Core.Privacy;
using LiveInsight.Core.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Api.Ingestion;

/// <summary>
/// Key lookups that would reach DynamoDB are limited per client address (masked: /24 or /48, so no full IP is ever a
/// Redis key), shared by all replicas. It is consulted from inside the cache's factory, i.e. only on a miss: a known
/// key (or an unknown one already looked up, cached as null) costs nothing extra, while guessing well-formed keys
/// costs one Redis round trip each and stops at the limit before DynamoDB is asked. Malformed keys never get here.
/// </summary>
public sealed class UnauthenticatedLimiter(IConnectionMultiplexer redis, IOptions<IngestionOptions> options, TimeProvider time)
{
    /// <returns>Seconds until the client may try again, or null when it is within the limit.</returns>
    public async Task<int?> CheckAsync(IPAddress? client)
    {
        if (client is null || options.Value.UnauthenticatedPerIpPerMinute <= 0)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var used = await redis.GetDatabase().CountAsync(
            RedisKeys.UnauthenticatedThisMinute(IpMasking.Mask(client).ToString(), now), MinuteKeyLifetime);
        return used > options.Value.UnauthenticatedPerIpPerMinute ? SecondsToNextMinute(now) : null;
    }

    /// <summary>For a cache factory: throws <see cref="LookupLimitedException"/> (so nothing is cached) when the client
    /// has used up its lookups of this minute.</summary>
    public async Task ThrowIfOverLimitAsync(IPAddress? client)
    {
        if (await CheckAsync(client) is { } wait)
        {
            throw new LookupLimitedException(wait);
        }
    }

    /// <summary>How long a per-minute counter is kept: its minute and one more, for replicas whose clocks differ.</summary>
    public static readonly TimeSpan MinuteKeyLifetime = TimeSpan.FromMinutes(2);

    public static int SecondsToNextMinute(DateTimeOffset now) =>
        Math.Max(1, 60 - now.Second);

    public static string Describe(int limit) => limit.ToString("N0", CultureInfo.InvariantCulture);
}

/// <summary>A key lookup refused because its client has made too many uncached lookups this minute (answer 429).</summary>
public sealed class LookupLimitedException(int retryAfterSeconds)
    : Exception("Too many lookups of unknown keys from this network; retry later.")
{
    public int RetryAfterSeconds { get; } = retryAfterSeconds;
}
