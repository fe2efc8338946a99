using System.Globalization;

namespace LiveInsight.Core.Lake;

/// <summary>
/// The shape of the event lake, shared by its writer (the aggregator) and its reader (the query API).
/// <para>Parquet files in a hive layout under one root (locally <c>.data/lake</c>, in AWS an S3 prefix):
/// <c>{root}/events/site={siteId}/day={yyyy-MM-dd}/{file}.parquet</c>, where the day is the event's day in the site's
/// time zone (the same day bucket as the rollups). File names are deterministic, so rewriting a batch after a crash
/// replaces rather than adds: <see cref="PartFile"/> for a writer's batch, <see cref="CompactFile"/> for a compacted
/// day. Readers take the compacted file plus the parts not yet compacted, and drop duplicate <c>event_id</c>s.</para>
/// <para>Site ids come from <c>SiteKeys.NewSiteId</c> (12 characters of a URL-safe alphabet), so they are safe in a
/// path; <see cref="SitePartition"/> refuses anything else.</para>
/// </summary>
public static class LakeLayout
{
    public const string EventsTable = "events";

    /// <summary>Where the lake lives unless <c>Lake:Path</c> says otherwise (relative to the content root).</summary>
    public const string DefaultRoot = ".data/lake";

    public const string SiteColumn = "site";
    public const string DayColumn = "day";

    /// <summary>Every column of an events file, in order, with its DuckDB type. <c>site</c> and <c>day</c> are the hive
    /// partition (in the folder names, not in the files). <c>ts</c> is UTC epoch milliseconds; <c>local_ts</c> the
    /// same instant as wall-clock time in the site's zone when the event was written (what <c>time:hour</c> groups
    /// by). Text columns hold what the rollups would hold before the "(other)" cap (the lake keeps real values);
    /// empty values are NULL.</summary>
    public static readonly IReadOnlyList<(string Name, string Type)> EventColumns =
    [
        ("event_id", "VARCHAR"),
        ("ts", "BIGINT"),
        ("local_ts", "TIMESTAMP"),
        ("visitor_id", "VARCHAR"),
        ("session_id", "VARCHAR"),
        ("type", "VARCHAR"),            // page_view | custom | engagement
        ("name", "VARCHAR"),            // custom events
        ("hostname", "VARCHAR"),
        ("path", "VARCHAR"),
        ("referrer", "VARCHAR"),        // referrer host
        ("source", "VARCHAR"),
        ("medium", "VARCHAR"),
        ("utm_source", "VARCHAR"),
        ("utm_medium", "VARCHAR"),
        ("utm_campaign", "VARCHAR"),
        ("utm_term", "VARCHAR"),
        ("utm_content", "VARCHAR"),
        ("country", "VARCHAR"),
        ("device", "VARCHAR"),
        ("browser", "VARCHAR"),
        ("browser_version", "VARCHAR"),
        ("os", "VARCHAR"),
        ("os_version", "VARCHAR"),
        ("screen_width", "INTEGER"),
        ("props", "MAP(VARCHAR, VARCHAR)"),
        ("engaged_ms", "BIGINT"),
        ("scroll_depth", "INTEGER"),
        // Added later columns go last: files written before them read as NULL (see WithEveryEventColumn).
        (UserHashColumn, "VARCHAR"),    // Identify.Hash of an identified user, on sites with identify enabled
    ];

    /// <summary>
    /// The visit's attributes, stamped on every event of a compacted file (<see cref="CompactFile"/>; part files have
    /// none): what the session's first event said (its first page view for <c>s_entry_page</c>), so a query filters and
    /// groups by visit attributes with a plain column read instead of grouping every session of its range.
    /// <c>s_start</c> is the session's first ts and marks a stamped row (NULL: not stamped, e.g. a file written before
    /// stamps existed, or an event without a session). A session that began the site-day before keeps that day's
    /// stamps (the compactor looks them up in the previous day's compact file). Only page views and custom events make a
    /// session's stamps; every event of the session carries them.
    /// </summary>
    public static readonly IReadOnlyList<(string Name, string Type)> SessionColumns =
    [
        ("s_start", "BIGINT"),
        ("s_source", "VARCHAR"),
        ("s_referrer", "VARCHAR"),
        ("s_medium", "VARCHAR"),
        ("s_utm_source", "VARCHAR"),
        ("s_utm_medium", "VARCHAR"),
        ("s_utm_campaign", "VARCHAR"),
        ("s_utm_content", "VARCHAR"),
        ("s_utm_term", "VARCHAR"),
        ("s_country", "VARCHAR"),
        ("s_device", "VARCHAR"),
        ("s_browser", "VARCHAR"),
        ("s_browser_version", "VARCHAR"),
        ("s_os", "VARCHAR"),
        ("s_os_version", "VARCHAR"),
        ("s_entry_page", "VARCHAR"),
    ];

    /// <summary>The marker column of a stamped row (<see cref="SessionColumns"/>).</summary>
    public const string SessionStart = "s_start";

