using System.Text.Json;
using LiveInsight.Core.Events;
using StackExchange.Redis;

namespace LiveInsight.Api.Ingestion;

/// <summary>
/// Writes a batch in ONE Redis round trip (a Lua script, atomic): for each event not seen before (HSETNX on its id),
/// XADD to the events stream, PFADD the visitor into the site's hour and day HyperLogLogs, and update the realtime
/// sorted sets. Returns the indexes of the duplicates.
/// The stream is never capped here: a MAXLEN could drop entries the aggregator has not read. The aggregator trims
/// what it has acknowledged instead (XTRIM MINID).
/// </summary>
public sealed class EventWriter(IConnectionMultiplexer redis, TimeProvider time)
{
    private const int ArgsPerEvent = 8;
    private static readonly TimeSpan RealtimeKeep = TimeSpan.FromMinutes(30);
    private static readonly TimeSpan RealtimeFreshness = TimeSpan.FromMinutes(5);

    private const string Script = """
        local now = ARGV[1]
        local n = tonumber(ARGV[3])
        local dups = {}
        local i = 4
        for e = 1, n do
          local seen, eid, payload, hh, hd, vid, sid, path = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4], ARGV[i+5], ARGV[i+6], ARGV[i+7]
          i = i + 8
          if redis.call('HSETNX', seen, eid, 1) == 1 then
            redis.call('EXPIRE', seen, 90000)
            redis.call('XADD', KEYS[1], '*', 'e', payload)
            redis.call('PFADD', hh, vid)
            redis.call('EXPIRE', hh, 172800)
            redis.call('PFADD', hd, vid)
            redis.call('EXPIRE', hd, 259200)
            if vid ~= '' and sid ~= '-' then
              redis.call('ZADD', KEYS[2], now, vid)
              if sid ~= '' then
                redis.call('ZADD', KEYS[3], now, sid)
                if path ~= '' then redis.call('HSET', KEYS[4], sid, path) end
              end
            end
          else
            dups[#dups + 1] = e - 1
          end
        end
        redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', ARGV[2])
        redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', ARGV[2])
        redis.call('EXPIRE', KEYS[2], 3600)
        redis.call('EXPIRE', KEYS[3], 3600)
        redis.call('EXPIRE', KEYS[4], 3600)
        return dups
        """;

    /// <returns>Indexes (into <paramref name="events"/>) of events already taken earlier.</returns>
    public async Task<IReadOnlyList<int>> WriteAsync(string siteId, TimeZoneInfo siteZone, IReadOnlyList<StreamEvent> events)
    {
        var now = time.GetUtcNow();
        var keys = new RedisKey[]
        {
            RedisKeys.EventsStream,
            RedisKeys.RealtimeVisitors(siteId),
            RedisKeys.RealtimeSessions(siteId),
            RedisKeys.RealtimePages(siteId),
        };
        var args = new RedisValue[3 + events.Count * ArgsPerEvent];
        args[0] = now.ToUnixTimeMilliseconds();
        args[1] = (now - RealtimeKeep).ToUnixTimeMilliseconds();
        args[2] = events.Count;
        var i = 3;
        foreach (var e in events)
        {
            var at = DateTimeOffset.FromUnixTimeMilliseconds(e.Ts);
            var fresh = now - at <= RealtimeFreshness;
            args[i++] = RedisKeys.SeenEvents(siteId, at);
            args[i++] = e.EventId;
            args[i++] = JsonSerializer.SerializeToUtf8Bytes(e, StreamEventJsonContext.Default.StreamEvent);
            args[i++] = RedisKeys.HourVisitors(siteId, at);
            args[i++] = RedisKeys.DayVisitors(siteId, DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, siteZone).DateTime));
            args[i++] = e.VisitorId;
            // "-" = too old to count as "now": an offline replay must not light up the realtime view.
            args[i++] = fresh ? e.SessionId ?? "" : "-";
            args[i++] = e.EventType == "page_view" ? e.Path ?? "" : "";
        }

        // StackExchange.Redis sends EVALSHA once the script is known to the server (EVAL only the first time).
        var result = await redis.GetDatabase().ScriptEvaluateAsync(Script, keys, args);
        return ((RedisResult[])result!).Select(r => (int)r).ToList();
    }
}
