using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace LiveInsight.Core.Lake;

/// <summary>
/// Day sums: per site and <b>UTC</b> day, the exact visitors, events and page views of every value of the common
/// breakdowns (<see cref="Dimensions"/>, each event name, each property key), alone and per event name, written by the
/// compactor beside the events (<c>daysums/site={id}/day={utc day}/sums-{version}.parquet</c>) so a 30-day breakdown adds
/// up 30 small files instead of counting millions of distinct visitors (the query benchmark, issue 17).
/// <para>Why adding up is exact: the Api keys a visitor id with the salt of the event's UTC day (<c>PutVisitorId</c>),
/// so no id appears on two UTC days, and a period's visitors are the sum of its UTC days' visitors. Sums are written only
/// for days whose every counted row has an id of the Api's form (16 lower-case hex characters) and session stamps;
/// a day with any other id (an import, a test writing the stream by hand) gets a marker instead and is always scanned.</para>
/// <para>A UTC day's events lie in the compact files of the site-days before, of and after it (site-days are local days,
/// offsets −12 h…+14 h). The sums file's <c>version</c> is a hash of those files' names (day and file), sizes and version tags: a reader
/// uses the sums only when the version matches its own listing (every covering day compact, nothing changed since),
/// so a re-compaction, an erasure or a retention pass makes old sums unused at once; the compactor deletes them.</para>
/// </summary>
public static class LakeDaySums
{
    public const string Table = "daysums";

    /// <summary>The most property keys a day's sums hold; a day with more (or with more than <see cref="MaxPropCells"/>)
    /// gets its sums without properties (<see cref="NoPropsSuffix"/>), so a hostile tracker sending thousands of keys
    /// cannot make compaction quadratic.</summary>
    public const int MaxPropKeys = 64;

    private const string FilePrefix = "sums-";

    /// <summary>A sums file without property rows (the day had more than <see cref="MaxPropKeys"/> keys).</summary>
    public const string NoPropsSuffix = "-noprops";

    /// <summary>A saved funnel's per-day partials, written by the Api beside the day's sums under the same version
    /// (<c>sums-{version}-funnel-{hash}.parquet</c>): they go with the sums (stale with them, deleted with them).</summary>
    public const string FunnelSuffixPrefix = "-funnel-";

    /// <summary>A day that cannot be summed exactly (ids not the Api's, rows without stamps): an empty file, so the day
    /// is not examined again until its files change.</summary>
    public const string NoneSuffix = "-none";

    /// <summary>The visit dimensions summed, with the expression over a stamped row that gives the value the query API
    /// shows (the same text as the Api's <c>QueryFields.VisitDimensions</c>; a test holds them equal).</summary>
    public static readonly IReadOnlyDictionary<string, string> Dimensions = new Dictionary<string, string>
    {
        ["visit:source"] = "coalesce(s_source, 'Direct / None')",
        ["visit:referrer"] = "coalesce(s_referrer, 'Direct / None')",
        ["visit:utm_medium"] = "coalesce(s_utm_medium, '(not set)')",
        ["visit:utm_source"] = "coalesce(s_utm_source, '(not set)')",
        ["visit:utm_campaign"] = "coalesce(s_utm_campaign, '(not set)')",
        ["visit:utm_content"] = "coalesce(s_utm_content, '(not set)')",
        ["visit:utm_term"] = "coalesce(s_utm_term, '(not set)')",
        ["visit:country"] = "coalesce(s_country, '(not set)')",
        ["visit:device"] = "coalesce(s_device, '(not set)')",
        ["visit:browser"] = "coalesce(s_browser, '(not set)')",
        ["visit:browser_version"] = "coalesce(s_browser_version, '(not set)')",
        ["visit:os"] = "coalesce(s_os, '(not set)')",
        ["visit:os_version"] = "coalesce(s_os_version, '(not set)')",
        ["visit:entry_page"] = "coalesce(s_entry_page, '(none)')",
    };

    /// <summary>An event's name as the query API shows it (<c>QueryFields.EventDimensions["event:name"]</c>).</summary>
    public const string NameExpression = "CASE WHEN type = 'page_view' THEN 'pageview' ELSE coalesce(name, '(none)') END";

