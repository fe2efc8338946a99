using System.Buffers;
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
        var keys = KeysOf(siteId);
        var (section, length) = Section(keys, siteZone, quota, events, keyUsedField);
        var pending = new PendingWrite(section, length, events.Count);
        var shard = _shards.GetOrAdd(keys.Stream, static stream => new ShardQueue(stream));
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

    /// <summary>One request's section of the script's arguments (see the script's header), built on the request's thread
    /// into an array rented from the pool (returned once the section is copied into its call), with keys kept per site.</summary>
    private (RedisValue[] Section, int Length) Section(
        SiteKeys keys, TimeZoneInfo siteZone, IngestQuota quota, IReadOnlyList<StreamEvent> events, string? keyUsedField)
    {
        var now = time.GetUtcNow();
        var scratch = _scratch ??= new Scratch();
        scratch.Clear();
        var (expiries, visitors, sessions) = (scratch.Expiries, scratch.Visitors, scratch.Sessions);
        var args = ArrayPool<RedisValue>.Shared.Rent(MaxSectionLength(events.Count));
        long payloadBytes = 0;
        var at = SectionHeaderLength;
        string realtimeVisitor = "";
        for (var index = 0; index < events.Count; index++)
        {
            var e = events[index];
            var eventAt = DateTimeOffset.FromUnixTimeMilliseconds(e.Ts);
            var hourKeys = keys.Hour(e.Ts / 3_600_000, eventAt);
            var dayKey = keys.Day(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(eventAt, siteZone).DateTime));
            var payload = JsonSerializer.SerializeToUtf8Bytes(e, StreamEventJsonContext.Default.StreamEvent);
            payloadBytes += payload.Length;
            args[at++] = hourKeys.Seen;
            args[at++] = SeenField(e.EventId);
            args[at++] = payload;
            AddExpiry(expiries, hourKeys.Seen, RedisKeys.Ttl.SeenEventsSeconds, now);
            AddVisitor(visitors, expiries, hourKeys.HourVisitors, e.VisitorId, RedisKeys.Ttl.HourVisitorsSeconds, now);
            AddVisitor(visitors, expiries, dayKey, e.VisitorId, RedisKeys.Ttl.DayVisitorsSeconds, now);
            if (now - eventAt <= RealtimeFreshness)
            {
                // Offline replays are counted but must not light up "who is here now".
                realtimeVisitor = e.VisitorId;
                if (e.SessionId is { } session)
                {
                    sessions[session] = e.EventType == "page_view" ? e.Path ?? "" : sessions.GetValueOrDefault(session, "");
                }
            }
        }

        args[0] = keys.RealtimeVisitors;
        args[1] = keys.RealtimeSessions;
        args[2] = keys.RealtimePages;
        args[3] = keys.QuotaOf(now);
        args[4] = keys.KeysLastUsed;
        args[5] = now.ToUnixTimeMilliseconds();
        args[6] = (now - RealtimeKeep).ToUnixTimeMilliseconds();
        args[7] = quota.RequestsPerMinute;
        args[8] = quota.EventsPerMinute;
        args[9] = quota.BytesPerMinute;
        args[10] = keyUsedField ?? "";
        args[11] = payloadBytes;
        args[12] = events.Count;
        args[at++] = visitors.Count;
        foreach (var (key, visitorId) in visitors)
        {
            args[at++] = key;
            args[at++] = visitorId;
        }

        args[at++] = realtimeVisitor;
        args[at++] = sessions.Count;
        foreach (var (session, path) in sessions)
        {
            args[at++] = session;
            args[at++] = path;
        }

        AddExpiry(expiries, keys.RealtimeVisitors, RedisKeys.Ttl.RealtimeSeconds, now);
        AddExpiry(expiries, keys.RealtimeSessions, RedisKeys.Ttl.RealtimeSeconds, now);
        AddExpiry(expiries, keys.RealtimePages, RedisKeys.Ttl.RealtimeSeconds, now);
        args[at++] = expiries.Count;
        foreach (var (key, ttl) in expiries)
        {
            args[at++] = key;
            args[at++] = ttl;
        }

        args[SectionSizeIndex] = at;
        scratch.Clear();
        return (args, at);
    }

    private const int SectionHeaderLength = 14;

    /// <summary>The most a section of <paramref name="events"/> events can hold: the header, 3 per event, 2 per distinct
    /// (sketch, visitor) (two sketches per event), the realtime visitor, 2 per session, and 2 per expiry (the seen hash,
    /// two sketches per event and the three realtime keys), each list with its count.</summary>
    internal static int MaxSectionLength(int events) =>
        SectionHeaderLength + 3 * events + 1 + 2 * 2 * events + 1 + 1 + 2 * events + 1 + 2 * (3 * events + 3);

    /// <summary>Collections a section is built with, kept per thread: a section is built synchronously, start to end.</summary>
    private sealed class Scratch
    {
        public List<(string Key, int Ttl)> Expiries { get; } = [];
        public HashSet<(string Key, string VisitorId)> Visitors { get; } = [];
        public Dictionary<string, string> Sessions { get; } = new(StringComparer.Ordinal);

        public void Clear()
        {
            Expiries.Clear();
            Visitors.Clear();
            Sessions.Clear();
        }
    }

    [ThreadStatic]
    private static Scratch? _scratch;

    /// <summary>The keys of one site that ingestion writes, built once per site (and per minute, hour or day for the
    /// keys that carry one) instead of formatted again for every request. Each time-bound key is an immutable object
    /// replaced whole, so threads that race on a new minute only build it twice.</summary>
    private sealed class SiteKeys(string siteId)
    {
        public string SiteId { get; } = siteId;
        public string Stream { get; } = RedisKeys.EventsStreamFor(siteId);
        public string RealtimeVisitors { get; } = RedisKeys.RealtimeVisitors(siteId);
        public string RealtimeSessions { get; } = RedisKeys.RealtimeSessions(siteId);
        public string RealtimePages { get; } = RedisKeys.RealtimePages(siteId);
        public string KeysLastUsed { get; } = RedisKeys.KeysLastUsed(siteId);
        private HourKeys? _hour;
        private Tuple<long, string>? _minute;
        private Tuple<DateOnly, string>? _day;

        public HourKeys Hour(long hour, DateTimeOffset at) =>
            _hour is { } known && known.Hour == hour ? known : _hour = new HourKeys(hour, SiteId, at);

        public string QuotaOf(DateTimeOffset now)
        {
            var minute = now.ToUnixTimeSeconds() / 60;
            var known = _minute;
            if (known is null || known.Item1 != minute)
            {
                known = Tuple.Create(minute, RedisKeys.QuotaThisMinute(SiteId, now));
                _minute = known;
            }

            return known.Item2;
        }

        public string Day(DateOnly day)
        {
            var known = _day;
            if (known is null || known.Item1 != day)
            {
                known = Tuple.Create(day, RedisKeys.DayVisitors(SiteId, day));
                _day = known;
            }

            return known.Item2;
        }
    }

    /// <summary>Sites' keys; sites are made by admins, and past this many the whole map is rebuilt as requests come.</summary>
    private const int MaxSitesKept = 10_000;

    private readonly ConcurrentDictionary<string, SiteKeys> _siteKeys = new(StringComparer.Ordinal);

    private SiteKeys KeysOf(string siteId)
    {
        if (_siteKeys.TryGetValue(siteId, out var keys))
        {
            return keys;
        }

        if (_siteKeys.Count >= MaxSitesKept)
        {
            _siteKeys.Clear();
        }

        return _siteKeys.GetOrAdd(siteId, static id => new SiteKeys(id));
    }

    private const int SectionSizeIndex = 13;

    /// <summary>Queued requests of one shard and how many calls for it are in flight (both under the queue's lock).</summary>
    private sealed class ShardQueue(string stream)
    {
        public RedisKey[] Keys { get; } = [stream];
        public Queue<PendingWrite> Queue { get; } = new();
        public int Calls { get; set; }
    }

    private sealed class PendingWrite(RedisValue[] section, int length, int events)
    {
        /// <summary>Rented from the pool: the first <see cref="Length"/> entries are the section.</summary>
        public RedisValue[] Section { get; } = section;
        public int Length { get; } = length;
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
                length += pending.Length;
            }

            var args = new RedisValue[length];
            args[0] = group.Count;
            var at = 1;
            foreach (var pending in group)
            {
                pending.Section.AsSpan(0, pending.Length).CopyTo(args.AsSpan(at));
                at += pending.Length;
                // Cleared, so the pool holds no payloads or keys.
                ArrayPool<RedisValue>.Shared.Return(pending.Section, clearArray: true);
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
    public static byte[] SeenField(string eventId)
    {
        // Ids are capped at 64 characters by the pipeline; a longer one (a direct caller) takes the pool.
        var length = Encoding.UTF8.GetMaxByteCount(eventId.Length);
        byte[]? rented = null;
        var utf8 = length <= 256 ? stackalloc byte[256] : (rented = ArrayPool<byte>.Shared.Rent(length));
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(utf8[..Encoding.UTF8.GetBytes(eventId, utf8)], hash);
        if (rented is not null)
        {
            ArrayPool<byte>.Shared.Return(rented);
        }

        return hash[..8].ToArray();
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
