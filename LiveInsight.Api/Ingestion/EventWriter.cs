using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LiveInsight.Core.Events;
using StackExchange.Redis;
using Q = LiveInsight.Core.Events.RedisKeys.QuotaFields;

namespace LiveInsight.Api.Ingestion;

/// <summary>
/// Writes a batch in ONE Redis round trip (a Lua script, atomic). First the site's quotas of this minute: requests,
/// events and payload bytes (<see cref="IngestQuota"/>). Then per event: HSETNX on an 8-byte hash of its id (a repeat
/// is reported back as a duplicate) and, when new, XADD to the events stream. Per request, once: PFADD of the distinct
/// visitors into the site's hour and day HyperLogLogs (idempotent, so repeats do no harm) and the realtime sorted sets,
/// then a bounded trim of those sets (and of the sessions' current pages) to the realtime window.
/// Key expiries are sent only now and then. Requests that wait while their shard's calls are in flight share the next
/// call (group commit, <see cref="WriteAsync"/>): the sketches, realtime sets, quota writes and trims then go once per
/// key for the whole call.
/// The stream is never capped here: a MAXLEN could drop entries the aggregator has not read. The aggregator trims
/// what it has acknowledged instead (XTRIM MINID); the byte quota bounds how fast it can grow meanwhile.
/// </summary>
public sealed class EventWriter(IConnectionMultiplexer redis, TimeProvider time)
{
    /// <summary>Realtime entries older than the read side's 5-minute window, plus a minute for clocks of replicas that
    /// disagree a little, are trimmed.</summary>
    private static readonly TimeSpan RealtimeKeep = TimeSpan.FromMinutes(6);
    private static readonly TimeSpan RealtimeFreshness = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan ExpiryRefresh = TimeSpan.FromMinutes(10);

    /// <summary>Old realtime entries removed per site and call for each request of that site in the call, up to two
    /// requests' worth: twice what one request can add (one session per event), and a call adds at most
    /// <see cref="MaxEventsPerCall"/> sessions, so trimming always outruns growth, and no script ever runs long (Redis
    /// serves nobody while it runs).</summary>
    public const int TrimStep = 2 * IngestionLimits.MaxEventsPerBatch;

    /// <summary>Requests of one shard sent in one script call, at most (a group commit: see <see cref="WriteAsync"/>).</summary>
    public const int MaxRequestsPerCall = 32;

    /// <summary>Events of one shard sent in one script call, at most (a single larger request still goes alone): Redis
    /// serves nobody while a script runs, so a call stays around a millisecond even when many requests wait.</summary>
    public const int MaxEventsPerCall = 2 * IngestionLimits.MaxEventsPerBatch;

    /// <summary>Script calls in flight per shard: one is being run by Redis while the next group is on its way.</summary>
    private const int CallsInFlightPerShard = 2;

