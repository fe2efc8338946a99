using System.Text;
using LiveInsight.Core.Lake;
using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Query;

/// <summary>
/// Answers the common <c>/api/v2/query</c> breakdowns from the lake's day sums (<see cref="LakeDaySums"/>) where they
/// exist, exactly: the UTC days wholly inside the period whose sums match the current files are added up, and only the
/// rest of the period (its ragged ends in the site's zone, today, days whose files changed since) is scanned by
/// <see cref="QuerySql"/> as partial counts. Adding up is exact because no visitor id appears on two UTC days (the
/// Api salts ids by the event's UTC day), so visitors of disjoint UTC days never overlap.
/// <para>Which queries: at most one dimension among the summed visit dimensions, <c>event:name</c> and
/// <c>event:props:*</c>; metrics among visitors, events, pageviews, percentage and conversion_rate; no filter, or one
/// <c>is</c> of a single event name or a single custom-event goal without a property match. Anything else (and a period
/// with fewer than <see cref="MinDays"/> summed days) goes the scanning way, as before.</para>
/// </summary>
public sealed class QueryDaySums
{
    /// <summary>Below this many days with sums the scan alone is about as fast, and one query is simpler.</summary>
    public const int MinDays = 2;

    private static readonly HashSet<string> SummedMetrics = ["visitors", "events", "pageviews", "percentage", "conversion_rate"];

    /// <summary>What a query asks of the sums: its dimension (null: none), the event name its rows are limited to (null:
    /// every event) and the conversion base's (the query without its goal filter).</summary>
    public sealed record Plan(string? Dimension, string? Name, string? BaseName)
    {
        public bool Props => Dimension?.StartsWith(QueryFields.PropsPrefix, StringComparison.Ordinal) == true;
    }

    private readonly List<object> parameters = [];

    private QueryDaySums()
    {
    }

