using LiveInsight.Aggregator.Extensions;
using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;
using StackExchange.Redis;
using F = LiveInsight.Core.Events.RedisKeys.SessionFields;
using L = LiveInsight.Core.Stats.RollupLayout;

namespace LiveInsight.Aggregator.Rollups;

/// <summary>
/// The exactly-once step. In one atomic script: check that every entry of the batch is still pending for THIS
/// consumer (XAUTOCLAIM may have handed it to another replica meanwhile; then nothing is applied and the foreign ids
/// are returned), apply the counter deltas, visitor sketches (pages, custom events) and session touches (each session's
/// bounce, duration, entry and exit page booked as they change, summed over the batch; a new session's visitor added to
/// the day sketch of each of its dimension values), mark the touched rollups dirty for
/// the flusher, and XACK. A crash before it changes nothing (the entries are redelivered); a crash after it loses
/// nothing (the deltas and the acknowledgement went together). It owns its argument list: <see cref="RunAsync"/> builds
/// it beside the script that reads it.
/// </summary>
internal static class ApplyScript
{
    // KEYS: stream, open-sessions zset, dirty set.
    // ARGV: group, consumer, lowest id, highest id, n, n × id, c, c × (hash, field, delta), p, p × (hll, v, v × visitor),
    //       s, s × (session key, open member, ts, pageview path or '', its real path if it differs or '',
    //       interactive '1'|'0', hour hash, day hash, visitor id, visitor sketch head of the touch's day,
    //       d, d × (dimension, value, real value if it differs or '')).
    // A new session's visitor goes into the sketch head .. dimension .. separator .. value of each of its dimension
    // values (RollupLayout.ValueVisitorsHll): once per session, in its start day, as its sessions count.
    // Paths and values are those the rollups count (a value over the day's cap is "(other)"); the real ones are kept
    // in the session hash as x:entry, x:exit, x:<dimension> for the Sessions table.
    private static readonly string Lua = $$"""
        {{L.LuaFieldFunction}}
        local function bounce(t)
          return (tonumber(t['{{F.Pages}}']) <= 1 and t['{{F.Interactive}}'] ~= '1') and 1 or 0
        end
        -- Session bookings are summed per hash and field over the batch, then applied once each (most sessions of a
        -- batch share their dimension rows, so this saves most of the HINCRBYs).
        local sums = {}
        local function add(h, f, delta)
          local fields = sums[h]
          if not fields then fields = {}; sums[h] = fields end
          fields[f] = (fields[f] or 0) + delta
        end
        -- Visitors to add to each sketch, gathered over the chunk: one PFADD and one EXPIRE per sketch.
        local sketches = {}
        local function pf(hll, visitor)
          local visitors = sketches[hll]
          if not visitors then visitors = {}; sketches[hll] = visitors end
          visitors[#visitors + 1] = visitor
        end
        -- Adds delta to a session's metric in its start hour and day, in the summary and in each of its dimension rows.
        local function book(t, metric, delta)
          if delta == 0 then return end
          for _, h in ipairs({t['{{F.HourHash}}'], t['{{F.DayHash}}']}) do
            add(h, field('{{L.Summary}}', '', metric), delta)
            for k, v in pairs(t) do
              if string.sub(k, 1, {{F.DimensionPrefix.Length}}) == '{{F.DimensionPrefix}}' then
                add(h, field(string.sub(k, {{F.DimensionPrefix.Length + 1}}), v, metric), delta)
              end
            end
          end
        end
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
          local hll, v = ARGV[i], tonumber(ARGV[i + 1])
          for k = 1, v do pf(hll, ARGV[i + 1 + k]) end
          i = i + 2 + v
        end
        local s = tonumber(ARGV[i]); i = i + 1
        for _ = 1, s do
          local sk, member, ts, path, real, interactive, hh, dh = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2]), ARGV[i + 3], ARGV[i + 4], ARGV[i + 5], ARGV[i + 6], ARGV[i + 7]
          local visitor, head = ARGV[i + 8], ARGV[i + 9]
          local nd = tonumber(ARGV[i + 10])
          i = i + 11
          local t = {}
          local flat = redis.call('HGETALL', sk)
          for k = 1, #flat, 2 do t[flat[k]] = flat[k + 1] end
          -- The session hash's changes of this touch, written with one HSET (and one HDEL) at its end.
          local set, unset = {}, {}
          if t['{{F.Start}}'] == nil then
            t['{{F.Start}}'], t['{{F.Last}}'], t['{{F.Pages}}'], t['{{F.HourHash}}'], t['{{F.DayHash}}'] = ts, ts, 0, hh, dh
            set['{{F.Start}}'], set['{{F.Last}}'], set['{{F.Pages}}'], set['{{F.HourHash}}'], set['{{F.DayHash}}'] = ts, ts, 0, hh, dh
            for _, h in ipairs({hh, dh}) do add(h, field('{{L.Summary}}', '', '{{L.Sessions}}'), 1) end
            for d = 0, nd - 1 do
              local dim, value, dreal = ARGV[i + 3 * d], ARGV[i + 3 * d + 1], ARGV[i + 3 * d + 2]
              t['{{F.DimensionPrefix}}' .. dim] = value
              set['{{F.DimensionPrefix}}' .. dim] = value
              if dreal ~= '' then set['{{F.RealPrefix}}' .. dim] = dreal end
              add(hh, field(dim, value, '{{L.Sessions}}'), 1)
              add(dh, field(dim, value, '{{L.Sessions}}'), 1)
              pf(head .. dim .. '{{L.FieldSeparator}}' .. value, visitor)
            end
          end
          i = i + 3 * nd
          -- What the rollups hold for this session so far: nothing for a new one, nor for one opened before live
          -- booking (the closer books those whole); otherwise its bounce, duration and exit as of its last touch.
          local booked = t['{{F.Live}}'] == '1'
          local bounce0 = booked and bounce(t) or 0
          local duration0 = booked and (tonumber(t['{{F.Last}}']) - tonumber(t['{{F.Start}}'])) or 0
          local exit0 = booked and t['{{F.Exit}}'] or nil
          -- A session opened before entry_ts existed has its entry at its start (as it was before this touch).
          local entry = t['{{F.Entry}}']
          local entryTs = entry and tonumber(t['{{F.EntryTs}}'] or t['{{F.Start}}']) or nil
          if ts > tonumber(t['{{F.Last}}']) then t['{{F.Last}}'] = ts; set['{{F.Last}}'] = ts end
          if ts < tonumber(t['{{F.Start}}']) then t['{{F.Start}}'] = ts; set['{{F.Start}}'] = ts end
          if path ~= '' then
            t['{{F.Pages}}'] = tonumber(t['{{F.Pages}}'] or '0') + 1
            set['{{F.Pages}}'] = t['{{F.Pages}}']
            -- The entry is the page view with the smallest ts (the smaller path on a tie), whatever order they came in;
            -- when it changes, entries move from the old page to the new one, as exits do.
            if entry == nil or ts < entryTs or (ts == entryTs and path < entry) then
              set['{{F.Entry}}'], set['{{F.EntryTs}}'] = path, ts
              if real ~= '' then t['{{F.RealPrefix}}{{F.Entry}}'] = real; set['{{F.RealPrefix}}{{F.Entry}}'] = real elseif t['{{F.RealPrefix}}{{F.Entry}}'] then t['{{F.RealPrefix}}{{F.Entry}}'] = nil; unset[#unset + 1] = '{{F.RealPrefix}}{{F.Entry}}' end
              if path ~= entry then
                for _, h in ipairs({t['{{F.HourHash}}'], t['{{F.DayHash}}']}) do
                  if entry then add(h, field('{{L.Page}}', entry, '{{L.Entries}}'), -1) end
                  add(h, field('{{L.Page}}', path, '{{L.Entries}}'), 1)
                end
              end
            end
            -- The exit is the page view with the greatest ts (the greater path on a tie), whatever order they came in.
            local exitTs = tonumber(t['{{F.ExitTs}}'] or -1)
            if ts > exitTs or (ts == exitTs and path > (t['{{F.Exit}}'] or '')) then
              t['{{F.Exit}}'] = path
              set['{{F.Exit}}'], set['{{F.ExitTs}}'] = path, ts
              if real ~= '' then t['{{F.RealPrefix}}{{F.Exit}}'] = real; set['{{F.RealPrefix}}{{F.Exit}}'] = real elseif t['{{F.RealPrefix}}{{F.Exit}}'] then t['{{F.RealPrefix}}{{F.Exit}}'] = nil; unset[#unset + 1] = '{{F.RealPrefix}}{{F.Exit}}' end
            end
          end
          if interactive == '1' and t['{{F.Interactive}}'] ~= '1' then t['{{F.Interactive}}'] = '1'; set['{{F.Interactive}}'] = 1 end
          book(t, '{{L.Bounces}}', bounce(t) - bounce0)
          book(t, '{{L.DurationMs}}', tonumber(t['{{F.Last}}']) - tonumber(t['{{F.Start}}']) - duration0)
          local exit = t['{{F.Exit}}']
          if exit ~= exit0 then
            for _, h in ipairs({t['{{F.HourHash}}'], t['{{F.DayHash}}']}) do
              if exit0 then add(h, field('{{L.Page}}', exit0, '{{L.Exits}}'), -1) end
              if exit then add(h, field('{{L.Page}}', exit, '{{L.Exits}}'), 1) end
            end
          end
          if not booked then set['{{F.Live}}'] = 1 end
          local pairsToSet = {}
          for k, v in pairs(set) do pairsToSet[#pairsToSet + 1] = k; pairsToSet[#pairsToSet + 1] = v end
          if #pairsToSet > 0 then redis.call('HSET', sk, unpack(pairsToSet)) end
          if #unset > 0 then redis.call('HDEL', sk, unpack(unset)) end
          redis.call('ZADD', KEYS[2], t['{{F.Last}}'], member)
          redis.call('EXPIRE', sk, {{RedisKeys.SessionTtlSeconds}})
        end
        for h, fields in pairs(sums) do
          for f, delta in pairs(fields) do
            if delta ~= 0 then redis.call('HINCRBY', h, f, delta) end
          end
          dirty[h] = true
        end
        for hll, visitors in pairs(sketches) do
          redis.call('PFADD', hll, unpack(visitors))
          redis.call('EXPIRE', hll, {{L.RedisTtlSeconds}})
        end
        for h, _ in pairs(dirty) do
          redis.call('SADD', KEYS[3], h)
          redis.call('EXPIRE', h, {{L.RedisTtlSeconds}})
        end
        redis.call('XACK', KEYS[1], group, unpack(ids))
        return {}
        """;

