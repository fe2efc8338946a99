using System.Globalization;
using System.Text;
using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Query;

/// <summary>A funnel query: the funnel's steps and window, the v2 query's date range and filters (parsed by
/// <see cref="QueryParser"/>), and optionally which step's converters to break down by which visit dimension.</summary>
public sealed record FunnelQuery(Funnel Funnel, StatsQuery Scope, int? BreakdownStep, string? BreakdownBy)
{
    public static readonly string[] BreakdownDimensions = ["visit:source", "visit:country", "visit:device"];

    /// <summary>Rows of a breakdown: the largest groups, the rest left out (each distinct value would be a row).</summary>
    public const int MaxBreakdownRows = 100;
}

/// <summary>
/// Funnels in SQL. A unit is a session (window <c>session</c>) or a visitor id (1h, 24h, 7d). The events of the query
/// (<c>rows</c>: the period's page views and custom events with their session's attributes, passing the filters, as in
/// <see cref="Build"/>) that match any step are grouped once by unit (<c>fa</c>): the first step-1 time, and the list of
/// each later step's event times. Step k's time is then the least time in its list strictly after step k-1's (and, with a
/// window, no later than the window after step 1), a list operation per unit row (<c>c2</c>…): one pass over the events
/// and one aggregation, no join of events with events or with the steps. Every value (paths as RE2 regexes, names,
/// properties, the window) is a parameter; the step predicates are the goals' (<see cref="GoalMatch"/>).
/// </summary>
public sealed partial class QuerySql
{
    /// <summary>The answer's row kinds: totals of the period, a step, a breakdown group.</summary>
    public const int FunnelAllRow = 0;
    public const int FunnelStepRow = 1;
    public const int FunnelBreakdownRow = 2;

    /// <returns>SQL whose rows are (kind, step, label, visitors, median_ms): kind <see cref="FunnelAllRow"/> has the
    /// visitors of the filtered period, <see cref="FunnelStepRow"/> one row per step with its visitors and the median
    /// milliseconds from the previous step, <see cref="FunnelBreakdownRow"/> the breakdown's groups (label: the value).</returns>
    /// <param name="keyed">The files that carry the visitor key (<see cref="LakeFiles.Keyed"/>); the others' keys are
    /// computed from the visitor id (null: every file's).</param>
    /// <param name="allVisitors">The visitors of the period when known already (the day sums, <see cref="QueryDaySums"/>,
    /// for a funnel without filters): the all row says it instead of counting them again.</param>
    public static QuerySql BuildFunnel(FunnelQuery query, QueryPeriod period, IReadOnlyList<string> files, IReadOnlyList<Goal> goals,
        IReadOnlySet<string>? keyed = null, long? allVisitors = null)
    {
        var sql = new QuerySql { goals = goals };
        sql.Text = sql.ComposeFunnel(query, period, files, keyed ?? new HashSet<string>(), allVisitors);
        return sql;
    }

    /// <summary>The funnel of a period whose UTC days <c>day</c> are answered by stored partials
    /// (<paramref name="partials"/>: local paths of <see cref="BuildFunnelPartials"/>'s files, one per day) and whose rest
    /// (<paramref name="rest"/>: the parts before and after those days, each with the files of its days) is scanned within
    /// its bounds. Only for a funnel without filters and breakdown; <paramref name="allVisitors"/> is the period's visitors
    /// (the day sums). Same rows as <see cref="BuildFunnel"/> over the whole period.</summary>
    public static QuerySql BuildFunnelFromPartials(FunnelQuery query, IReadOnlyList<(QueryPeriod Part, IReadOnlyList<string> Files)> rest,
        IReadOnlyList<string> partials, IReadOnlyList<Goal> goals, IReadOnlySet<string> keyed, long allVisitors)
    {
        if (query.Scope.Filters.Count > 0 || query.BreakdownStep is not null)
        {
            throw new ArgumentException("Funnel partials answer funnels without filters and breakdown only.", nameof(query));
        }

        var sql = new QuerySql { goals = goals };
        sql.Text = sql.ComposeFunnel(query, rest.Select(r => (r.Part.FromMs, r.Part.ToMs, r.Files, (IReadOnlySet<string>)new HashSet<string>())).ToList(),
            keyed, allVisitors, partials);
        return sql;
    }

