using System.Globalization;

namespace LiveInsight.Core.Events;

/// <summary>
/// Every Redis key LiveInsight uses (the rollups' own are <see cref="Stats.RollupLayout"/>'s), how long each lives, and the field names of the hashes whose fields are not rollup metrics (those are
/// <see cref="Stats.RollupLayout"/>'s). Per-site keys carry the site id as a hash tag (<c>li:{site}:…</c>), so a site's
/// keys stay together; with N shards (<see cref="RedisShards"/>) the tag is the site's shard instead
/// (<c>li:{s3}site:…</c>), and the events stream, the open sessions and the rollups' dirty set are one per shard, so
/// one script's keys share a slot. The salts and the read cache stay global (never in a script with others). Lua scripts get these
/// names from here (as KEYS/ARGV or interpolated into the script's text), never typed again: a test fails on any
/// quoted name in a script that this class or RollupLayout does not produce.
/// </summary>
public static class RedisKeys
{
    /// <summary>The events stream of the single-shard layout (shard 0 of one); <see cref="EventsStreamOf"/> names any shard's.</summary>
    public const string EventsStream = "li:events";

    /// <summary>The events stream of one shard: <c>li:events</c> with one shard, else <c>li:{s3}:events</c>.</summary>
    public static string EventsStreamOf(int shard) => EventsStreamOf(shard, RedisShards.Count);

    /// <summary>The events stream of one shard in a layout of <paramref name="shards"/> shards.</summary>
    public static string EventsStreamOf(int shard, int shards) => shards > 1 ? $"li:{{{RedisShards.Tag(shard)}}}:events" : EventsStream;

    /// <summary>The events stream a site's events go to.</summary>
    public static string EventsStreamFor(string siteId) => EventsStreamOf(RedisShards.Of(siteId));

    /// <summary>What every key of one site starts with: <c>li:{site}:</c> with one shard, <c>li:{s3}site:</c> with N (the
    /// hash tag is then the site's shard, shared with that shard's stream).</summary>
    public static string SitePrefix(string siteId) => SitePrefix(siteId, RedisShards.Count);

    /// <summary>What every key of one site starts with in a layout of <paramref name="shards"/> shards (re-sharding
    /// moves keys from one layout's prefix to another's).</summary>
    public static string SitePrefix(string siteId, int shards) =>
        shards > 1 ? $"li:{{{RedisShards.Tag(RedisShards.Of(siteId, shards))}}}{siteId}:" : $"li:{{{siteId}}}:";
    public const string StreamField = "e";

    /// <summary>String: which aggregator replica compacts the event lake now (a lease, SET NX PX, renewed per site-day).</summary>
    public const string LakeCompactionLease = "li:lake:compaction";

    public static string Salt(DateOnly utcDay) => $"li:salt:{utcDay:yyyy-MM-dd}";

    /// <summary>Visitors (HyperLogLog) of one UTC hour.</summary>
    public static string HourVisitors(string siteId, DateTimeOffset utcHour) =>
        $"{SitePrefix(siteId)}hll:h:{utcHour.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture)}";

    /// <summary>Visitors (HyperLogLog) of one day in the site's time zone.</summary>
    public static string DayVisitors(string siteId, DateOnly siteDay) =>
        $"{SitePrefix(siteId)}hll:d:{siteDay.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";

    /// <summary>String: the session derived for a visitor whose tracker keeps none (Plausible's, Umami's), alive while the
    /// visitor is active and gone after the idle timeout, so the next event starts a new session.</summary>
    public static string DerivedSession(string siteId, string visitorId) => $"{SitePrefix(siteId)}ds:{visitorId}";

    /// <summary>Sorted set: visitor id → last seen (Unix ms).</summary>
    public static string RealtimeVisitors(string siteId) => $"{SitePrefix(siteId)}rt:visitors";

    /// <summary>Sorted set: session id → last seen (Unix ms).</summary>
    public static string RealtimeSessions(string siteId) => $"{SitePrefix(siteId)}rt:sessions";

    /// <summary>Hash: session id → current path. A field goes when ingestion trims its session out of
    /// <see cref="RealtimeSessions"/>, so it holds the sessions of the realtime window only. (Named <c>rt:paths</c>, not
    /// the former <c>rt:pages</c>, whose fields were never removed: that key now just expires.)</summary>
    public static string RealtimePages(string siteId) => $"{SitePrefix(siteId)}rt:paths";

    /// <summary>Hash: what one site spent of its ingestion quotas in one UTC minute, fields <c>requests</c>,
    /// <c>events</c> and <c>bytes</c> (shared by every Api replica; expires after two minutes). A new name, not the
    /// old request counter <c>:rl:</c> (a string), so replicas of both versions can run side by side.</summary>
    public static string QuotaThisMinute(string siteId, DateTimeOffset now) =>
        $"{SitePrefix(siteId)}quota:{now.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)}";

    /// <summary>Hash: <c>pk:&lt;public key&gt;</c> or <c>sk:&lt;secret key hash&gt;</c> → when the key was last used (Unix ms,
    /// to the minute: each replica records a key at most once a minute).</summary>
    public static string KeysLastUsed(string siteId) => $"{SitePrefix(siteId)}keys:last-used";

    /// <summary>Unauthenticated requests from one masked client address in one UTC minute.</summary>
    public static string UnauthenticatedThisMinute(string maskedIp, DateTimeOffset now) =>
        $"li:rlip:{maskedIp}:{now.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)}";