    /// <summary>Runs the script for one batch: the entries' ids (all must still be this consumer's) and their deltas.</summary>
    /// <returns>Empty when applied and acknowledged; otherwise the ids another consumer took over (nothing applied).</returns>
    /// The stream, open sessions and dirty set are <paramref name="shard"/>'s, the same slot as its sites' keys.
    public static async Task<RedisResult[]> RunAsync(IDatabase db, List<RedisValue> ids, RollupDeltas deltas, string consumerName, int shard = 0) =>
        (RedisResult[])(await db.ScriptEvaluateAsync(
            Lua, [RedisKeys.EventsStreamOf(shard), RedisKeys.OpenSessionsOf(shard), L.DirtySetOf(shard)], Arguments(ids, deltas, consumerName)))!;

    /// <summary>The script's ARGV, built into one array of the exact size (issue 22's allocation profile: a growing list
    /// and its copy were a quarter of the aggregator's allocations).</summary>
    private static RedisValue[] Arguments(List<RedisValue> ids, RollupDeltas deltas, string consumerName)
    {
        // One ranged XPENDING (this consumer's entries between the batch's lowest and highest id) replaces a lookup per id.
        var (lowest, highest) = (ids[0], ids[0]);
        var (lowestKey, highestKey) = (StreamIdKey(ids[0]), StreamIdKey(ids[0]));
        foreach (var id in ids)
        {
            var key = StreamIdKey(id);
            if (key.CompareTo(lowestKey) < 0)
            {
                (lowest, lowestKey) = (id, key);
            }

            if (key.CompareTo(highestKey) > 0)
            {
                (highest, highestKey) = (id, key);
            }
        }

        // Grouped by sketch: (hll, v, v × visitor).
        var sketches = deltas.VisitorSketches.GroupBy(x => x.Hll, x => x.VisitorId).ToList();
        var size = 5 + ids.Count + 1 + (3 * deltas.Counters.Count) + 1 + (2 * sketches.Count) + deltas.VisitorSketches.Count + 1;
        foreach (var touch in deltas.Sessions)
        {
            size += SessionHead + (3 * touch.Dimensions.Count);
        }

        var args = new RedisValue[size];
        var i = 0;
        void Add(RedisValue value) => args[i++] = value;

        Add(AggregatorOptions.GroupName);
        Add(consumerName);
        Add(lowest);
        Add(highest);
        Add(ids.Count);
        foreach (var id in ids)
        {
            Add(id);
        }

        Add(deltas.Counters.Count);
        foreach (var ((hash, field), delta) in deltas.Counters)
        {
            Add(hash);
            Add(field);
            Add(delta);
        }

        Add(sketches.Count);
        foreach (var sketch in sketches)
        {
            Add(sketch.Key);
            Add(sketch.Count());
            foreach (var visitor in sketch)
            {
                Add(visitor);
            }
        }

        Add(deltas.Sessions.Count);
        foreach (var touch in deltas.Sessions)
        {
            // SessionHead values, then the touch's dimensions.
            Add(touch.SessionKey);
            Add(touch.OpenMember);
            Add(touch.Ts);
            Add(touch.PageviewPath?.Value ?? "");
            Add(touch.PageviewPath?.Real ?? "");
            Add(touch.Interactive ? "1" : "0");
            Add(touch.Target.HourHash);
            Add(touch.Target.DayHash);
            Add(touch.VisitorId);
            Add(touch.VisitorSketchHead);
            Add(touch.Dimensions.Count);
            foreach (var (dimension, value) in touch.Dimensions)
            {
                Add(dimension);
                Add(value.Value);
                Add(value.Real ?? "");
            }
        }

        return i == args.Length ? args : throw new InvalidOperationException($"The apply script's arguments came to {i}, not the {args.Length} counted.");
    }

    /// <summary>Arguments of a session touch before its dimensions (see the ARGV layout above).</summary>
    private const int SessionHead = 11;

    private static (long Ms, long Seq) StreamIdKey(RedisValue id)
    {
        var text = id.ToString();
        var dash = text.IndexOf('-');
        return (long.Parse(text.AsSpan(0, dash)), long.Parse(text.AsSpan(dash + 1)));
    }
}
