using System.Globalization;
using LiveInsight.Core.Events;

namespace LiveInsight.Core.Stats;

/// <summary>Hour buckets are UTC; day buckets are days in the site's time zone.</summary>
public enum Granularity
{
    Hour,
    Day,
}

/// <summary>
/// The shape of every rollup, shared by the aggregator (writer) and the stats API (reader).
/// <para>In Redis, one hash per site, granularity and bucket: <c>li:{site}:r:h:2026112614</c> (UTC hour) or
/// <c>li:{site}:r:d:2026-11-26</c> (site-local day). Fields are <c>{dimension}|{value}|{metric}</c>, counters only
/// (HINCRBY), e.g. <c>summary||pageviews</c>, <c>page|/pricing|entries</c>, <c>source|Google|sessions</c>.</para>
/// <para>In DynamoDB (the Stats table), the same numbers as absolute values, one item per dimension value:
/// pk <c>{site}#{h|d}#{dimension}</c>, sk <c>{bucket}#{value}</c>, one Number attribute per metric; summary items
/// (and day items of pages, session dimensions and events) also hold <c>visitors</c> and the HyperLogLog sketch (<c>hll</c>, Binary, with
/// <c>hll_crc32</c>) so visitors over a range are a union, never a sum.</para>
/// <para>Readers take a bucket from Redis while its hash exists (it is the newest), otherwise from DynamoDB.</para>
/// </summary>
public static class RollupLayout
{
    public const string Summary = "summary";
    public const string Page = "page";
    public const string Source = "source";
    public const string Medium = "medium";
    public const string Referrer = "referrer";
    public const string UtmSource = "utm_source";
    public const string UtmMedium = "utm_medium";
    public const string UtmCampaign = "utm_campaign";
    public const string Browser = "browser";
    public const string Os = "os";
    public const string Device = "device";
    public const string Country = "country";
    public const string Event = "event";

    /// <summary>Dimensions whose values are counted per session (at the session's start, with its bounce and
    /// duration when it closes) and per page view.</summary>
    public static readonly string[] SessionDimensions =
        [Source, Medium, Referrer, UtmSource, UtmMedium, UtmCampaign, Browser, Os, Device, Country];

    // Metrics. Summary: all of them. Page: pageviews, entries, exits, engaged_ms, engaged_views, scroll_sum,
    // scroll_views, visitors. Session dimensions: sessions, pageviews, bounces, duration_ms, visitors. Event: events,
    // visitors. Prop: events. (Visitors only in day items of the Stats table, from the sketches; see ValueVisitorsHll.)
    public const string Pageviews = "pageviews";
    public const string Sessions = "sessions";
    public const string Bounces = "bounces";
    public const string DurationMs = "duration_ms";
    public const string Events = "events";
    public const string EngagedMs = "engaged_ms";
    public const string Entries = "entries";
    public const string Exits = "exits";
    public const string Visitors = "visitors";

    // Engagement and event props (issue 16). Page and summary: engaged_views = page views that reported engagement
    // (their first engagement event), scroll_sum = the sum of those page views' deepest scroll (percent),
    // scroll_views = those that reported a scroll depth. Time on page = engaged_ms / engaged_views; scroll depth =
    // scroll_sum / scroll_views. Dimension prop: one value per (custom event name, prop key, prop value), metric events.
    public const string EngagedViews = "engaged_views";
    public const string ScrollSum = "scroll_sum";
    public const string ScrollViews = "scroll_views";
    public const string Prop = "prop";

    /// <summary>Joins a custom event's name, a prop key and its value into one <see cref="Prop"/> value. U+001F is a
    /// control character, which ingestion strips from names, keys and values, so it cannot occur inside them (the
    /// aggregator replaces any that would with U+FFFD). The value comes last: <see cref="CapValue"/> only ever cuts it.</summary>
    public const char PropSeparator = '\u001F';

    public static string PropValue(string eventName, string key, string value) =>
        string.Concat(PropPart(eventName), PropSeparator.ToString(), PropPart(key), PropSeparator.ToString(), PropPart(value));