    /// <summary>
    /// The visitor id as a number (<see cref="VisitorKey"/>), written by compaction beside the stamps: a distinct count
    /// of visitors, the heart of most queries, runs over 64-bit integers instead of strings. The Api's ids are 16 hex
    /// characters, too long for DuckDB to keep inline, so the strings were the slow case (the query benchmark, issue 17:
    /// a 30-day distinct count 582 ms over the strings, 317 ms over the numbers). NULL in files written before it and
    /// in part files: readers compute it there (<see cref="VisitorKey"/> again), so every row has the same key.
    /// </summary>
    public const string VisitorKeyColumn = "visitor_key";

    /// <summary>What compaction adds to a day's events: the session stamps, then the visitor key.</summary>
    public static readonly IReadOnlyList<(string Name, string Type)> CompactColumns = [.. SessionColumns, (VisitorKeyColumn, "BIGINT")];

    /// <summary>
    /// The DuckDB expression of a visitor id's key (<see cref="VisitorKeyColumn"/>): an id of 16 hex characters (every id
    /// the Api makes: 64 bits of an HMAC) is that number, any other id (imports, tests) DuckDB's 64-bit hash of it; shifted
    /// into BIGINT's range (Parquet readers such as Athena have no unsigned 64-bit type). Distinct ids get distinct keys
    /// except for a hash collision (a chance of about 3 in 10^8 among a million ids of another form) and hex ids
    /// differing only in case (the Api writes lower case). NULL stays NULL.
    /// </summary>
    public static string VisitorKey(string visitorId) =>
        $"CASE WHEN {visitorId} IS NULL THEN NULL ELSE CAST(CAST(coalesce(CASE WHEN length({visitorId}) = 16 THEN TRY_CAST('0x' || {visitorId} AS UBIGINT) END, "
        + $"hash({visitorId})) AS HUGEINT) - 9223372036854775808 AS BIGINT) END";

    /// <summary>How a stamp is computed from one session's page views and custom events (a DuckDB aggregate over the
    /// event columns): the first ts, the first page view's path, else the first event's value (NULL included).</summary>
    public static string SessionAggregate(string column) => column switch
    {
        SessionStart => "min(ts)",
        "s_entry_page" => "arg_min(path, ts) FILTER (WHERE type = 'page_view')",
        _ when column.StartsWith("s_", StringComparison.Ordinal) && EventColumns.Any(c => c.Name == column[2..]) => $"arg_min_null({column[2..]}, ts)",
        _ => throw new ArgumentException($"'{column}' is not a session column.", nameof(column)),
    };

    /// <summary>The event types that make a session (and that the query API counts).</summary>
    public const string SessionEventTypes = "('page_view', 'custom')";
    /// <summary>The column of <see cref="Sites.Identify.Hash"/>; the erasure of one user's data finds rows by it.</summary>
    public const string UserHashColumn = "user_hash";

    /// <summary>
    /// <paramref name="relation"/> (e.g. a <c>read_parquet(…, union_by_name = true)</c>) with every column of
    /// <see cref="EventColumns"/>: DuckDB's <c>union_by_name</c> fills a column some files lack with NULL, but a column
    /// that none of the files has (a day written before the column existed) is an error; a union by name with an empty,
    /// fully typed relation adds it.
    /// </summary>
    public static string WithEveryEventColumn(string relation) => WithColumns(relation, EventColumns);

    /// <summary><see cref="WithEveryEventColumn"/> with <see cref="CompactColumns"/> too (a compact file older than a
    /// stamp or the visitor key reads them as NULL).</summary>
    public static string WithEveryCompactColumn(string relation) => WithColumns(relation, EventColumns.Concat(CompactColumns));

    private static string WithColumns(string relation, IEnumerable<(string Name, string Type)> columns) =>
        $"(SELECT * FROM {relation} UNION ALL BY NAME SELECT {string.Join(", ", columns.Select(c => $"CAST(NULL AS {c.Type}) AS {c.Name}"))} WHERE false)";

    /// <summary>DuckDB DDL for a table with <see cref="EventColumns"/> (a writer's staging table).</summary>
    public static string CreateEventsTable(string table) =>
        $"CREATE TABLE {table} ({string.Join(", ", EventColumns.Select(c => $"{c.Name} {c.Type}"))})";

    /// <summary>DuckDB DDL for a table with <see cref="EventColumns"/> and <see cref="CompactColumns"/>: what a query
    /// unions its reads with (<c>UNION ALL BY NAME</c>), so a stamp column exists even when no file read has it.</summary>
    public static string CreateStampedEventsTable(string table) =>
        $"CREATE TABLE {table} ({string.Join(", ", EventColumns.Concat(CompactColumns).Select(c => $"{c.Name} {c.Type}"))})";