    // KEYS: the shard's stream. ARGV: r, then r requests, each:
    //   realtime visitors, realtime sessions, realtime pages, this minute's quota hash, keys' last use (keys),
    //   now, cutoff, requests allowed per minute (0: no limit, then no quota at all), events allowed, bytes allowed,
    //   key field to stamp with now ('' = none), payload bytes of this batch, n, size of this section,
    //   then n × (seen key, event id hash, payload),
    //   then h, h × (hll key, visitor id),
    //   then realtime visitor ('' = none), s, s × (session id, path), then x, x × (key, ttl seconds).
    // Returns one reply per request: the indexes of its duplicates, or {-1, which limit} (1 requests, 2 events,
    // 3 bytes) when over a quota. Requests are decided one after the other, each against its own quota and the
    // running totals (read once per quota hash, written back once per hash), and dedupe and XADD run per event in
    // order; what is idempotent or last-wins (sketches, realtime sets, current paths, trims) is then sent once per key
    // for the whole call. So every request gets what a call of its own would have given, for fewer commands.
    private static readonly string Script = $$"""
        local replies = {}
        local quotas, quotaOrder = {}, {}
        local adds, addOrder = {}, {}
        local trims, trimOrder = {}, {}
        local expiries = {}
        local function add(command, key, a, b)
          local list = adds[key]
          if not list then list = {command}; adds[key] = list; addOrder[#addOrder + 1] = key end
          list[#list + 1] = a
          if b ~= nil then list[#list + 1] = b end
        end
        local i = 2
        for r = 1, tonumber(ARGV[1]) do
          local rtVisitors, rtSessions, rtPaths, quota, lastUsed = ARGV[i], ARGV[i+1], ARGV[i+2], ARGV[i+3], ARGV[i+4]
          local now, cutoff = ARGV[i+5], tonumber(ARGV[i+6])
          local limit, eventsAllowed, bytesAllowed = tonumber(ARGV[i+7]), tonumber(ARGV[i+8]), tonumber(ARGV[i+9])
          local field, bytes, n = ARGV[i+10], tonumber(ARGV[i+11]), tonumber(ARGV[i+12])
          local after = i + tonumber(ARGV[i+13])
          i = i + 14
          local refused = nil
          if field ~= '' then
            redis.call('HSET', lastUsed, field, now)
            redis.call('EXPIRE', lastUsed, {{RedisKeys.Ttl.KeysLastUsedSeconds}})
          end
          if limit > 0 then
            local q = quotas[quota]
            if not q then
              local spent = redis.call('HMGET', quota, '{{Q.Requests}}', '{{Q.Events}}', '{{Q.Bytes}}')
              q = {tonumber(spent[1] or '0'), tonumber(spent[2] or '0'), tonumber(spent[3] or '0'), 0, 0, 0}
              quotas[quota] = q
              quotaOrder[#quotaOrder + 1] = quota
            end
            -- Every request counts, refused or not. Events and bytes: refused once the minute's total has reached the
            -- limit, so a minute takes at most the limit plus one batch, and no batch is too big to ever pass.
            q[1] = q[1] + 1; q[4] = q[4] + 1
            if q[1] > limit then refused = {-1, 1}
            elseif eventsAllowed > 0 and q[2] >= eventsAllowed then refused = {-1, 2}
            elseif bytesAllowed > 0 and q[3] >= bytesAllowed then refused = {-1, 3}
            elseif n > 0 then
              q[2] = q[2] + n; q[5] = q[5] + n
              q[3] = q[3] + bytes; q[6] = q[6] + bytes
            end
          end
          if refused then
            replies[r] = refused
          else
            local dups = {}
            for e = 1, n do
              if redis.call('HSETNX', ARGV[i], ARGV[i+1], 1) == 1 then
                redis.call('XADD', KEYS[1], '*', '{{RedisKeys.StreamField}}', ARGV[i+2])
              else
                dups[#dups + 1] = e - 1
              end
              i = i + 3
            end
            local h = tonumber(ARGV[i]); i = i + 1
            for _ = 1, h do add('PFADD', ARGV[i], ARGV[i+1]); i = i + 2 end
            local visitor = ARGV[i]; i = i + 1
            if visitor ~= '' then add('ZADD', rtVisitors, now, visitor) end
            local s = tonumber(ARGV[i]); i = i + 1
            for _ = 1, s do
              add('ZADD', rtSessions, now, ARGV[i])
              if ARGV[i+1] ~= '' then add('HSET', rtPaths, ARGV[i], ARGV[i+1]) end
              i = i + 2
            end
            local x = tonumber(ARGV[i]); i = i + 1
            -- After the keys exist: sketches and realtime sets are made by the adds at the end.
            for _ = 1, x do expiries[#expiries + 1] = i; i = i + 2 end
            local t = trims[rtSessions]
            if not t then
              t = {rtPaths, rtVisitors, cutoff, 0}; trims[rtSessions] = t; trimOrder[#trimOrder + 1] = rtSessions
            end
            if cutoff > t[3] then t[3] = cutoff end
            if t[4] < 2 then t[4] = t[4] + 1 end
            replies[r] = dups
          end
          i = after
        end
        for _, key in ipairs(quotaOrder) do
          local q = quotas[key]
          local used = redis.call('HINCRBY', key, '{{Q.Requests}}', q[4])
          if used == q[4] then redis.call('EXPIRE', key, 120) end
          if q[5] > 0 then redis.call('HINCRBY', key, '{{Q.Events}}', q[5]) end
          if q[6] > 0 then redis.call('HINCRBY', key, '{{Q.Bytes}}', q[6]) end
        end
        -- In the order the requests came: a session's last path wins, as it would one request after the other.
        for _, key in ipairs(addOrder) do
          local list = adds[key]
          redis.call(list[1], key, unpack(list, 2))
        end
        for _, at in ipairs(expiries) do redis.call('EXPIRE', ARGV[at], ARGV[at + 1]) end
        for _, sessions in ipairs(trimOrder) do
          local t = trims[sessions]
          -- The oldest entries sort first: the ranks 0..k-1 are exactly the k old ones just listed.
          local gone = redis.call('ZRANGEBYSCORE', sessions, '-inf', t[3], 'LIMIT', 0, {{TrimStep}} * t[4])
          if #gone > 0 then
            redis.call('HDEL', t[1], unpack(gone))
            redis.call('ZREMRANGEBYRANK', sessions, 0, #gone - 1)
          end
          local left = #redis.call('ZRANGEBYSCORE', t[2], '-inf', t[3], 'LIMIT', 0, {{TrimStep}} * t[4])
          if left > 0 then redis.call('ZREMRANGEBYRANK', t[2], 0, left - 1) end
        end
        return replies
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
    /// Writes the events unless the site used up one of its quotas for this minute (counted in the same script, so
    /// the quotas are shared by every Api replica and cost no extra round trip). An empty batch (every event dropped
    /// by the pipeline) still counts as a request.
    /// </summary>
    /// <remarks>
    /// Requests of one shard that arrive while that shard's calls are in flight are sent together in the next call
    /// (group commit: at most <see cref="MaxRequestsPerCall"/> requests and <see cref="MaxEventsPerCall"/> events a
    /// call). Each request keeps its own section, quota check and reply, so the outcome of every request is what a call
    /// of its own would have given; only the fixed cost of a call (the round trip, the script's start, the client's
    /// write lock) is shared. A request still answers only after Redis took its events.
    /// </remarks>
    /// <returns>Indexes (into <paramref name="events"/>) of events already taken earlier, or the quota that was reached.</returns>
    /// <param name="keyUsedField">The <see cref="Sites.KeyUsage"/> field of the key to stamp as used now, or null
    /// (the caller asks only once a minute per key, so this costs the hot path nothing measurable).</param>
    public Task<WriteResult> WriteAsync(
        string siteId, TimeZoneInfo siteZone, IngestQuota quota, IReadOnlyList<StreamEvent> events, string? keyUsedField = null)
    {
        var pending = new PendingWrite(Section(siteId, siteZone, quota, events, keyUsedField), events.Count);
        var shard = _shards.GetOrAdd(RedisKeys.EventsStreamFor(siteId), static stream => new ShardQueue(stream));
        bool send;
        lock (shard)
        {
            shard.Queue.Enqueue(pending);
            send = shard.Calls < CallsInFlightPerShard;
            if (send)
            {
                shard.Calls++;
            }
        }

        if (send)
        {
            _ = SendWhileQueuedAsync(shard);
        }

        return pending.Result.Task;
    }

    /// <summary>One request's section of the script's arguments (see the script's header), built on the request's thread.</summary>
    private RedisValue[] Section(string siteId, TimeZoneInfo siteZone, IngestQuota quota, IReadOnlyList<StreamEvent> events, string? keyUsedField)
    {
        var now = time.GetUtcNow();
        var payloads = new byte[events.Count][];
        long payloadBytes = 0;
        for (var index = 0; index < events.Count; index++)
        {
            payloads[index] = JsonSerializer.SerializeToUtf8Bytes(events[index], StreamEventJsonContext.Default.StreamEvent);
            payloadBytes += payloads[index].Length;
        }

        var realtime = new[] { RedisKeys.RealtimeVisitors(siteId), RedisKeys.RealtimeSessions(siteId), RedisKeys.RealtimePages(siteId) };
        var args = new List<RedisValue>(24 + events.Count * 3)
        {
            realtime[0],
            realtime[1],
            realtime[2],
            RedisKeys.QuotaThisMinute(siteId, now),
            RedisKeys.KeysLastUsed(siteId),
            now.ToUnixTimeMilliseconds(),
            (now - RealtimeKeep).ToUnixTimeMilliseconds(),
            quota.RequestsPerMinute,
            quota.EventsPerMinute,
            quota.BytesPerMinute,
            keyUsedField ?? "",
            payloadBytes,
            events.Count,
            RedisValue.Null, // the section's size, set below
        };
        var expiries = new List<(string Key, int Ttl)>();
        var visitors = new HashSet<(string Key, string VisitorId)>();
        var sessions = new Dictionary<string, string>();
        string realtimeVisitor = "";
        HourKeys? hourKeys = null;
        (DateOnly Day, string Key) dayKey = (DateOnly.MinValue, "");
        for (var index = 0; index < events.Count; index++)
        {
            var e = events[index];
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
            args.Add(SeenField(e.EventId));
            args.Add(payloads[index]);
            AddExpiry(expiries, hourKeys.Seen, RedisKeys.Ttl.SeenEventsSeconds, now);
            AddVisitor(visitors, expiries, hourKeys.HourVisitors, e.VisitorId, RedisKeys.Ttl.HourVisitorsSeconds, now);
            AddVisitor(visitors, expiries, dayKey.Key, e.VisitorId, RedisKeys.Ttl.DayVisitorsSeconds, now);
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

        foreach (var key in realtime)
        {
            AddExpiry(expiries, key, RedisKeys.Ttl.RealtimeSeconds, now);
        }

        args.Add(expiries.Count);
        foreach (var (key, ttl) in expiries)
        {
            args.Add(key);
            args.Add(ttl);
        }

        args[SectionSizeIndex] = args.Count;
        return args.ToArray();
    }

    private const int SectionSizeIndex = 13;

    /// <summary>Queued requests of one shard and how many calls for it are in flight (both under the queue's lock).</summary>
    private sealed class ShardQueue(string stream)
    {
        public RedisKey[] Keys { get; } = [stream];
        public Queue<PendingWrite> Queue { get; } = new();
        public int Calls { get; set; }
    }

    private sealed class PendingWrite(RedisValue[] section, int events)
    {
        public RedisValue[] Section { get; } = section;
        public int Events { get; } = events;
        public TaskCompletionSource<WriteResult> Result { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    /// <summary>One stream per shard, so this holds at most one entry per shard.</summary>
    private readonly ConcurrentDictionary<string, ShardQueue> _shards = new(StringComparer.Ordinal);

    /// <summary>Sends what is queued for the shard, one bounded group per call, until the queue is empty.</summary>
    private async Task SendWhileQueuedAsync(ShardQueue shard)
    {
        while (true)
        {
            List<PendingWrite> group;
            lock (shard)
            {
                if (shard.Queue.Count == 0)
                {
                    shard.Calls--;
                    return;
                }

                group = TakeGroup(shard.Queue);
            }

            await SendAsync(shard.Keys, group);
        }
    }

    /// <summary>The oldest queued requests, within <see cref="MaxRequestsPerCall"/> and <see cref="MaxEventsPerCall"/>
    /// (the first is always taken, whatever its size).</summary>
    private static List<PendingWrite> TakeGroup(Queue<PendingWrite> queue)
    {
        var group = new List<PendingWrite> { queue.Dequeue() };
        var events = group[0].Events;
        while (group.Count < MaxRequestsPerCall && queue.TryPeek(out var next) && events + next.Events <= MaxEventsPerCall)
        {
            group.Add(queue.Dequeue());
            events += next.Events;
        }

        return group;
    }

    private async Task SendAsync(RedisKey[] keys, List<PendingWrite> group)
    {
        try
        {
            var length = 1;
            foreach (var pending in group)
            {
                length += pending.Section.Length;
            }

            var args = new RedisValue[length];
            args[0] = group.Count;
            var at = 1;
            foreach (var pending in group)
            {
                pending.Section.CopyTo(args, at);
                at += pending.Section.Length;
            }

            var replies = (RedisResult[])(await EvaluateAsync(keys, args))!;
            for (var r = 0; r < group.Count; r++)
            {
                var reply = (RedisResult[])replies[r]!;
                var result = new int[reply.Length];
                for (var k = 0; k < reply.Length; k++)
                {
                    result[k] = (int)reply[k];
                }

                group[r].Result.TrySetResult(result is [-1, var which] ? WriteResult.Over((QuotaLimit)which) : new WriteResult(result, null));
            }
        }
        catch (Exception e)
        {
            // Every request of the group meets the failure (a 503 for each), none is left waiting.
            foreach (var pending in group)
            {
                pending.Result.TrySetException(e);
            }
        }
    }

    /// <summary>
    /// The dedupe field of an event id: its SHA-256 cut to 8 bytes. Ids are up to 64 characters of the client's
    /// choosing; a fixed 8-byte field costs about 58 bytes of Redis per event instead of about 90 for a 36-character
    /// UUID, and the quota bounds how many there are. Two ids of one site and hour would have to collide in 64 bits
    /// for a real event to be taken for a repeat (odds of about 1 in 25 million over a full hour at the default quota).
    /// </summary>
    public static byte[] SeenField(string eventId) => SHA256.HashData(Encoding.UTF8.GetBytes(eventId))[..8];

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

/// <summary>Which of a site's per-minute quotas a request ran into.</summary>
public enum QuotaLimit
{
    Requests = 1,
    Events = 2,
    Bytes = 3,
}

/// <summary>A site's allowance per UTC minute: requests, events and stream payload bytes (0: no limit).</summary>
public sealed record IngestQuota(int RequestsPerMinute, long EventsPerMinute, long BytesPerMinute);

public sealed record WriteResult(IReadOnlyList<int> Duplicates, QuotaLimit? Exceeded)
{
    public static WriteResult Over(QuotaLimit limit) => new([], limit);
}
