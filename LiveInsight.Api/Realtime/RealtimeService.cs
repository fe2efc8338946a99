using LiveInsight.Api.Extensions;
using LiveInsight.Core.Events;
using StackExchange.Redis;

namespace LiveInsight.Api.Realtime;

/// <summary>
/// Who is on the site now, from the sorted sets ingestion keeps (member → last seen, Unix ms). Those sets are trimmed
/// only now and then, so every read filters by score. Cached 3 s; any replica can answer, the state is in Redis.
/// </summary>
public sealed class RealtimeService(IConnectionMultiplexer redis, ReadCache cache, TimeProvider time)
{
    public const int WindowSeconds = 300;
    public const int DefaultLimit = 50;

    /// <summary>Pages are counted over at most this many sessions, the most recently active. A script holds Redis for
    /// everyone while it runs; at the default quotas a site can have ~100k active sessions.</summary>
    public const int MaxSessionsCounted = 10_000;

    // The most recent active sessions (KEYS[1], RedisKeys.RealtimeSessions) → their current path (KEYS[2],
    // RedisKeys.RealtimePages, "rt:paths") → counts per path, in one round trip and without shipping session ids to
    // the Api. Returns the number of sessions read, then path/count pairs. HMGET in chunks keeps unpack() within
    // Lua's stack limit.
    private const string PagesScript = """
        local ids = redis.call('ZREVRANGEBYSCORE', KEYS[1], '+inf', ARGV[1], 'LIMIT', 0, ARGV[2])
        local counts = {}
        for i = 1, #ids, 1000 do
          local paths = redis.call('HMGET', KEYS[2], unpack(ids, i, math.min(i + 999, #ids)))
          for _, path in ipairs(paths) do
            if path and path ~= '' then counts[path] = (counts[path] or 0) + 1 end
          end
        end
        local out = { #ids }
        for path, n in pairs(counts) do out[#out + 1] = path; out[#out + 1] = n end
        return out
        """;

    public ValueTask<RealtimeUsers> UsersAsync(string siteId, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(ReadArea.Realtime, $"rt:users:{siteId}", async _ =>
        {
            var now = time.GetUtcNow();
            var active = await redis.GetDatabase().SortedSetLengthAsync(
                RedisKeys.RealtimeVisitors(siteId), Since(now), double.PositiveInfinity);
            return new RealtimeUsers(siteId, active, WindowSeconds, now);
        }, cancellationToken);

    public ValueTask<RealtimePages> PagesAsync(string siteId, int limit, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(ReadArea.Realtime, $"rt:pages:{siteId}:{limit}", async _ =>
        {
            var now = time.GetUtcNow();
            var result = await redis.GetDatabase().ScriptEvaluateAsync(
                PagesScript, [RedisKeys.RealtimeSessions(siteId), RedisKeys.RealtimePages(siteId)], [Since(now), MaxSessionsCounted]);
            var flat = (RedisResult[])result!;
            var pages = new List<RealtimePage>(flat.Length / 2);
            for (var i = 1; i < flat.Length; i += 2)
            {
                pages.Add(new RealtimePage((string)flat[i]!, (long)flat[i + 1]));
            }

            return new RealtimePages(siteId, pages
                .OrderByDescending(p => p.ActiveUsers).ThenBy(p => p.Path, StringComparer.Ordinal).Take(limit).ToList(), now)
            {
                SessionsCounted = (long)flat[0],
                SessionsCountedAtMost = MaxSessionsCounted,
            };
        }, cancellationToken);

    private static long Since(DateTimeOffset now) => (now - TimeSpan.FromSeconds(WindowSeconds)).ToUnixTimeMilliseconds();
}
