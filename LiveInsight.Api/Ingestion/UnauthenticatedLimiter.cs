using System.Globalization;
using System.Net;
using LiveInsight.Core.Events;
using LiveInsight.Core.Privacy;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Api.Ingestion;

/// <summary>
/// Requests that present no valid key are limited per client address (masked: /24 or /48, so no full IP is ever a
/// Redis key), shared by all replicas: guessing keys costs a round trip each and stops at the limit.
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
        var key = RedisKeys.UnauthenticatedThisMinute(IpMasking.Mask(client).ToString(), now);
        var db = redis.GetDatabase();
        var used = await db.StringIncrementAsync(key);
        if (used == 1)
        {
            await db.KeyExpireAsync(key, TimeSpan.FromMinutes(2), CommandFlags.FireAndForget);
        }

        return used > options.Value.UnauthenticatedPerIpPerMinute ? SecondsToNextMinute(now) : null;
    }

    public static int SecondsToNextMinute(DateTimeOffset now) =>
        Math.Max(1, 60 - now.Second);

    public static string Describe(int limit) => limit.ToString("N0", CultureInfo.InvariantCulture);
}