    private string ComposeFunnel(FunnelQuery query, QueryPeriod period, IReadOnlyList<string> files, IReadOnlySet<string> keyedFiles, long? allVisitors)
    {
        // Files of days wholly inside the period are read without the ts bounds (DuckDB would test them on every row).
        var inside = files.Where(f => LakeSelection.DayOfPath(f) is { } day && LakeSelection.IsInside(day, period.First, period.Last)).ToHashSet();
        return ComposeFunnel(query, [(period.FromMs, period.ToMs, files, inside)], keyedFiles, allVisitors, partials: null);
    }

    /// <summary>The funnel over the events of <paramref name="ranges"/> (each: [from, to) with its files, those of
    /// <c>Unbounded</c> read without the bounds), plus the stored partials when given.</summary>
    private string ComposeFunnel(FunnelQuery query, IReadOnlyList<(long From, long To, IReadOnlyList<string> Files, IReadOnlySet<string> Unbounded)> ranges,
        IReadOnlySet<string> keyedFiles, long? allVisitors, IReadOnlyList<string>? partials)
    {
        var filters = query.Scope.Filters;
        var regexes = new List<string>();
        var filter = filters.Count == 0 ? "true" : string.Join(" AND ", filters.Select(f => Filter(f, regexes)));
        Regexes = regexes;

        var named = FilterDimensions(filters).Concat(query.BreakdownBy is null ? [] : [query.BreakdownBy]).Distinct().ToList();
        var visitColumns = named.Where(QueryFields.VisitDimensions.ContainsKey).Select(VisitColumn).ToList();
        var text = new StringBuilder();
        text.Append($"WITH src AS NOT MATERIALIZED ({FunnelSources(named, ranges, keyedFiles)}),\n");
        var scope = "SELECT * FROM src";
        if (visitColumns.Count > 0)
        {
            text.Append("sess AS MATERIALIZED (SELECT session_id")
                .Append(string.Concat(visitColumns.Select(v => $", {v.Aggregate} AS {v.Column}")))
                .Append(" FROM src GROUP BY session_id),\n");
            scope = $"SELECT src.*{string.Concat(visitColumns.Select(v => $", sess.{v.Column}"))} FROM src JOIN sess USING (session_id)";
        }

        text.Append($"rows AS NOT MATERIALIZED ({scope} WHERE {filter}),\n");

        var shape = FunnelShapeOf(query.Funnel);
        var n = shape.Steps;
        var key = Core.Lake.LakeLayout.VisitorKeyColumn;
        var breakdown = query.BreakdownBy is null ? "NULL" : QueryFields.VisitDimensions[query.BreakdownBy].Column;
        // One row per unit that did step 1: its first step-1 time and, per later step, the times of its step-k events.
        // With partials, the units the partials could not close (sessions across a UTC midnight, and every unit of their
        // visitors) come as their stored step events, beside the scanned rest's; the unit is text in both.
        var unit = partials is null ? shape.Unit : $"CAST({shape.Unit} AS VARCHAR)";
        var matched = $"SELECT {unit} AS u, {key} AS v, ts, {breakdown} AS b{string.Concat(shape.Matches.Select((m, i) => $", {m} AS k{N(i + 1)}"))} FROM rows WHERE {string.Join(" OR ", shape.Matches)}";
        if (partials is not null)
        {
            text.Append($"p AS MATERIALIZED ({Partials(partials, shape)}),\n");
            matched += $" UNION ALL SELECT u, v, ts, NULL{string.Concat(shape.Matches.Select((_, i) => $", k{N(i + 1)}"))} FROM p WHERE kind = 'x'";
        }

        text.Append(FunnelChain(shape, matched, query.BreakdownStep is { } bs ? $"k{N(shape.Of[bs - 1])}" : null));
        text.Append($",\nfu AS MATERIALIZED (SELECT v{string.Concat(Enumerable.Range(1, n).Select(k => $", t{N(k)}"))}")
            .Append(query.BreakdownStep is { } step ? $", struct_extract(list_filter(lb, lambda x: x.t = t{N(step)})[1], 'b') AS b" : "")
            .Append($" FROM c{N(n)})");

        var parts = new List<string>
        {
            $"SELECT {FunnelAllRow} AS kind, 0 AS step, CAST(NULL AS VARCHAR) AS label, "
            + (allVisitors is { } all ? $"CAST({Param(all)} AS BIGINT) AS visitors, CAST(NULL AS DOUBLE) AS median_ms" : $"count(DISTINCT {key}) AS visitors, CAST(NULL AS DOUBLE) AS median_ms FROM rows"),
        };
        if (partials is null)
        {
            parts.Add($"SELECT {FunnelStepRow}, 1, NULL, count(DISTINCT v), NULL FROM fu");
            // The median of whole seconds between the steps: what partials can store as counts of each second (exactly the
            // same median), and what the answer shows (median_seconds).
            parts.AddRange(Enumerable.Range(2, Math.Max(0, n - 1)).Select(k =>
                $"SELECT {FunnelStepRow}, {N(k)}, NULL, count(DISTINCT v) FILTER (WHERE t{N(k)} IS NOT NULL), CAST(median((t{N(k)} - t{N(k - 1)}) // 1000) * 1000 AS DOUBLE) FROM fu"));
        }
        else
        {
            // Visitors: the partials' per-day counts (visitors wholly of closed units) plus the distinct visitors of the
            // units computed here (the others: no visitor is in both, an id lives within one UTC day). The median: over the
            // partials' counts of each whole second and this query's own gaps, the same interpolation as median().
            text.Append(",\ngaps AS (SELECT step, d, sum(n) AS n FROM (SELECT step, d, n FROM p WHERE kind = 'h'")
                .Append(string.Concat(Enumerable.Range(2, n - 1).Select(k => $" UNION ALL SELECT {N(k)}, (t{N(k)} - t{N(k - 1)}) // 1000, 1 FROM fu WHERE t{N(k)} IS NOT NULL")))
                .Append(") GROUP BY step, d)")
                .Append(",\ncum AS (SELECT step, d, n, sum(n) OVER (PARTITION BY step ORDER BY d ROWS UNBOUNDED PRECEDING) AS upto, sum(n) OVER (PARTITION BY step) AS total FROM gaps)")
                .Append(",\nmed AS (SELECT step, (min(d) FILTER (WHERE upto - n <= (total - 1) // 2 AND (total - 1) // 2 < upto) ")
                .Append("+ min(d) FILTER (WHERE upto - n <= total // 2 AND total // 2 < upto)) * 500.0 AS median_ms FROM cum GROUP BY step)")
                .Append(",\nstored AS (SELECT step, sum(n) AS n FROM p WHERE kind = 'c' GROUP BY step)");
            parts.AddRange(Enumerable.Range(1, n).Select(k =>
                $"SELECT {FunnelStepRow}, {N(k)}, NULL, CAST(coalesce((SELECT n FROM stored WHERE step = {N(k)}), 0) + (SELECT count(DISTINCT v) FILTER (WHERE t{N(k)} IS NOT NULL) FROM fu) AS BIGINT), "
                + (k == 1 ? "NULL" : $"CAST((SELECT median_ms FROM med WHERE step = {N(k)}) AS DOUBLE)")));
        }

        if (query.BreakdownStep is { } broken && query.BreakdownBy is not null)
        {
            parts.Add($"SELECT * FROM (SELECT {FunnelBreakdownRow}, {N(broken)}, b, count(DISTINCT v) AS n, CAST(NULL AS DOUBLE) " +
                      $"FROM fu WHERE t{N(broken)} IS NOT NULL GROUP BY b ORDER BY n DESC, b ASC LIMIT {Param((long)FunnelQuery.MaxBreakdownRows)})");
        }

        text.Append('\n').Append(string.Join("\nUNION ALL ", parts)).Append("\nORDER BY kind, step, visitors DESC, label");
        return text.ToString();
    }