    /// <summary>The <c>dim</c> of the rows over every event (no dimension; per event name with <c>name</c> set).</summary>
    public const string Total = "";

    public const string PropsPrefix = "event:props:";

    /// <summary>The columns of a sums file: <c>dim</c> (a key of <see cref="Dimensions"/>, <c>event:props:{key}</c>, or
    /// <see cref="Total"/>), <c>value</c>, <c>name</c> (NULL: every page view and custom event; else only the events of
    /// that name, <see cref="NameExpression"/>), and the day's exact counts.</summary>
    public static readonly IReadOnlyList<(string Name, string Type)> Columns =
        [("dim", "VARCHAR"), ("value", "VARCHAR"), ("name", "VARCHAR"), ("visitors", "BIGINT"), ("events", "BIGINT"), ("pageviews", "BIGINT")];

    /// <summary><c>daysums/site={siteId}/</c> (the id checked as <see cref="LakeLayout.SiteKeyPrefix"/> checks it).</summary>
    public static string SiteKeyPrefix(string siteId)
    {
        _ = LakeLayout.SiteKeyPrefix(siteId);
        return $"{Table}/{LakeLayout.SiteColumn}={siteId}/";
    }

    public static string Key(string siteId, DateOnly utcDay, string version, string suffix = "") =>
        $"{SiteKeyPrefix(siteId)}{LakeLayout.DayColumn}={LakeLayout.DayPartition(utcDay)}/{FilePrefix}{version}{suffix}.parquet";

    /// <summary>Whether a file name is a sums file's (<see cref="Key"/>'s last segment).</summary>
    public static bool IsSumsFile(string fileName) => fileName.StartsWith(FilePrefix, StringComparison.Ordinal) && fileName.EndsWith(".parquet", StringComparison.Ordinal);

