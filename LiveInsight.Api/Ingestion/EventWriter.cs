using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LiveInsight.Core.Events;
using StackExchange.Redis;

namespace LiveInsight.Api.Ingestion;

/// <summary>
/// Writes a batch in ONE Redis round trip (a Lua script, atomic). Per event: HSETNX on its id (a repeat is reported
/// back as a duplicate) and, when new, XADD to the events stream. Per request, once: PFADD of the distinct visitors
/// into the site's hour and day HyperLogLogs (idempotent, so repeats do no harm) and the realtime sorted sets.
/// Work that does not need doing per request (key expiries, trimming the realtime sets) is sent only now and then.
/// The stream is never capped here: a MAXLEN could drop entries the aggregator has not read. The aggregator trims
/// what it has acknowledged instead (XTRIM MINID).
/// </summary>
public sealed class EventWriter(IConnectionMultiplexer redis, TimeProvider time)
{
    private static readonly TimeSpan RealtimeKeep = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan RealtimeFreshness = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ExpiryRefresh = TimeSpan.FromMinutes(10);
    private const int TrimOneRequestIn = 64;
    private const int SeenTtlSeconds = 25 * 3600;
    private const int HourTtlSeconds = 48 * 3600;
    private const int DayTtlSeconds = 72 * 3600;
    private const int RealtimeTtlSeconds = 3600;

    // KEYS: stream, realtime visitors, realtime sessions, realtime pages, this minute's request counter, keys' last use.
    // ARGV: now, cutoff, trim?, requests allowed per minute (0: no limit), key field to stamp with now ('' = none),
    //       n, then n × (seen key, event id, payload),
    //       then h, h × (hll key, visitor id),
    //       then realtime visitor ('' = none), s, s × (session id, path), then x, x × (key, ttl seconds).
    private static readonly string Script = $$"""
        if ARGV[5] ~= '' then
          redis.call('HSET', KEYS[6], ARGV[5], ARGV[1])
          redis.call('EXPIRE', KEYS[6], {{Sites.KeyUsage.KeepSeconds}})
        end
        local limit = tonumber(ARGV[4])
        if limit > 0 then
          local used = redis.call('INCR', KEYS[5])
          if used == 1 then redis.call('EXPIRE', KEYS[5], 120) end
          if used > limit then return {-1} end
        end
        local n = tonumber(ARGV[6])
        local dups = {}
        local i = 7
        for e = 1, n do
          if redis.call('HSETNX', ARGV[i], ARGV[i+1], 1) == 1 then
            redis.call('XADD', KEYS[1], '*', 'e', ARGV[i+2])
          else
            dups[#dups + 1] = e - 1
          end
          i = i + 3
        end
        local h = tonumber(ARGV[i]); i = i + 1
        for _ = 1, h do redis.call('PFADD', ARGV[i], ARGV[i+1]); i = i + 2 end
        local visitor = ARGV[i]; i = i + 1
        if visitor ~= '' then redis.call('ZADD', KEYS[2], ARGV[1], visitor) end
        local s = tonumber(ARGV[i]); i = i + 1
        for _ = 1, s do
          redis.call('ZADD', KEYS[3], ARGV[1], ARGV[i])
          if ARGV[i+1] ~= '' then redis.call('HSET', KEYS[4], ARGV[i], ARGV[i+1]) end
          i = i + 2
        end
        local x = tonumber(ARGV[i]); i = i + 1
        for _ = 1, x do redis.call('EXPIRE', ARGV[i], ARGV[i+1]); i = i + 2 end
        if ARGV[3] == '1' then
          redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
          redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[2])
        end
        return dups
        """;

    private static readonly byte[] ScriptSha1 = SHA1.HashData(Encoding.UTF8.GetBytes(Script));

    /// <summary>EVALSHA with a hash computed once; after a Redis restart (NOSCRIPT) the script is loaded again.</summary>
    private async Task<RedisResult> EvaluateAsync(RedisKey[] keys, RedisValue[] args)
    {
        var db = redis.GetDatabase();
        try
        {
            return await db.ScriptEvaluateAsync(ScriptSha1, keys, args);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await db.ScriptEvaluateAsync(Script, keys, args);
        }
    }

    /// <summary>Key → when this process last sent its EXPIRE. Keys are per site and hour, so this stays small.</summary>
    private readonly ConcurrentDictionary<string, DateTimeOffset> _expirySent = new();

