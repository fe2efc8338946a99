using System.Collections.Concurrent;
using System.Security.Cryptography;
using LiveInsight.Core.Events;
using StackExchange.Redis;

namespace LiveInsight.Api.Ingestion;

/// <summary>
/// The visitor-id salts: 16 random bytes per UTC day, created by whichever Api replica needs one first
/// (SET NX, so all replicas agree) and expiring at the end of the following day, so only today's and yesterday's
/// exist. Held in memory once read: Redis is asked at most once per day per replica.
/// </summary>
public sealed class DailySalts(IConnectionMultiplexer redis, TimeProvider time)
{
    public const int SaltBytes = 16;
    private readonly ConcurrentDictionary<DateOnly, byte[]> _cache = new();

    /// <summary>Today's and yesterday's salts (UTC).</summary>
    public async ValueTask<IReadOnlyDictionary<DateOnly, byte[]>> CurrentAsync()
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var yesterday = today.AddDays(-1);
        if (_cache.Count > 2)
        {
            foreach (var old in _cache.Keys.Where(d => d < yesterday))
            {
                _cache.TryRemove(old, out _);
            }
        }

        return new Dictionary<DateOnly, byte[]>(2)
        {
            [today] = await GetAsync(today),
            [yesterday] = await GetAsync(yesterday),
        };
    }

    public async ValueTask<byte[]> GetAsync(DateOnly day)
    {
        if (_cache.TryGetValue(day, out var cached))
        {
            return cached;
        }

        var db = redis.GetDatabase();
        var key = RedisKeys.Salt(day);
        var expiresAt = day.AddDays(2).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var ttl = expiresAt - time.GetUtcNow().UtcDateTime;
        if (ttl > TimeSpan.Zero)
        {
            await db.StringSetAsync(key, RandomNumberGenerator.GetBytes(SaltBytes), ttl, When.NotExists);
        }

        var stored = (byte[]?)await db.StringGetAsync(key);
        // A day whose salt already expired (or was never made) gets a throw-away one: ids cannot be linked anyway.
        var salt = stored is { Length: SaltBytes } ? stored : RandomNumberGenerator.GetBytes(SaltBytes);
        return _cache.GetOrAdd(day, salt);
    }
}
