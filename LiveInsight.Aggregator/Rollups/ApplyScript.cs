namespace LiveInsight.Aggregator.Rollups;

/// <summary>
/// The exactly-once step. In one atomic script: check that every entry of the batch is still pending for THIS
/// consumer (XAUTOCLAIM may have handed it to another replica meanwhile; then nothing is applied and the foreign ids
/// are returned), apply the counter deltas, page sketches and session touches, mark the touched rollups dirty for
/// the flusher, and XACK. A crash before it changes nothing (the entries are redelivered); a crash after it loses
/// nothing (the deltas and the acknowledgement went together).
/// </summary>
internal static class ApplyScript
{
    // KEYS: stream, open-sessions zset, dirty set.
    // ARGV: group, consumer, lowest id, highest id, n, n × id, c, c × (hash, field, delta), p, p × (hll, visitor),
    //       s, s × (session key, open member, ts, pageview path or '', its real path if it differs or '',
    //       interactive '1'|'0', hour hash, day hash, d, d × (dimension, value, real value if it differs or '')).
    // Paths and values are those the rollups count (a value over the day's cap is "(other)"); the real ones are kept
    // in the session hash as x:entry, x:exit, x:<dimension> for the Sessions table.
    public const string Lua = """
        local group, consumer = ARGV[1], ARGV[2]
        local mine = {}
        for _, p in ipairs(redis.call('XPENDING', KEYS[1], group, ARGV[3], ARGV[4], 1000000, consumer)) do mine[p[1]] = true end
        local i = 5
        local n = tonumber(ARGV[i]); i = i + 1
        local ids, foreign = {}, {}
        for k = 1, n do
          local id = ARGV[i]; i = i + 1
          ids[k] = id
          if not mine[id] then foreign[#foreign + 1] = id end
        end
        if #foreign > 0 then return foreign end
        local dirty = {}
        local c = tonumber(ARGV[i]); i = i + 1
        for _ = 1, c do
          redis.call('HINCRBY', ARGV[i], ARGV[i + 1], ARGV[i + 2])
          dirty[ARGV[i]] = true
          i = i + 3
        end
        local p = tonumber(ARGV[i]); i = i + 1
        for _ = 1, p do
          redis.call('PFADD', ARGV[i], ARGV[i + 1])
          redis.call('EXPIRE', ARGV[i], 345600)
          i = i + 2
        end
        local s = tonumber(ARGV[i]); i = i + 1
        for _ = 1, s do
          local sk, member, ts, path, real, interactive, hh, dh = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], ARGV[i + 7]
          local nd = tonumber(ARGV[i + 8])
          i = i + 9
          if redis.call('HSETNX', sk, 'start', ts) == 1 then
            redis.call('HSET', sk, 'last', ts, 'pages', 0, 'hh', hh, 'dh', dh)
            for _, h in ipairs({hh, dh}) do
              redis.call('HINCRBY', h, 'summary||sessions', 1)
              dirty[h] = true
            end
            for d = 0, nd - 1 do
              local dim, value, dreal = ARGV[i + 3 * d], ARGV[i + 3 * d + 1], ARGV[i + 3 * d + 2]
              redis.call('HSET', sk, 'd:' .. dim, value)
              if dreal ~= '' then redis.call('HSET', sk, 'x:' .. dim, dreal) end
              redis.call('HINCRBY', hh, dim .. '|' .. value .. '|sessions', 1)
              redis.call('HINCRBY', dh, dim .. '|' .. value .. '|sessions', 1)
            end
          else
            if ts > tonumber(redis.call('HGET', sk, 'last')) then redis.call('HSET', sk, 'last', ts) end
            if ts < tonumber(redis.call('HGET', sk, 'start')) then redis.call('HSET', sk, 'start', ts) end
          end
          i = i + 3 * nd
          if path ~= '' then
            redis.call('HINCRBY', sk, 'pages', 1)
            if redis.call('HSETNX', sk, 'entry', path) == 1 then
              if real ~= '' then redis.call('HSET', sk, 'x:entry', real) end
              for _, h in ipairs(redis.call('HMGET', sk, 'hh', 'dh')) do
                redis.call('HINCRBY', h, 'page|' .. path .. '|entries', 1)
                dirty[h] = true
              end
            end
            redis.call('HSET', sk, 'exit', path)
            if real ~= '' then redis.call('HSET', sk, 'x:exit', real) else redis.call('HDEL', sk, 'x:exit') end
          end
          if interactive == '1' then redis.call('HSET', sk, 'interactive', 1) end
          redis.call('ZADD', KEYS[2], redis.call('HGET', sk, 'last'), member)
          redis.call('EXPIRE', sk, 172800)
        end
        for h, _ in pairs(dirty) do
          redis.call('SADD', KEYS[3], h)
          redis.call('EXPIRE', h, 345600)
        end
        redis.call('XACK', KEYS[1], group, unpack(ids))
        return {}
        """;
}