    /// <summary>A funnel's steps in SQL: how many, its unit (the session id, or the visitor's key under a window), the
    /// window in milliseconds (null: the session), one predicate per distinct step (steps alike, e.g. /page/** twice,
    /// share one column <c>k{j}</c> and one list) and step k's column index (<c>Of[k - 1]</c>).</summary>
    private sealed record FunnelShape(int Steps, string Unit, string? Window, IReadOnlyList<string> Matches, IReadOnlyList<int> Of);

    private FunnelShape FunnelShapeOf(Funnel funnel)
    {
        var steps = funnel.Steps;
        var distinct = steps.Select(Predicate).Distinct().ToList();
        var of = steps.Select(st => distinct.IndexOf(Predicate(st)) + 1).ToList(); // step k's predicate: k{of[k-1]}
        var matches = distinct.Select(st => StepMatch(steps.First(x => Predicate(x) == st))).ToList();
        var window = Funnel.Windows[funnel.Window] is { } span ? Param((long)span.TotalMilliseconds) : null;
        return new FunnelShape(steps.Count, window is null ? "session_id" : Core.Lake.LakeLayout.VisitorKeyColumn, window, matches, of);
    }

    private static string N(int k) => k.ToString(CultureInfo.InvariantCulture);

    /// <summary>The page views and custom events of <paramref name="ranges"/> with the columns the funnel needs (the
    /// visitor's key read from the files that have it, computed from the id in the others).</summary>
    private string FunnelSources(IReadOnlyList<string> named, IReadOnlyList<(long From, long To, IReadOnlyList<string> Files, IReadOnlySet<string> Unbounded)> ranges,
        IReadOnlySet<string> keyedFiles)
    {
        var columns = QueryFields.BaseColumns
            .Concat(QueryFields.GoalColumns)
            .Concat(named.Select(QueryFields.LakeColumn).OfType<string>())
            .Concat(named.Contains("visit:channel") ? QueryFields.ChannelColumns : [])
            .Distinct()
            .Where(c => Core.Lake.LakeLayout.EventColumns.Any(e => e.Name == c));
        string Source(List<string> paths) => $"read_parquet({Param(paths)}, union_by_name = true, hive_partitioning = false)";
        var (keyed, computed) = KeyedColumns(columns);
        var types = $"type IN {Core.Lake.LakeLayout.SessionEventTypes}";
        var scans = new List<string>();
        void Scan(List<string> paths, string where)
        {
            foreach (var hasKey in new[] { true, false })
            {
                var of = paths.Where(p => keyedFiles.Contains(p) == hasKey).ToList();
                if (of.Count > 0)
                {
                    scans.Add($"SELECT {(hasKey ? keyed : computed)} FROM {Source(of)} WHERE {where}");
                }
            }
        }

        foreach (var (from, to, files, unbounded) in ranges)
        {
            var inside = files.Where(unbounded.Contains).ToList();
            var edge = files.Except(inside).ToList();
            Scan(inside, types);
            if (edge.Count > 0 || inside.Count == 0)
            {
                // The bounds become parameters only when the text uses them: DuckDB refuses a value for no placeholder.
                var range = $"ts >= {Param(from)} AND ts < {Param(to)}";
                if (edge.Count == 0)
                {
                    scans.Add($"SELECT {keyed} FROM {EmptyEvents} WHERE {range} AND {types}");
                }

                Scan(edge, $"{range} AND {types}");
            }
        }

        // No DISTINCT ON (event_id) and nothing materialised before the step events: a copy of an event (a crash's, until
        // compaction drops it) changes no min(ts), no count(DISTINCT …) and no first event of a session, so the funnel is
        // the same with or without it, and the scans stream instead of holding every event of the period.
        return scans.Count == 0 ? $"SELECT {keyed} FROM {EmptyEvents} WHERE false" : string.Join(" UNION ALL ", scans);
    }