    public static string DayPartition(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The folder of one site's events of one site-local day.</summary>
    public static string SitePartition(string root, string siteId, DateOnly day)
    {
        if (siteId.Length is 0 or > 64 || !siteId.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            throw new ArgumentException("A site id in the lake is ASCII letters, digits, '-' or '_'.", nameof(siteId));
        }

        return Path.Combine(root, EventsTable, $"{SiteColumn}={siteId}", $"{DayColumn}={DayPartition(day)}");
    }

    /// <summary>The key prefix of one site's files in a store (<see cref="ILakeStore"/>), '/'-separated and ending in
    /// '/': <c>events/site={siteId}/</c>.</summary>
    public static string SiteKeyPrefix(string siteId)
    {
        _ = SitePartition("", siteId, DateOnly.MinValue); // the same check of the id
        return $"{EventsTable}/{SiteColumn}={siteId}/";
    }

    /// <summary>The key of a file of one site-day in a store: <c>events/site={siteId}/day={yyyy-MM-dd}/{file}</c>.</summary>
    public static string FileKey(string siteId, DateOnly day, string file) => $"{SiteKeyPrefix(siteId)}{DayColumn}={DayPartition(day)}/{file}";

    /// <summary>The site, day and file name of a key <see cref="FileKey"/> made; false for anything else (a stray
    /// object is never read as lake data).</summary>
    public static bool TryParseKey(string key, out string siteId, out DateOnly day, out string file)
    {
        siteId = file = "";
        day = default;
        var parts = key.Split('/');
        if (parts.Length != 4 || parts[0] != EventsTable || !parts[1].StartsWith(SiteColumn + "=", StringComparison.Ordinal)
            || !parts[2].StartsWith(DayColumn + "=", StringComparison.Ordinal) || !parts[3].EndsWith(".parquet", StringComparison.Ordinal)
            || !DateOnly.TryParseExact(parts[2][(DayColumn.Length + 1)..], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out day))
        {
            return false;
        }

        siteId = parts[1][(SiteColumn.Length + 1)..];
        file = parts[3];
        try
        {
            return FileKey(siteId, day, file) == key;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>A writer's file for the stream entries from <paramref name="firstStreamId"/> to
    /// <paramref name="lastStreamId"/> (e.g. <c>part-1764469200000-0-1764469201000-3.parquet</c>).</summary>
    public static string PartFile(string firstStreamId, string lastStreamId) => $"part-{firstStreamId}-{lastStreamId}.parquet";

    /// <summary>The S3 object tag every lake file carries (<see cref="FileKind"/>): the bucket's lifecycle rules
    /// expire parts and compact files apart, which a key prefix cannot (both share a site-day's folder).</summary>
    public const string FileKindTag = "lake-file";

    public const string PartKind = "part";

    public const string CompactKind = "compact";

    /// <summary><see cref="CompactKind"/> for <see cref="CompactFile"/> and the day sums counted from compact files
    /// (<see cref="LakeDaySums"/>: they live as long), <see cref="PartKind"/> for anything else.</summary>
    public static string FileKind(string fileName) => fileName == CompactFile || LakeDaySums.IsSumsFile(fileName) ? CompactKind : PartKind;

    /// <summary>The one compacted file of a site-day (sorted by ts, duplicates dropped).</summary>
    public const string CompactFile = "compact.parquet";

    /// <summary>How a compact file is compressed (the compactor and the query benchmark's generator alike): LZ4 raw,
    /// which DuckDB decodes fastest. Measured on the query benchmark's 30 days (10 M events, 2 threads): a 3-filter
    /// breakdown's bare scan 186 ms with zstd, 159 snappy, 122 LZ4; a visitors count 546 / 553 / 478 ms; the files
    /// 306 / 492 / 500 MB. A compact file is read by every query of its day for months, so its decoding costs more than
    /// its bytes. Athena (engine 3) reads LZ4 Parquet; files written before stay zstd and are read as they are.</summary>
    public const string CompactCompression = "lz4_raw";

    /// <summary>How a part file is compressed: parts live minutes and are written on the hot path, so snappy (cheap to
    /// write).</summary>
    public const string PartCompression = "snappy";

    /// <summary>The codec a lake file of this name is written in (<see cref="CompactCompression"/> or
    /// <see cref="PartCompression"/>), also when it is rewritten (an erasure).</summary>
    public static string CompressionOf(string fileName) => fileName == CompactFile ? CompactCompression : PartCompression;

    /// <summary><see cref="PartFile(string, string)"/> with the writing consumer's name appended (reduced to letters,
    /// digits, '-' and '_', at most 40), so two replicas never write the same name with different contents
    /// (e.g. <c>part-1764469200000-0-1764469201000-3-aggregator-7.parquet</c>). Readers glob <c>*.parquet</c>.</summary>
    public static string PartFile(string firstStreamId, string lastStreamId, string writer)
    {
        var tag = new string(writer.Where(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_').Take(40).ToArray());
        return $"part-{firstStreamId}-{lastStreamId}-{(tag.Length == 0 ? "w" : tag)}.parquet";
    }
}