    /// <summary>The (event name, key, value) of a <see cref="Prop"/> value, or null for anything else ("(other)").</summary>
    public static (string EventName, string Key, string Value)? ParsePropValue(string propValue)
    {
        var first = propValue.IndexOf(PropSeparator);
        var second = first < 0 ? -1 : propValue.IndexOf(PropSeparator, first + 1);
        return second < 0 ? null : (propValue[..first], propValue[(first + 1)..second], propValue[(second + 1)..]);
    }

    private static string PropPart(string part) => part.Replace(PropSeparator, '\uFFFD');

    public static string GranularityCode(Granularity granularity) => granularity == Granularity.Hour ? "h" : "d";

    public static string Bucket(Granularity granularity, DateTimeOffset utc, TimeZoneInfo siteZone) =>
        granularity == Granularity.Hour
            ? utc.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture)
            : DayBucket(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(utc, siteZone).DateTime));

    public static string DayBucket(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static string RedisHash(string siteId, Granularity granularity, string bucket) =>
        $"{RedisKeys.SitePrefix(siteId)}r:{GranularityCode(granularity)}:{bucket}";

    public const string FieldSeparator = "|";

    public static string Field(string dimension, string value, string metric) => $"{dimension}{FieldSeparator}{value}{FieldSeparator}{metric}";

    /// <summary>Lua that defines <c>field(dimension, value, metric)</c>, the same as <see cref="Field"/>, for scripts that
    /// build field names from what Redis holds (put it at the top of the script).</summary>
    public const string LuaFieldFunction =
        $"local function field(dimension, value, metric) return dimension .. '{FieldSeparator}' .. value .. '{FieldSeparator}' .. metric end";

    /// <summary>Rollup hashes, page sketches and the cap's admitted-value sets live this long after their last change:
    /// long enough for the flusher to have written them to the Stats table many times over.</summary>
    public const int RedisTtlSeconds = 4 * 24 * 3600;

    /// <summary>Splits a hash field back into its parts; values may contain '|' (paths), so split from both ends.</summary>
    public static (string Dimension, string Value, string Metric) ParseField(string field)
    {
        var first = field.IndexOf('|');
        var last = field.LastIndexOf('|');
        return (field[..first], field[(first + 1)..last], field[(last + 1)..]);
    }

    public static string StatsPartitionKey(string siteId, Granularity granularity, string dimension) =>
        $"{siteId}#{GranularityCode(granularity)}#{dimension}";

    public static string StatsSortKey(string bucket, string value) => $"{bucket}#{value}";

    /// <summary>DynamoDB refuses a sort key over 1,024 bytes; a value's sort key adds its bucket and '#' (11 bytes).</summary>
    public const int MaxSortKeyBytes = 1024;

    /// <summary>The most UTF-8 bytes of a dimension value (a path, a campaign, …) kept in the rollups.</summary>
    public const int MaxValueBytes = 1000;

    /// <summary>The value cut to <see cref="MaxValueBytes"/> UTF-8 bytes, never inside a character, so that
    /// <see cref="StatsSortKey"/> always fits. Ingestion cuts at the source; the aggregator again, for older events.</summary>
    public static string CapValue(string value)
    {
        if (value.Length <= MaxValueBytes / 3 || System.Text.Encoding.UTF8.GetByteCount(value) <= MaxValueBytes)
        {
            return value;
        }

        var (bytes, end) = (0, 0);
        foreach (var rune in value.EnumerateRunes())
        {
            bytes += rune.Utf8SequenceLength;
            if (bytes > MaxValueBytes)
            {
                break;
            }

            end += rune.Utf16SequenceLength;
        }

        return value[..end];
    }

    // ---- Visitors per dimension value (issue 16): one day sketch per (site, day, dimension, value). ----

    /// <summary>Whether the rollups keep a day sketch of visitors per value of <paramref name="dimension"/>: pages (views),
    /// the session dimensions (the visitor of each session that started with the value) and custom events (names).</summary>
    public static bool HasValueVisitors(string dimension) =>
        dimension is Page or Event || Array.IndexOf(SessionDimensions, dimension) >= 0;

    /// <summary>The visitors sketch (HyperLogLog) of one value of one dimension in one site-local day; the aggregator
    /// PFADDs into it, the flusher copies it into the day's Stats item, readers union them over a range. Pages keep the
    /// key shape they had before other dimensions got sketches (<c>hll:pd:{day}:{path}</c>); every other dimension is
    /// <see cref="ValueVisitorsHllHead"/> + <see cref="Field"/>'s first two parts (<c>hll:vd:{day}:source|Google</c>), so
    /// the apply script can build it from the head and a session's dimension values.</summary>
    public static string ValueVisitorsHll(string siteId, string dayBucket, string dimension, string value) =>
        dimension == Page
            ? $"{RedisKeys.SitePrefix(siteId)}hll:pd:{dayBucket}:{value}"
            : $"{ValueVisitorsHllHead(siteId, dayBucket)}{dimension}{FieldSeparator}{value}";

    /// <summary>What every non-page <see cref="ValueVisitorsHll"/> key of a site-day starts with.</summary>
    public static string ValueVisitorsHllHead(string siteId, string dayBucket) => $"{RedisKeys.SitePrefix(siteId)}hll:vd:{dayBucket}:";

    /// <summary>Per-page, per-day visitors sketch (the aggregator PFADDs into it): <see cref="ValueVisitorsHll"/> of a page.</summary>
    public static string PageVisitorsHll(string siteId, string dayBucket, string path) => ValueVisitorsHll(siteId, dayBucket, Page, path);

    // ---- end of visitors per dimension value ----

    /// <summary>The value under which a site-day's values beyond the cap of distinct values per dimension are counted
    /// (rollups and page sketches; raw events keep the real value). No path starts with '(' and no host holds one.</summary>
    public const string Other = "(other)";

    /// <summary>Set of the values admitted into one dimension's rollups for one site-day (members: <see
    /// cref="AdmittedMember"/>). Once it holds the cap, further new values of that day count under <see cref="Other"/>.</summary>
    public static string AdmittedValues(string siteId, string dayBucket, string dimension) =>
        $"{RedisKeys.SitePrefix(siteId)}cap:{dayBucket}:{dimension}";

    /// <summary>A value's member in <see cref="AdmittedValues"/>: SHA-256 cut to 8 bytes, so a set costs the same
    /// per value whether the value is a 2,000-character path or a country code.</summary>
    public static byte[] AdmittedMember(string value) =>
        System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(value))[..8];

    /// <summary>Set of rollup hash keys changed since the last flush to DynamoDB (the single-shard layout's).</summary>
    public const string DirtySet = "li:rollups:dirty";

    /// <summary>The dirty set of one shard's sites (<see cref="DirtySet"/> with one shard).</summary>
    public static string DirtySetOf(int shard) => DirtySetOf(shard, RedisShards.Count);

    /// <summary>The dirty set of one shard in a layout of <paramref name="shards"/> shards.</summary>
    public static string DirtySetOf(int shard, int shards) =>
        shards > 1 ? $"li:{{{RedisShards.Tag(shard)}}}:rollups:dirty" : DirtySet;

    /// <summary>The dirty set one flusher has taken (RENAMEd) and is writing; put back if the write fails.</summary>
    public static string FlushingSet(string consumerName) => FlushingSet(0, consumerName);

    /// <summary>The dirty set of <paramref name="shard"/> one flusher has taken (same slot as the dirty set).</summary>
    public static string FlushingSet(int shard, string consumerName) => $"{DirtySetOf(shard)}:flushing:{consumerName}";

    /// <summary>The site, granularity and bucket of a <see cref="RedisHash"/> key (the flusher reads them back from the
    /// dirty set). Site ids hold no brace or colon, so the site is what sits between the tag and <c>:r:</c>.</summary>
    public static (string SiteId, Granularity Granularity, string Bucket) ParseRedisHash(string key)
    {
        var close = key.IndexOf('}', StringComparison.Ordinal);
        var marker = key.IndexOf(":r:", close, StringComparison.Ordinal);
        var siteId = RedisShards.Sharded ? key[(close + 1)..marker] : key[(key.IndexOf('{', StringComparison.Ordinal) + 1)..close];
        var rest = key[(marker + 3)..];
        return (siteId, rest[0] == 'h' ? Granularity.Hour : Granularity.Day, rest[2..]);
    }
}