    /// <summary>The plan for <paramref name="query"/>, or null when the sums cannot answer it.</summary>
    public static Plan? PlanOf(StatsQuery query, IReadOnlyList<Goal> goals)
    {
        if (query.Dimensions.Count > 1 || query.Filters.Count > 1 || query.Metrics.Any(m => !SummedMetrics.Contains(m)))
        {
            return null;
        }

        var dimension = query.Dimensions.FirstOrDefault();
        if (dimension is not null && !LakeDaySums.Dimensions.ContainsKey(dimension) && dimension != "event:name"
            && !dimension.StartsWith(QueryFields.PropsPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        if (query.Filters.Count == 0)
        {
            return new Plan(dimension, null, null);
        }

        if (query.Filters[0] is not SimpleFilter { Operator: "is", CaseSensitive: true, Clauses: [var clause] } filter)
        {
            return null;
        }

        if (filter.Dimension == "event:name")
        {
            return new Plan(dimension, clause, clause);
        }

        // A custom event's goal is its name (a custom event named "pageview" would be counted with the page views).
        return filter.Dimension == QueryFields.Goal
               && GoalSql.Pick(goals, filter) is [{ IsPage: false, PropKey: null, EventName: { } name }] && name is not ("pageview" or "(none)")
            ? new Plan(dimension, name, null)
            : null;
    }

    /// <summary>The query's rows in <see cref="QuerySql"/>'s shape (dimension, metrics, total_rows when asked) with the
    /// query built over no file (its dimensions and order are the answer's), or null when the sums cannot answer it (the
    /// caller scans).</summary>
    public static async Task<(QuerySql Sql, List<object?[]> Rows)?> TryRunAsync(StatsQuery query, QueryPeriod period, TimeZoneInfo zone, Site site,
        LakeListing listing, LakeFiles lake, QueryEngine engine, CancellationToken cancellationToken)
    {
        if (!lake.DaySums || PlanOf(query, site.Goals) is not { } plan)
        {
            return null;
        }

        if (await FindRunAsync(period, site.SiteId, listing, lake, plan.Props, cancellationToken) is not { } run)
        {
            return null;
        }

        var paths = await lake.LocalPathsAsync(run.Files, cancellationToken);
        var scans = run.Rest(period, zone);

        // The scanned rest as partial counts: the query's own rows, the conversion base's, the percentage's whole.
        var internalQuery = query with { OrderBy = null, Offset = 0, Limit = int.MaxValue, TotalRows = false, Comparison = null };
        async Task<List<object?[]>> ScanAsync(StatsQuery q)
        {
            var rows = new List<object?[]>();
            foreach (var scan in scans)
            {
                // No file is read without the ts bounds here (LakeSelection.Inside): that reasoning holds for a period that
                // starts and ends at the site's midnights, and these parts start or end at a UTC midnight, next to days
                // the sums count (a file of a zone changed since could reach across it).
                var files = await lake.SelectAsync(listing, scan.First, scan.Last, cancellationToken) with { Inside = new HashSet<string>() };
                var sql = QuerySql.Build(q, scan, files, site.Goals);
                rows.AddRange(await engine.RunAsync(sql, cancellationToken));
            }

            return rows;
        }

        var main = await ScanAsync(internalQuery with { Metrics = ["visitors", "events", "pageviews"] });
        var conversion = query.Metrics.Contains("conversion_rate")
            ? await ScanAsync(internalQuery with { Metrics = ["visitors"], Filters = query.Filters.Where(f => f is not SimpleFilter { Dimension: QueryFields.Goal }).ToList() })
            : null;
        var whole = query.Metrics.Contains("percentage") ? await ScanAsync(internalQuery with { Metrics = ["visitors"], Dimensions = [] }) : null;

        var shape = QuerySql.Build(query, period, new LakeSelection([], [], []), site.Goals);
        var combine = new QueryDaySums();
        var text = combine.Compose(query, plan, shape, paths, main, conversion, whole);
        return (shape, await engine.RunAsync(text, combine.parameters, [], cancellationToken));
    }

    /// <summary>The run of UTC days wholly inside a period whose day sums match the current files (<see cref="FindRunAsync"/>):
    /// its first day, its length, each day's sums file and version (null: no file may hold the day's events), and every
    /// sums-folder object of the site by key (the funnel partials are looked up there too).</summary>
    public sealed record SummedRun(DateOnly First, int Length, IReadOnlyDictionary<DateOnly, (LakeObject File, string Version)?> Days,
        IReadOnlyDictionary<string, LakeObject> Objects)
    {
        public IReadOnlyList<LakeObject> Files => Days.Values.OfType<(LakeObject File, string Version)>().Select(d => d.File).ToList();

        /// <summary>The parts of <paramref name="period"/> before and after the run, to be scanned.</summary>
        public IReadOnlyList<QueryPeriod> Rest(QueryPeriod period, TimeZoneInfo zone)
        {
            var (from, to) = (LakeDaySums.StartMs(First), LakeDaySums.StartMs(First.AddDays(Length)));
            var scans = new List<QueryPeriod>();
            if (period.FromMs < from)
            {
                scans.Add(Sub(period.FromMs, from, zone));
            }

            if (to < period.ToMs)
            {
                scans.Add(Sub(to, period.ToMs, zone));
            }

            return scans;
        }
    }

    /// <summary>The run of UTC days wholly inside <paramref name="period"/> with sums of their current files (sums with
    /// properties when <paramref name="props"/>) holding the most sums files, or null when it has fewer than
    /// <see cref="MinDays"/>.</summary>
    public static async Task<SummedRun?> FindRunAsync(QueryPeriod period, string siteId, LakeListing listing, LakeFiles lake, bool props,
        CancellationToken cancellationToken)
    {
        // The UTC days wholly inside the period.
        const long day = 86_400_000;
        var epoch = DateOnly.FromDateTime(DateTime.UnixEpoch);
        var first = epoch.AddDays((int)((period.FromMs + day - 1) / day));
        var end = epoch.AddDays((int)(period.ToMs / day));
        if (end.DayNumber - first.DayNumber < MinDays)
        {
            return null;
        }

        var sums = (await lake.DaySumsAsync(siteId, cancellationToken)).ToDictionary(o => o.Key, StringComparer.Ordinal);
        var byDay = listing.Files.GroupBy(f => f.Day).ToDictionary(g => g.Key, g => g.Select(f => f.Object).ToList());
        // Each day's sums: found (a file), not needed (no file may hold its events: null), or missing (not in the map).
        var found = new Dictionary<DateOnly, (LakeObject File, string Version)?>();
        for (var d = first; d < end; d = d.AddDays(1))
        {
            var files = LakeDaySums.CoveringDays(d).SelectMany(c => byDay.TryGetValue(c, out var f) ? f : []).ToList();
            if (files.Count == 0)
            {
                found[d] = null;
            }
            else if (LakeDaySums.Version(files) is { } version
                     && (sums.GetValueOrDefault(LakeDaySums.Key(siteId, d, version)) ?? (props ? null : sums.GetValueOrDefault(LakeDaySums.Key(siteId, d, version, LakeDaySums.NoPropsSuffix)))) is { } file)
            {
                found[d] = (file, version);
            }
        }

        // The run of summed days holding the most sums files (days without any file, e.g. the rest of a "month" period,
        // are free in any run but do not make it the better one); the period's rest is scanned.
        var (runFirst, runLength, runFilled) = (first, 0, 0);
        for (var (d, length, filled) = (first, 0, 0); d <= end; d = d.AddDays(1))
        {
            if (d < end && found.TryGetValue(d, out var sumsFile))
            {
                length++;
                filled += sumsFile is null ? 0 : 1;
                continue;
            }

            if (filled > runFilled || (filled == runFilled && length > runLength))
            {
                (runFirst, runLength, runFilled) = (d.AddDays(-length), length, filled);
            }

            (length, filled) = (0, 0);
        }

        return runFilled < MinDays
            ? null
            : new SummedRun(runFirst, runLength, Enumerable.Range(0, runLength).ToDictionary(i => runFirst.AddDays(i), i => found[runFirst.AddDays(i)]), sums);
    }

    /// <summary>The part [<paramref name="from"/>, <paramref name="to"/>) of a period, with the site-local days it touches.</summary>
    private static QueryPeriod Sub(long from, long to, TimeZoneInfo zone)
    {
        var (a, b) = (DateTimeOffset.FromUnixTimeMilliseconds(from), DateTimeOffset.FromUnixTimeMilliseconds(to - 1));
        return new QueryPeriod(DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(a, zone).DateTime), DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(b, zone).DateTime),
            from, to, zone.GetUtcOffset(a), zone.GetUtcOffset(b));
    }

