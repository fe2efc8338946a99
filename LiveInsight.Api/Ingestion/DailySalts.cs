using System.Collections.Concurrent;
using System.Security.Cryptography;
using LiveInsight.Core.Events;
using Microsoft.Extensions.Logging.Abstractions;
using StackExchange.Redis;

namespace LiveInsight.Api.Ingestion;

/// <summary>
/// The visitor-id salts: 16 random bytes per UTC day, created by whichever Api replica needs one first
/// (SET NX, so all replicas agree) and expiring at the end of the following day, so only today's and yesterday's
/// exist. Held in memory once read: Redis is asked at most once per day per replica.
/// </summary>
/// <remarks>
/// Expiry alone leaves old salts on disk: the append-only file keeps the SET that made a salt until Redis rewrites
/// it, which a quiet installation may not do for weeks. So the replica that makes a day's salt also retires the old
/// ones (<see cref="SaltRetirement"/>): deletes them and asks Redis to rewrite its append-only file.
/// </remarks>
public sealed class DailySalts(IConnectionMultiplexer redis, TimeProvider time, ILogger<DailySalts>? logger = null)
{
    public const int SaltBytes = 16;
    private readonly ConcurrentDictionary<DateOnly, byte[]> _cache = new();
    private readonly SaltRetirement _retirement = new(redis, logger ?? NullLogger<DailySalts>.Instance);

    /// <summary>The last retirement of old salts started by this replica (for tests).</summary>
    internal Task Retirement { get; private set; } = Task.CompletedTask;

    /// <summary>Today's and yesterday's salts (UTC).</summary>
    public async ValueTask<IReadOnlyDictionary<DateOnly, byte[]>> CurrentAsync()
    {
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        // The same two salts all day: one dictionary for the day instead of one per request.
        if (_current is { } current && current.Today == today)
        {
            return current.Salts;
        }

        var yesterday = today.AddDays(-1);
        if (_cache.Count > 2)
        {
            foreach (var old in _cache.Keys.Where(d => d < yesterday))
            {
                _cache.TryRemove(old, out _);
            }
        }

        var salts = new Dictionary<DateOnly, byte[]>(2)
        {
            [today] = await GetAsync(today),
            [yesterday] = await GetAsync(yesterday),
        };
        _current = new CurrentSalts(today, salts);
        return salts;
    }

    private sealed record CurrentSalts(DateOnly Today, IReadOnlyDictionary<DateOnly, byte[]> Salts);

    private CurrentSalts? _current;

    public async ValueTask<byte[]> GetAsync(DateOnly day)
    {
        if (_cache.TryGetValue(day, out var cached))
        {
            return cached;
        }

        var db = redis.GetDatabase();
        var key = RedisKeys.Salt(day);
        var now = time.GetUtcNow().UtcDateTime;
        var expiresAt = day.AddDays(2).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);
        var ttl = expiresAt - now;
        if (ttl > TimeSpan.Zero
            && await db.StringSetAsync(key, RandomNumberGenerator.GetBytes(SaltBytes), ttl, When.NotExists)
            && day == DateOnly.FromDateTime(now))
        {
            // Off the request path: the first event of the day should not wait for a fork in Redis.
            Retirement = Task.Run(() => _retirement.RetireBeforeAsync(day.AddDays(-1)));
        }

        var stored = (byte[]?)await db.StringGetAsync(key);
        // A day whose salt already expired (or was never made) gets a throw-away one: ids cannot be linked anyway.
        var salt = stored is { Length: SaltBytes } ? stored : RandomNumberGenerator.GetBytes(SaltBytes);
        return _cache.GetOrAdd(day, salt);
    }
}