    /// <summary>The site, UTC day, version and suffix of a key <see cref="Key"/> made; false for anything else.</summary>
    public static bool TryParseKey(string key, out string siteId, out DateOnly utcDay, out string version, out string suffix)
    {
        siteId = version = suffix = "";
        utcDay = default;
        var parts = key.Split('/');
        if (parts.Length != 4 || parts[0] != Table || !parts[1].StartsWith(LakeLayout.SiteColumn + "=", StringComparison.Ordinal)
            || !parts[2].StartsWith(LakeLayout.DayColumn + "=", StringComparison.Ordinal)
            || !parts[3].StartsWith(FilePrefix, StringComparison.Ordinal) || !parts[3].EndsWith(".parquet", StringComparison.Ordinal)
            || !DateOnly.TryParseExact(parts[2][(LakeLayout.DayColumn.Length + 1)..], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out utcDay))
        {
            return false;
        }

        siteId = parts[1][(LakeLayout.SiteColumn.Length + 1)..];
        var name = parts[3][FilePrefix.Length..^".parquet".Length];
        var dash = name.IndexOf('-', StringComparison.Ordinal);
        (version, suffix) = dash < 0 ? (name, "") : (name[..dash], name[dash..]);
        try
        {
            return version.Length > 0 && Key(siteId, utcDay, version, suffix) == key;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>The site-days whose files may hold events of UTC day <paramref name="utcDay"/>.</summary>
    public static IReadOnlyList<DateOnly> CoveringDays(DateOnly utcDay) => [utcDay.AddDays(-1), utcDay, utcDay.AddDays(1)];

    /// <summary>The UTC days a site-day's events may fall on (the inverse of <see cref="CoveringDays"/>).</summary>
    public static IReadOnlyList<DateOnly> CoveredDays(DateOnly siteDay) => CoveringDays(siteDay);

    /// <summary>The sums' own format, part of every version: a change to what they hold or how they are counted bumps it,
    /// so sums written before are stale at once (unused, then deleted and written again by the compactor).</summary>
    public const int Format = 2;

    /// <summary>The version of a UTC day's covering files (<paramref name="files"/>: every listed file of the
    /// <see cref="CoveringDays"/>): null when one of them is not a compact file (a day still taking parts is scanned).</summary>
    public static string? Version(IEnumerable<LakeObject> files)
    {
        var text = new StringBuilder($"{Format}\n");
        foreach (var file in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            if (LakeStores.FileName(file.Key) != LakeLayout.CompactFile)
            {
                return null;
            }

            // The key below the site's folder (day=…/compact.parquet): the sums live in the same site's folder, and a
            // site's lake copied under another id (the query benchmark's cached lake) keeps its sums valid.
            text.Append(file.Key[(file.Key.IndexOf("/" + LakeLayout.DayColumn + "=", StringComparison.Ordinal) + 1)..]).Append('\n').Append(file.Size.ToString(CultureInfo.InvariantCulture)).Append('\n').Append(file.ETag).Append('\n');
        }

        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString()))[..8]);
    }

    /// <summary>UTC epoch milliseconds of a UTC day's start.</summary>
    public static long StartMs(DateOnly utcDay) => new DateTimeOffset(utcDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>The counted rows of UTC day <paramref name="utcDay"/> in <paramref name="files"/> (compact files; local
    /// paths, quoted here): page views and custom events, with their visitor key.</summary>
    private static string Rows(IReadOnlyList<string> files, DateOnly utcDay)
    {
        var every = LakeLayout.WithEveryCompactColumn(
            $"read_parquet([{string.Join(", ", files.Select(LakeStamps.Literal))}], hive_partitioning = false, union_by_name = true)");
        return $"SELECT * FROM {every} WHERE ts >= {StartMs(utcDay)} AND ts < {StartMs(utcDay.AddDays(1))} AND type IN {LakeLayout.SessionEventTypes}";
    }

    /// <summary>One row: the day's counted rows, how many of them cannot be summed (no stamps, or an id not of the
    /// Api's form), and how many property keys they use.</summary>
    public static string CheckSql(IReadOnlyList<string> files, DateOnly utcDay) =>
        $"WITH r AS ({Rows(files, utcDay)}) SELECT count(*), "
        + $"count(*) FILTER (WHERE {LakeLayout.SessionStart} IS NULL OR visitor_id IS NULL OR NOT regexp_full_match(visitor_id, '[0-9a-f]{{16}}')), "
        + "(SELECT count(DISTINCT k) FROM (SELECT unnest(map_keys(props)) AS k FROM r WHERE props IS NOT NULL)) FROM r";

    /// <summary>The rows of a sums file (<see cref="Columns"/>) for UTC day <paramref name="utcDay"/> of
    /// <paramref name="files"/>; property rows only when <paramref name="withProps"/>. Every count is a distinct count
    /// of the visitor key, as the query API counts visitors.</summary>
    public static string SelectSql(IReadOnlyList<string> files, DateOnly utcDay, bool withProps)
    {
        var dims = Dimensions.ToList();
        var text = new StringBuilder("WITH r AS MATERIALIZED (SELECT ")
            .Append($"coalesce({LakeLayout.VisitorKeyColumn}, {LakeLayout.VisitorKey("visitor_id")}) AS vk, type, {NameExpression} AS nm, ")
            .Append(withProps ? "props, " : "")
            .Append(string.Join(", ", dims.Select((d, i) => $"{d.Value} AS c{i}")))
            .Append($" FROM ({Rows(files, utcDay)}))");
        const string counts = "count(DISTINCT vk) AS visitors, count(*) AS events, count(*) FILTER (WHERE type = 'page_view') AS pageviews";
        // HAVING: the empty grouping set gives a row of zeros even over no rows (a day whose files hold none of its events).
        text.Append($"\nSELECT '{Total}' AS dim, '' AS value, nm AS name, {counts} FROM r GROUP BY GROUPING SETS ((), (nm)) HAVING count(*) > 0");
        for (var i = 0; i < dims.Count; i++)
        {
            text.Append($"\nUNION ALL SELECT '{dims[i].Key}', c{i}, nm, {counts} FROM r GROUP BY GROUPING SETS ((c{i}), (c{i}, nm))");
        }

        if (withProps)
        {
            // Every key of the day against every counted row: a row without the key is its "(none)", as the query shows it.
            text.Append($"\nUNION ALL SELECT '{PropsPrefix}' || k, pv, nm, {counts} FROM ")
                .Append("(SELECT vk, type, nm, k, coalesce(props[k], '(none)') AS pv FROM r, (SELECT DISTINCT unnest(map_keys(props)) AS k FROM r WHERE props IS NOT NULL) keys) ")
                .Append("GROUP BY GROUPING SETS ((k, pv), (k, pv, nm))");
        }

        return text.ToString();
    }

    /// <summary>What a writer should do given the lake's event files and sums files now: the (site, UTC day) whose
    /// covering site-days are all compact and have no sums of their version yet (<c>Missing</c>, with those files), and
    /// the sums keys of any other version or of days without events (<c>Stale</c>). The compactor, the query
    /// benchmark's generator and test lakes all write sums by it.</summary>
    public static (IReadOnlyList<(string SiteId, DateOnly UtcDay, string Version, IReadOnlyList<LakeObject> Files)> Missing, IReadOnlyList<string> Stale) Plan(
        IEnumerable<LakeObject> events, IEnumerable<LakeObject> sums)
    {
        var bySiteDay = new Dictionary<(string Site, DateOnly Day), List<LakeObject>>();
        foreach (var o in events)
        {
            if (LakeLayout.TryParseKey(o.Key, out var site, out var day, out _))
            {
                (bySiteDay.TryGetValue((site, day), out var list) ? list : bySiteDay[(site, day)] = []).Add(o);
            }
        }

        var wanted = new Dictionary<(string Site, DateOnly Day), (string? Version, List<LakeObject> Files)>();
        foreach (var (site, day) in bySiteDay.Keys)
        {
            foreach (var utcDay in CoveredDays(day))
            {
                if (!wanted.ContainsKey((site, utcDay)))
                {
                    var files = CoveringDays(utcDay).SelectMany(d => bySiteDay.TryGetValue((site, d), out var f) ? f : []).ToList();
                    wanted[(site, utcDay)] = (Version(files), files);
                }
            }
        }

        var have = new HashSet<(string Site, DateOnly Day, string Version)>();
        var stale = new List<string>();
        foreach (var o in sums)
        {
            if (!TryParseKey(o.Key, out var site, out var utcDay, out var version, out var suffix))
            {
                continue; // not ours: never deleted
            }

            if (wanted.TryGetValue((site, utcDay), out var want) && want.Version == version)
            {
                // Other files of the version (a funnel's partials, written by the Api beside the sums) are kept, but only
                // the sums themselves make the day's sums present.
                if (suffix is "" or NoPropsSuffix or NoneSuffix)
                {
                    have.Add((site, utcDay, version));
                }
            }
            else
            {
                stale.Add(o.Key);
            }
        }

        var missing = wanted
            .Where(w => w.Value.Version is { } version && w.Value.Files.Count > 0 && !have.Contains((w.Key.Site, w.Key.Day, version)))
            .OrderBy(w => w.Key.Site, StringComparer.Ordinal).ThenBy(w => w.Key.Day)
            .Select(w => (w.Key.Site, w.Key.Day, w.Value.Version!, (IReadOnlyList<LakeObject>)w.Value.Files))
            .ToList();
        return (missing, stale);
    }

    /// <summary>The select and key suffix of a day's sums file, given its <see cref="CheckSql"/> answer: a marker when a
    /// row cannot be summed, sums without properties when the day has too many keys, else everything.</summary>
    public static (string Select, string Suffix) SelectFor(IReadOnlyList<string> files, DateOnly utcDay, long rows, long unsummable, long propKeys) =>
        unsummable > 0 ? (EmptySql, NoneSuffix)
        : propKeys > MaxPropKeys || rows * propKeys > MaxPropCells ? (SelectSql(files, utcDay, withProps: false), NoPropsSuffix)
        : (SelectSql(files, utcDay, withProps: true), "");

    /// <summary>The most (row, property key) pairs a day's property sums may group (each row is counted once per key of
    /// the day, for its "(none)"): beyond it the day's sums leave properties out, so a huge day cannot exhaust the
    /// compactor's memory (the query benchmark's busiest day: 310 k rows × 2 keys).</summary>
    public const long MaxPropCells = 20_000_000;

    /// <summary>An empty sums relation (the <see cref="NoneSuffix"/> marker's content).</summary>
    public static string EmptySql => "SELECT " + string.Join(", ", Columns.Select(c => $"CAST(NULL AS {c.Type}) AS {c.Name}")) + " WHERE false";
}