    /// <summary><c>fa</c>, <c>c2</c>…<c>c{n}</c> over <paramref name="matched"/> (rows u, v, ts, b, k1…): per unit, the
    /// first step-1 time and visitor, the lists of later steps' times; step k's time is the least time in its list
    /// strictly after step k-1's (and within the window after step 1's). With <paramref name="breakdownColumn"/>, the
    /// (time, value) pairs of that step's events too.</summary>
    private static string FunnelChain(FunnelShape shape, string matched, string? breakdownColumn)
    {
        var k1 = $"k{N(shape.Of[0])}";
        var text = new StringBuilder($"fa AS (SELECT u, arg_min(v, ts) FILTER (WHERE {k1}) AS v, min(ts) FILTER (WHERE {k1}) AS t1")
            .Append(shape.Window is null ? "" : $", min(ts) FILTER (WHERE {k1}) + {shape.Window} AS lim")
            .Append(string.Concat(shape.Of.Skip(1).Distinct().Select(j => $", list(ts) FILTER (WHERE k{N(j)}) AS l{N(j)}")))
            .Append(breakdownColumn is null ? "" : $", list(struct_pack(t := ts, b := b)) FILTER (WHERE {breakdownColumn}) AS lb")
            .Append($" FROM ({matched}) GROUP BY u HAVING min(ts) FILTER (WHERE {k1}) IS NOT NULL)");
        var previous = "fa";
        for (var k = 2; k <= shape.Steps; k++)
        {
            text.Append($",\nc{N(k)} AS (SELECT *, list_min(list_filter(l{N(shape.Of[k - 1])}, lambda x: x > t{N(k - 1)}{(shape.Window is null ? "" : " AND x <= lim")})) AS t{N(k)} FROM {previous})");
            previous = $"c{N(k)}";
        }


        return text.ToString();
    }

