using System.Globalization;

namespace LiveInsight.Core.Events;

/// <summary>
/// Every Redis key LiveInsight uses. Per-site keys carry the site id as a hash tag (<c>li:{site}:…</c>), so a site's
/// keys stay together should Redis ever be sharded; the events stream and the salts are global.
/// </summary>
public static class RedisKeys
{
    public const string EventsStream = "li:events";
    public const string StreamField = "e";

    public static string Salt(DateOnly utcDay) => $"li:salt:{utcDay:yyyy-MM-dd}";

    /// <summary>Visitors (HyperLogLog) of one UTC hour.</summary>
    public static string HourVisitors(string siteId, DateTimeOffset utcHour) =>
        $"li:{{{siteId}}}:hll:h:{utcHour.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture)}";

    /// <summary>Visitors (HyperLogLog) of one day in the site's time zone.</summary>
    public static string DayVisitors(string siteId, DateOnly siteDay) =>
        $"li:{{{siteId}}}:hll:d:{siteDay.ToString("yyyyMMdd", CultureInfo.InvariantCulture)}";

    /// <summary>Sorted set: visitor id → last seen (Unix ms).</summary>
    public static string RealtimeVisitors(string siteId) => $"li:{{{siteId}}}:rt:visitors";

    /// <summary>Sorted set: session id → last seen (Unix ms).</summary>
    public static string RealtimeSessions(string siteId) => $"li:{{{siteId}}}:rt:sessions";

    /// <summary>Hash: session id → current path. A field goes when ingestion trims its session out of
    /// <see cref="RealtimeSessions"/>, so it holds the sessions of the realtime window only. (Named <c>rt:paths</c>, not
    /// the former <c>rt:pages</c>, whose fields were never removed: that key now just expires.)</summary>
    public static string RealtimePages(string siteId) => $"li:{{{siteId}}}:rt:paths";

    /// <summary>Hash: what one site spent of its ingestion quotas in one UTC minute, fields <c>requests</c>,
    /// <c>events</c> and <c>bytes</c> (shared by every Api replica; expires after two minutes). A new name, not the
    /// old request counter <c>:rl:</c> (a string), so replicas of both versions can run side by side.</summary>
    public static string QuotaThisMinute(string siteId, DateTimeOffset now) =>
        $"li:{{{siteId}}}:quota:{now.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)}";

    /// <summary>Hash: <c>pk:&lt;public key&gt;</c> or <c>sk:&lt;secret key hash&gt;</c> → when the key was last used (Unix ms,
    /// to the minute: each replica records a key at most once a minute).</summary>
    public static string KeysLastUsed(string siteId) => $"li:{{{siteId}}}:keys:last-used";

    /// <summary>Unauthenticated requests from one masked client address in one UTC minute.</summary>
    public static string UnauthenticatedThisMinute(string maskedIp, DateTimeOffset now) =>
        $"li:rlip:{maskedIp}:{now.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture)}";

    /// <summary>Hash of event ids already taken (fields: 8-byte hashes of the ids), bucketed by the hour of the event's
    /// own timestamp, so a retried event (same id, same timestamp) always meets its first copy. Every field is an event
    /// that passed the site's event quota, so a site adds at most its events per minute (plus one batch) a minute.</summary>
    public static string SeenEvents(string siteId, DateTimeOffset eventHour) =>
        $"li:{{{siteId}}}:seen:{eventHour.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture)}";
}
