using LiveInsight.Aggregator.Consumer;
using LiveInsight.Aggregator.Extensions;
using LiveInsight.Aggregator.Rollups;
using LiveInsight.Core.Stats;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Aggregator.Jobs;

/// <summary>
/// Ends sessions idle for 30 minutes: their bounce (one page view, no custom event), duration and exit page are
/// booked into the rollups of the hour and day the session started, atomically and once (ZREM decides who closes
/// it when replicas race). Then the final snapshot goes to the Sessions table and the Redis hash is deleted.
/// </summary>
public sealed class SessionCloser(
    IConnectionMultiplexer redis,
    EventStore store,
    IOptions<StorageOptions> storage,
    IOptions<AggregatorOptions> options,
    TimeProvider time)
{
    public const int BatchSize = 500;

    // KEYS: open-sessions zset, dirty set. ARGV: cutoff (ms), limit. Returns the closed session keys.
    private const string Lua = """
        local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
        local closed = {}
        for _, m in ipairs(members) do
          if redis.call('ZREM', KEYS[1], m) == 1 then
            local bar = string.find(m, '|', 1, true)
            local sk = 'li:{' .. string.sub(m, 1, bar - 1) .. '}:sess:' .. string.sub(m, bar + 1)
            local flat = redis.call('HGETALL', sk)
            if #flat > 0 then
              local t = {}
              for k = 1, #flat, 2 do t[flat[k]] = flat[k + 1] end
              local bounce = (tonumber(t.pages or '0') <= 1 and t.interactive ~= '1') and 1 or 0
              local duration = tonumber(t.last) - tonumber(t.start)
              for _, h in ipairs({t.hh, t.dh}) do
                redis.call('HINCRBY', h, 'summary||bounces', bounce)
                redis.call('HINCRBY', h, 'summary||duration_ms', duration)
                if t.exit then redis.call('HINCRBY', h, 'page|' .. t.exit .. '|exits', 1) end
                for k, v in pairs(t) do
                  if string.sub(k, 1, 2) == 'd:' then
                    local dim = string.sub(k, 3)
                    redis.call('HINCRBY', h, dim .. '|' .. v .. '|bounces', bounce)
                    redis.call('HINCRBY', h, dim .. '|' .. v .. '|duration_ms', duration)
                  end
                end
                redis.call('SADD', KEYS[2], h)
              end
              redis.call('HSET', sk, 'closed', 1)
              closed[#closed + 1] = m
            end
          end
        end
        return closed
        """;

    /// <returns>How many sessions were closed.</returns>
    public async Task<int> CloseIdleAsync(CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var cutoff = time.GetUtcNow().AddMinutes(-options.Value.SessionTimeoutMinutes).ToUnixTimeMilliseconds();
        var total = 0;
        while (true)
        {
            var closed = (RedisResult[])(await db.ScriptEvaluateAsync(Lua, [SessionRollup.OpenSessions, RollupLayout.DirtySet], [cutoff, BatchSize]))!;
            if (closed.Length == 0)
            {
                return total;
            }

            var members = closed.Select(r => r.ToString()!.Split('|', 2)).Select(p => (Site: p[0], Session: p[1])).ToList();
            var keys = members.Select(m => SessionRollup.SessionKey(m.Site, m.Session)).ToList();
            var hashes = await Task.WhenAll(keys.Select(k => db.HashGetAllAsync(k)));
            var items = members.Zip(hashes)
                .Select(p => SessionStore.ToItem(p.First.Site, p.First.Session, p.Second.ToDictionary(h => h.Name.ToString(), h => h.Value.ToString()), active: false))
                .ToList();
            // The rollups are final once the script ran; if this write fails, only the Sessions table lags behind
            // (the hash, marked closed, expires on its own).
            await store.WriteAsync(storage.Value.TableName(Tables.Sessions), items, cancellationToken);
            await db.KeyDeleteAsync(keys.Select(k => (RedisKey)k).ToArray());
            total += closed.Length;
        }
    }
}