    /// <summary>The columns of a partials file: <c>kind</c> <c>'c'</c> (step's visitors of the day's closed units,
    /// <c>n</c>), <c>'h'</c> (units of the step whose gap from the previous step is <c>d</c> whole seconds, <c>n</c>),
    /// <c>'x'</c> (a step event of a unit left to the query: <c>u</c>, <c>v</c>, <c>ts</c>, <c>k1</c>…).</summary>
    private string Partials(IReadOnlyList<string> paths, FunnelShape shape)
    {
        var columns = $"kind, step, d, n, u, v, ts{string.Concat(shape.Matches.Select((_, i) => $", k{N(i + 1)}"))}";
        return paths.Count == 0
            ? $"SELECT CAST(NULL AS VARCHAR) AS kind, CAST(NULL AS INTEGER) AS step, CAST(NULL AS BIGINT) AS d, CAST(NULL AS BIGINT) AS n, CAST(NULL AS VARCHAR) AS u, CAST(NULL AS BIGINT) AS v, CAST(NULL AS BIGINT) AS ts{string.Concat(shape.Matches.Select((_, i) => $", CAST(NULL AS BOOLEAN) AS k{N(i + 1)}"))} WHERE false"
            : $"SELECT {columns} FROM read_parquet({Param(paths.ToList())}, hive_partitioning = false)";
    }

    /// <summary>The folder under <see cref="BuildFunnelPartials"/>'s target holding a UTC day's file: <c>day={n}</c>, n
    /// the day's number since 1970-01-01 (the COPY's partition value).</summary>
    public static string PartialsDayFolder(DateOnly utcDay) => "day=" + DayNumber(utcDay).ToString(CultureInfo.InvariantCulture);

    private static long DayNumber(DateOnly utcDay) => utcDay.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber;