    /// <summary>Hash of event ids already taken (fields: 8-byte hashes of the ids), bucketed by the hour of the event's
    /// own timestamp, so a retried event (same id, same timestamp) always meets its first copy. Every field is an event
    /// that passed the site's event quota, so a site adds at most its events per minute (plus one batch) a minute.</summary>
    public static string SeenEvents(string siteId, DateTimeOffset eventHour) =>
        $"{SitePrefix(siteId)}seen:{eventHour.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture)}";

    /// <summary>Fields of <see cref="QuotaThisMinute"/>.</summary>
    public static class QuotaFields
    {
        public const string Requests = "requests";
        public const string Events = "events";
        public const string Bytes = "bytes";
    }

    /// <summary>Hash of one open session (the aggregator's), fields in <see cref="SessionFields"/>. Built from
    /// <see cref="SessionKeyHead"/> and <see cref="SessionKeyMiddle"/>, which the session closer's script uses to build
    /// the key from an <see cref="OpenSessionsOf"/> member.</summary>
    public static string Session(string siteId, string sessionId) =>
        $"{SessionKeyHead(RedisShards.Of(siteId))}{siteId}{SessionKeyMiddle}{sessionId}";

    /// <summary>What a session key of a site of <paramref name="shard"/> has before the site id.</summary>
    public static string SessionKeyHead(int shard) => RedisShards.Sharded ? $"li:{{{RedisShards.Tag(shard)}}}" : "li:{";

    /// <summary>What a session key has between the site id and the session id.</summary>
    public static string SessionKeyMiddle => RedisShards.Sharded ? ":sess:" : "}:sess:";

    /// <summary>Open sessions of the single-shard layout; <see cref="OpenSessionsOf"/> names any shard's.</summary>
    public const string OpenSessions = "li:sessions:open";

    /// <summary>Open sessions of one shard's sites, scored by their last activity (Unix ms); members are
    /// <c>{site}|{session}</c> (<see cref="OpenSessionMember"/>).</summary>
    public static string OpenSessionsOf(int shard) => OpenSessionsOf(shard, RedisShards.Count);

    /// <summary>Open sessions of one shard in a layout of <paramref name="shards"/> shards.</summary>
    public static string OpenSessionsOf(int shard, int shards) => shards > 1 ? $"li:{{{RedisShards.Tag(shard)}}}:sessions:open" : OpenSessions;

    public const string OpenSessionSeparator = "|";

    public static string OpenSessionMember(string siteId, string sessionId) => $"{siteId}{OpenSessionSeparator}{sessionId}";

    /// <summary>An open session's hash lives this long after its last touch (a session closes after 30 idle minutes).</summary>
    public const int SessionTtlSeconds = 2 * 24 * 3600;

    /// <summary>Fields of <see cref="Session"/>.</summary>
    public static class SessionFields
    {
        public const string Start = "start";
        public const string Last = "last";
        public const string Pages = "pages";
        public const string HourHash = "hh";
        public const string DayHash = "dh";
        public const string Entry = "entry";

        /// <summary>The ts of the page view that is the entry: the earliest one wins (equal ts: the smaller path), whatever
        /// order they arrive in. A session opened before this field existed has none: its entry counts as at its start.</summary>
        public const string EntryTs = "entry_ts";
        public const string Exit = "exit";

        /// <summary>The ts of the page view that is the exit: the latest one wins, whatever order they arrive in.</summary>
        public const string ExitTs = "exit_ts";
        public const string Interactive = "interactive";
        public const string Closed = "closed";

        /// <summary>Set once the apply script books the session's bounce, duration and exit as it changes. A session
        /// opened by an older aggregator has none: the closer books those whole when it ends.</summary>
        public const string Live = "live";

        /// <summary>Prefix of the session's value of a dimension as the rollups count it (<c>d:source</c>).</summary>
        public const string DimensionPrefix = "d:";

        /// <summary>Prefix of a real value where the rollups count <c>(other)</c> (<c>x:entry</c>, <c>x:source</c>).</summary>
        public const string RealPrefix = "x:";
    }

    /// <summary>HybridCache's second level: every cache entry of the read side is a key under this prefix.</summary>
    public const string ReadCachePrefix = "li:cache:";

    /// <summary>Uncached stats queries of one site in one UTC minute.</summary>
    public static string StatsQueriesThisMinute(string siteId, DateTimeOffset now) =>
        $"li:rlstats:{siteId}:{now.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)}";

    /// <summary>The installation check's rings (issue 23): the site's last events received and last drops with their
    /// reasons, newest first, at most <see cref="InstallationRingLength"/> each, for <see cref="Ttl.InstallationSeconds"/>.</summary>
    public static string InstallationReceived(string siteId) => $"{SitePrefix(siteId)}install:received";

    public static string InstallationDropped(string siteId) => $"{SitePrefix(siteId)}install:dropped";

    public const int InstallationRingLength = 20;

    /// <summary>Prefix of the short-lived keys one visitors query SETs stored sketches into, beside the site's keys.</summary>
    public static string VisitorScratchPrefix(string siteId) => $"{SitePrefix(siteId)}tmp:{Guid.NewGuid():N}:";

    /// <summary>How long ingestion's keys live after their last write: dedupe hashes a little over the day in which a
    /// retry is still accepted, visitor sketches until the flusher has persisted their buckets many times over, realtime
    /// sets an hour past their 5-minute window, and keys' last-use stamps for 400 days.</summary>
    public static class Ttl
    {
        public const int SeenEventsSeconds = 25 * 3600;
        public const int HourVisitorsSeconds = 48 * 3600;
        public const int DayVisitorsSeconds = 72 * 3600;
        public const int RealtimeSeconds = 3600;
        public const int KeysLastUsedSeconds = 400 * 24 * 3600;
        public const int InstallationSeconds = 24 * 3600;
    }
}
