using LiveInsight.Aggregator.Consumer;
using LiveInsight.Aggregator.Extensions;
using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using F = LiveInsight.Core.Events.RedisKeys.SessionFields;

namespace LiveInsight.Aggregator.Sessions;

/// <summary>
/// Ends sessions idle for 30 minutes (ZREM decides who closes one when replicas race): marks the session closed, writes
/// its final snapshot to the Sessions table and deletes the Redis hash. Bounce, duration and exit page are already in
/// the rollups (the apply script books them as the session changes), so closing changes no number. Only a session
/// opened by an aggregator from before live booking (no <see cref="F.Live"/> flag, at most a session TTL after the
/// upgrade) still gets those booked here, whole, into the hour and day it started.
/// </summary>
public sealed class SessionCloser(
    IConnectionMultiplexer redis,
    EventStore store,
    IOptions<StorageOptions> storage,
    IOptions<AggregatorOptions> options,
    TimeProvider time)
{
    public const int BatchSize = 500;

    // KEYS: open-sessions zset, dirty set (one shard's). ARGV: cutoff (ms), limit, session key head, session key middle.
    // Returns the closed open-session members.
    private static readonly string Lua = $$"""
        {{RollupLayout.LuaFieldFunction}}
        local members = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
        local closed = {}
        for _, m in ipairs(members) do
          if redis.call('ZREM', KEYS[1], m) == 1 then
            local bar = string.find(m, '{{RedisKeys.OpenSessionSeparator}}', 1, true)
            local sk = ARGV[3] .. string.sub(m, 1, bar - 1) .. ARGV[4] .. string.sub(m, bar + 1)
            local flat = redis.call('HGETALL', sk)
            if #flat > 0 then
              local t = {}
              for k = 1, #flat, 2 do t[flat[k]] = flat[k + 1] end
              -- Opened before live booking: nothing of its bounce, duration or exit is in the rollups yet.
              if t['{{F.Live}}'] ~= '1' then
                local bounce = (tonumber(t['{{F.Pages}}'] or '0') <= 1 and t['{{F.Interactive}}'] ~= '1') and 1 or 0
                local duration = tonumber(t['{{F.Last}}']) - tonumber(t['{{F.Start}}'])
                local exit = t['{{F.Exit}}']
                for _, h in ipairs({t['{{F.HourHash}}'], t['{{F.DayHash}}']}) do
                  redis.call('HINCRBY', h, field('{{RollupLayout.Summary}}', '', '{{RollupLayout.Bounces}}'), bounce)
                  redis.call('HINCRBY', h, field('{{RollupLayout.Summary}}', '', '{{RollupLayout.DurationMs}}'), duration)
                  if exit then redis.call('HINCRBY', h, field('{{RollupLayout.Page}}', exit, '{{RollupLayout.Exits}}'), 1) end
                  for k, v in pairs(t) do
                    if string.sub(k, 1, {{F.DimensionPrefix.Length}}) == '{{F.DimensionPrefix}}' then
                      local dim = string.sub(k, {{F.DimensionPrefix.Length + 1}})
                      redis.call('HINCRBY', h, field(dim, v, '{{RollupLayout.Bounces}}'), bounce)
                      redis.call('HINCRBY', h, field(dim, v, '{{RollupLayout.DurationMs}}'), duration)
                    end
                  end
                  redis.call('SADD', KEYS[2], h)
                end
              end
              redis.call('HSET', sk, '{{F.Closed}}', 1)
              closed[#closed + 1] = m
            end
          end
        end
        return closed
        """;

    /// <returns>How many sessions were closed.</returns>
    public async Task<int> CloseIdleAsync(CancellationToken cancellationToken)
    {
        var total = 0;
        foreach (var shard in RedisShards.All)
        {
            total += await CloseIdleAsync(shard, cancellationToken);
        }

        return total;
    }

    /// <summary>One shard's open sessions: its script's keys and the sessions' hashes share the shard's slot.</summary>
    private async Task<int> CloseIdleAsync(int shard, CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var cutoff = time.GetUtcNow().AddMinutes(-options.Value.SessionTimeoutMinutes).ToUnixTimeMilliseconds();
        var total = 0;
        while (true)
        {
            var closed = (RedisResult[])(await db.ScriptEvaluateAsync(
                Lua, [RedisKeys.OpenSessionsOf(shard), RollupLayout.DirtySetOf(shard)],
                [cutoff, BatchSize, RedisKeys.SessionKeyHead(shard), RedisKeys.SessionKeyMiddle]))!;
            if (closed.Length == 0)
            {
                return total;
            }

            var members = closed.Select(r => r.ToString()!.Split(RedisKeys.OpenSessionSeparator, 2)).Select(p => (Site: p[0], Session: p[1])).ToList();
            var keys = members.Select(m => RedisKeys.Session(m.Site, m.Session)).ToList();
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
