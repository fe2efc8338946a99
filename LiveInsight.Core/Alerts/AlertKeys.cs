using System.Globalization;

using LiveInsight.Core.Events;

namespace LiveInsight.Core.Alerts;

/// <summary>The Redis keys of alerts and reports (a separate file beside <see cref="Events.RedisKeys"/>, in Core as
/// every key is). Per-site keys carry the site's hash tag.</summary>
public static class AlertKeys
{
    /// <summary>String: which aggregator replica evaluates the rules this minute (SET NX PX, released after the pass).</summary>
    public const string EvaluationLease = "li:alerts:lease";

    /// <summary>String: which Api replica runs the report schedule this minute.</summary>
    public const string ReportLease = "li:reports:lease";

    /// <summary>String: the open episode of one rule (its start, Unix ms). SET NX opens it (only that replica sends the
    /// alert); DEL closes it (only the replica whose DEL removed it sends "resolved").</summary>
    public static string Episode(string siteId, string ruleId) => $"{RedisKeys.SitePrefix(siteId)}alert:{ruleId}:episode";

    /// <summary>String: the newest event the evaluator has seen in the site's realtime set (Unix ms), so "no events for
    /// M minutes" outlives the realtime window.</summary>
    public static string LastActivity(string siteId) => $"{RedisKeys.SitePrefix(siteId)}alert:last-activity";

    /// <summary>Counter: alert messages sent for one site in one UTC hour (the per-site hourly limit).</summary>
    public static string SentThisHour(string siteId, DateTimeOffset now) =>
        $"{RedisKeys.SitePrefix(siteId)}alert:sent:{now.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture)}";

    public const int EpisodeTtlSeconds = 30 * 24 * 3600;
    public const int LastActivityTtlSeconds = 8 * 24 * 3600;
    public const int SentThisHourTtlSeconds = 2 * 3600;
}