    /// <summary>
    /// A COPY writing the funnel's partials of UTC days <paramref name="utcDays"/> under <paramref name="target"/>
    /// (<see cref="PartialsDayFolder"/>), from <paramref name="files"/>: every compact file of the site-days covering those
    /// days (<see cref="Core.Lake.LakeDaySums.CoveringDays"/>). A unit (session or visitor key) is closed in a day when
    /// every event of it in those files lies within that UTC day; a visitor is wholly closed when each of its units is
    /// closed and has that one visitor.
    /// For each day: the step visitors of the wholly closed visitors (<c>'c'</c>, a row per step even when 0), the counts
    /// of their units' whole-second gaps (<c>'h'</c>), and the step events of every other unit in the day (<c>'x'</c>),
    /// which the query groups with the period's scanned rest. Why it is exact: a closed unit lies in one UTC day, so a
    /// period holding that day whole holds it whole; visitor ids live within one UTC day (the Api's salt), so visitors of
    /// the counts are in no other row; every other unit is computed by the query from its events, as without partials.
    /// </summary>
    public static QuerySql BuildFunnelPartials(Funnel funnel, IReadOnlyList<DateOnly> utcDays, IReadOnlyList<string> files, IReadOnlySet<string> keyedFiles,
        IReadOnlyList<Goal> goals, string target)
    {
        var sql = new QuerySql { goals = goals };
        var shape = sql.FunnelShapeOf(funnel);
        var n = shape.Steps;
        var key = Core.Lake.LakeLayout.VisitorKeyColumn;
        var numbers = utcDays.Select(DayNumber).ToList();
        var ks = string.Concat(shape.Matches.Select((_, i) => $", k{N(i + 1)}"));
        var text = new StringBuilder($"COPY (WITH src AS NOT MATERIALIZED ({sql.FunnelSources([], [(long.MinValue, long.MaxValue, files, files.ToHashSet())], keyedFiles)}),\n")
            .Append($"ev AS NOT MATERIALIZED (SELECT {shape.Unit} AS u, {key} AS v, ts{string.Concat(shape.Matches.Select((m, i) => $", {m} AS k{N(i + 1)}"))} FROM src),\n")
            // A unit is solo when every event of it lies within one UTC day and carries one visitor id (a session
            // changes id when its IP changes). Whole units are pure or not, and no pure unit shares a visitor with
            // another: every visitor of a unit that is not solo makes all its units left to the query. (A solo unit has
            // one v, so the row test below gives all its rows the same answer.)
            .Append("span AS (SELECT u, min(ts) // 86400000 = max(ts) // 86400000 AND count(DISTINCT v) = 1 AS solo FROM ev GROUP BY u),\n")
            .Append($"days AS (SELECT unnest({sql.Param(numbers)}) AS day),\n")
            .Append($"de AS MATERIALIZED (SELECT ev.*, ts // 86400000 AS day, solo FROM ev JOIN span USING (u) WHERE ({string.Join(" OR ", Enumerable.Range(1, shape.Matches.Count).Select(i => $"k{N(i)}"))}) AND ts // 86400000 IN (SELECT day FROM days)),\n")
            .Append("open AS (SELECT DISTINCT v FROM de WHERE NOT solo AND v IS NOT NULL),\n")
            .Append("de2 AS MATERIALIZED (SELECT de.*, coalesce(solo AND v NOT IN (SELECT v FROM open), false) AS pure FROM de),\n")
            .Append(FunnelChain(shape, $"SELECT u, v, ts, NULL AS b{ks} FROM de2 WHERE pure", null))
            .Append($",\nfu AS MATERIALIZED (SELECT t1 // 86400000 AS day, v{string.Concat(Enumerable.Range(1, n).Select(k => $", t{N(k)}"))} FROM c{N(n)}),\n")
            .Append("cnt AS (")
            .Append(string.Join(" UNION ALL ", Enumerable.Range(1, n).Select(k => $"SELECT day, {N(k)} AS step, count(DISTINCT v) FILTER (WHERE t{N(k)} IS NOT NULL) AS n FROM fu GROUP BY day")))
            .Append("),\nsteps AS (SELECT unnest(range(1, ").Append(N(n + 1)).Append(")) AS step)\n")
            .Append($"SELECT days.day, 'c' AS kind, CAST(steps.step AS INTEGER) AS step, CAST(NULL AS BIGINT) AS d, CAST(coalesce(cnt.n, 0) AS BIGINT) AS n, CAST(NULL AS VARCHAR) AS u, CAST(NULL AS BIGINT) AS v, CAST(NULL AS BIGINT) AS ts")
            .Append(string.Concat(shape.Matches.Select((_, i) => $", CAST(NULL AS BOOLEAN) AS k{N(i + 1)}")))
            .Append(" FROM days CROSS JOIN steps LEFT JOIN cnt ON cnt.day = days.day AND cnt.step = steps.step");
        for (var k = 2; k <= n; k++)
        {
            text.Append($"\nUNION ALL SELECT day, 'h', {N(k)}, (t{N(k)} - t{N(k - 1)}) // 1000, count(*), NULL, NULL, NULL{string.Concat(shape.Matches.Select(_ => ", NULL"))} FROM fu WHERE t{N(k)} IS NOT NULL GROUP BY day, (t{N(k)} - t{N(k - 1)}) // 1000");
        }

        text.Append($"\nUNION ALL SELECT day, 'x', NULL, NULL, NULL, CAST(u AS VARCHAR), v, ts{ks} FROM de2 WHERE NOT pure")
            .Append($") TO {Lifecycle.UserErasure.Literal(target)} (FORMAT parquet, PARTITION_BY (day), COMPRESSION zstd)");
        sql.Text = text.ToString();
        return sql;
    }

    /// <summary>What a funnel's partials depend on (its steps' predicates in order and its window, not its name or
    /// display names): two funnels alike share them, and an edit of a step makes new ones.</summary>
    public static string FunnelPartialsHash(Funnel funnel)
    {
        var definition = System.Text.Json.JsonSerializer.Serialize(new { format = 1, window = funnel.Window, steps = funnel.Steps.Select(Predicate) });
        return Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(definition))[..8]);
    }

    /// <summary>What a step matches, without its display name: steps alike share one predicate.</summary>
    private static FunnelStep Predicate(FunnelStep step) => step with { DisplayName = null };

    /// <summary>A step's predicate: the goal's, except that the commonest page patterns skip the regex engine (every
    /// event of the period is tested against every step): no star is an equality, one trailing <c>**</c> (any run,
    /// across segments, including none) a prefix. Both match exactly what <see cref="PathPattern.Matches"/> does.</summary>
    private string StepMatch(FunnelStep step)
    {
        var path = step.Path;
        if (!step.IsPage || path is null)
        {
            return GoalMatch(step.AsGoal());
        }

        if (!path.Contains('*', StringComparison.Ordinal))
        {
            return $"coalesce(type = 'page_view' AND path = {Param(path)}, false)";
        }

        return path.EndsWith("**", StringComparison.Ordinal) && !path[..^2].Contains('*', StringComparison.Ordinal)
            ? $"coalesce(type = 'page_view' AND starts_with(path, {Param(path[..^2])}), false)"
            : GoalMatch(step.AsGoal());
    }
}