    /// <summary>
    /// Writes the events unless the site used up its requests for this minute (counted in the same script, so the
    /// limit is shared by every Api replica and costs no extra round trip).
    /// </summary>
    /// <returns>Indexes (into <paramref name="events"/>) of events already taken earlier, or RateLimited.</returns>
    /// <param name="keyUsedField">The <see cref="Sites.KeyUsage"/> field of the key to stamp as used now, or null
    /// (the caller asks only once a minute per key, so this costs the hot path nothing measurable).</param>
    public async Task<WriteResult> WriteAsync(
        string siteId, TimeZoneInfo siteZone, int requestsPerMinute, IReadOnlyList<StreamEvent> events, string? keyUsedField = null)
    {
        var now = time.GetUtcNow();
        var keys = new RedisKey[]
        {
            RedisKeys.EventsStream,
            RedisKeys.RealtimeVisitors(siteId),
            RedisKeys.RealtimeSessions(siteId),
            RedisKeys.RealtimePages(siteId),
            RedisKeys.RequestsThisMinute(siteId, now),
            RedisKeys.KeysLastUsed(siteId),
        };
        var args = new List<RedisValue>(9 + events.Count * 3)
        {
            now.ToUnixTimeMilliseconds(),
            (now - RealtimeKeep).ToUnixTimeMilliseconds(),
            Random.Shared.Next(TrimOneRequestIn) == 0 ? "1" : "0",
            requestsPerMinute,
            keyUsedField ?? "",
            events.Count,
        };
        var expiries = new List<(string Key, int Ttl)>();
        var visitors = new HashSet<(string Key, string VisitorId)>();
        var sessions = new Dictionary<string, string>();
        string realtimeVisitor = "";
        HourKeys? hourKeys = null;
        (DateOnly Day, string Key) dayKey = (DateOnly.MinValue, "");
        foreach (var e in events)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(e.Ts);
            // Events of one batch almost always share an hour: build its keys once.
            var hour = e.Ts / 3_600_000;
            if (hourKeys?.Hour != hour)
            {
                hourKeys = new HourKeys(hour, siteId, at);
            }

            var siteDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, siteZone).DateTime);
            if (dayKey.Day != siteDay)
            {
                dayKey = (siteDay, RedisKeys.DayVisitors(siteId, siteDay));
            }

            args.Add(hourKeys.Seen);
            args.Add(e.EventId);
            args.Add(JsonSerializer.SerializeToUtf8Bytes(e, StreamEventJsonContext.Default.StreamEvent));
            AddExpiry(expiries, hourKeys.Seen, SeenTtlSeconds, now);
            AddVisitor(visitors, expiries, hourKeys.HourVisitors, e.VisitorId, HourTtlSeconds, now);
            AddVisitor(visitors, expiries, dayKey.Key, e.VisitorId, DayTtlSeconds, now);
            if (now - at <= RealtimeFreshness)
            {
                // Offline replays are counted but must not light up "who is here now".
                realtimeVisitor = e.VisitorId;
                if (e.SessionId is { } session)
                {
                    sessions[session] = e.EventType == "page_view" ? e.Path ?? "" : sessions.GetValueOrDefault(session, "");
                }
            }
        }

        args.Add(visitors.Count);
        foreach (var (key, visitorId) in visitors)
        {
            args.Add(key);
            args.Add(visitorId);
        }

        args.Add(realtimeVisitor);
        args.Add(sessions.Count);
        foreach (var (session, path) in sessions)
        {
            args.Add(session);
            args.Add(path);
        }

        for (var k = 1; k < 4; k++)
        {
            AddExpiry(expiries, keys[k]!, RealtimeTtlSeconds, now);
        }

        args.Add(expiries.Count);
        foreach (var (key, ttl) in expiries)
        {
            args.Add(key);
            args.Add(ttl);
        }

        var result = ((RedisResult[])(await EvaluateAsync(keys, args.ToArray()))!).Select(r => (int)r).ToList();
        return result is [-1] ? WriteResult.RateLimited : new WriteResult(result, false);
    }

    /// <summary>The keys of one UTC hour of one site.</summary>
    private sealed class HourKeys(long hour, string siteId, DateTimeOffset at)
    {
        public long Hour { get; } = hour;
        public string Seen { get; } = RedisKeys.SeenEvents(siteId, at);
        public string HourVisitors { get; } = RedisKeys.HourVisitors(siteId, at);
    }

    private void AddVisitor(
        HashSet<(string, string)> visitors, List<(string, int)> expiries, string key, string visitorId, int ttl, DateTimeOffset now)
    {
        if (visitors.Add((key, visitorId)))
        {
            AddExpiry(expiries, key, ttl, now);
        }
    }

    private void AddExpiry(List<(string, int)> expiries, string key, int ttl, DateTimeOffset now)
    {
        if (_expirySent.TryGetValue(key, out var sent) && now - sent < ExpiryRefresh)
        {
            return;
        }

        _expirySent[key] = now;
        expiries.Add((key, ttl));
        if (_expirySent.Count > 50_000)
        {
            foreach (var (old, at) in _expirySent)
            {
                if (now - at > ExpiryRefresh)
                {
                    _expirySent.TryRemove(old, out _);
                }
            }
        }
    }
}

public sealed record WriteResult(IReadOnlyList<int> Duplicates, bool IsRateLimited)
{
    public static readonly WriteResult RateLimited = new([], true);
}