    private string Compose(StatsQuery query, Plan plan, QuerySql shape, IReadOnlyList<string> paths, List<object?[]> main, List<object?[]>? conversion,
        List<object?[]>? whole)
    {
        var hasDim = plan.Dimension is not null;
        var text = new StringBuilder("WITH s AS (")
            .Append(paths.Count == 0
                ? $"SELECT *, CAST(NULL AS VARCHAR) AS filename FROM ({LakeDaySums.EmptySql})"
                : $"SELECT * FROM read_parquet({Param(paths.ToList())}, filename = true)")
            .Append(')');
        text.Append(",\nev AS (").Append(Counts(plan.Dimension, plan.Name, main)).Append(')');
        var joined = "ev e";
        if (conversion is not null)
        {
            text.Append(",\nbase AS (").Append(Counts(plan.Dimension, plan.BaseName, conversion)).Append(')');
            joined += hasDim ? " LEFT JOIN base b ON e.d0 IS NOT DISTINCT FROM b.d0" : " LEFT JOIN base b ON true";
        }

        if (whole is not null)
        {
            text.Append(",\ntot AS (").Append(Counts(null, plan.Name, whole)).Append(')');
        }

        var metrics = query.Metrics.Select((m, j) => $"{QuerySql.Metric(m, sessionLevel: false, allVisitors: "(SELECT visitors FROM tot)")} AS m{j}");
        text.Append($"\nSELECT {string.Join(", ", (hasDim ? ["e.d0 AS d0"] : Array.Empty<string>()).Concat(metrics))}")
            .Append(query.TotalRows ? ", count(*) OVER () AS total_rows" : "")
            .Append($" FROM {joined} ORDER BY {shape.Order(query)} LIMIT {Param((long)query.Limit)} OFFSET {Param((long)query.Offset)}");
        return text.ToString();
    }

    /// <summary>Visitors, events and page views per value of <paramref name="dimension"/> (one row without one) over the
    /// events named <paramref name="name"/> (every event: null): the sums' rows plus the scanned partial rows
    /// (<paramref name="scanned"/>: the dimension's value when there is one, then visitors, events[, page views]).</summary>
    private string Counts(string? dimension, string? name, List<object?[]> scanned)
    {
        var named = name is null ? "name IS NULL" : $"name = {Param(name)}";
        var rows = new List<string>();
        if (dimension is null)
        {
            rows.Add($"SELECT '' AS d0, visitors, events, pageviews FROM s WHERE dim = '{LakeDaySums.Total}' AND {named}");
        }
        else if (dimension == "event:name")
        {
            rows.Add($"SELECT name AS d0, visitors, events, pageviews FROM s WHERE dim = '{LakeDaySums.Total}' AND name IS NOT NULL{(name is null ? "" : $" AND {named}")}");
        }
        else
        {
            var dim = Param(dimension);
            rows.Add($"SELECT value AS d0, visitors, events, pageviews FROM s WHERE dim = {dim} AND {named}");
            if (dimension.StartsWith(QueryFields.PropsPrefix, StringComparison.Ordinal))
            {
                // A day without the key at all: every event of it is the key's "(none)".
                rows.Add($"SELECT '(none)', visitors, events, pageviews FROM s WHERE dim = '{LakeDaySums.Total}' AND {named} AND events > 0 AND filename NOT IN (SELECT filename FROM s WHERE dim = {dim})");
            }
        }

        if (scanned.Count > 0)
        {
            var offset = dimension is null ? 0 : 1;
            long Count(object?[] row, int i) => i < row.Length - offset ? Convert.ToInt64(row[offset + i] ?? 0L, System.Globalization.CultureInfo.InvariantCulture) : 0;
            var values = scanned.Select(r => dimension is null ? "" : r[0] as string ?? "").ToList();
            rows.Add($"SELECT unnest({Param(values)}) AS d0, unnest({Param(scanned.Select(r => Count(r, 0)).ToList())}), "
                     + $"unnest({Param(scanned.Select(r => Count(r, 1)).ToList())}), unnest({Param(scanned.Select(r => Count(r, 2)).ToList())})");
        }

        var union = string.Join(" UNION ALL ", rows);
        const string sums = "CAST(sum(visitors) AS BIGINT) AS visitors, CAST(sum(events) AS BIGINT) AS events, CAST(sum(pageviews) AS BIGINT) AS pageviews";
        return dimension is not null
            ? $"SELECT d0, {sums} FROM ({union}) GROUP BY d0"
            : $"SELECT {sums} FROM ({union})";
    }

    private string Param(object value)
    {
        parameters.Add(value);
        return "$" + parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
