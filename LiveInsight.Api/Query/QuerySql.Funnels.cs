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

    private string ComposeFunnel(FunnelQuery query, QueryPeriod period, IReadOnlyList<string> files, IReadOnlySet<string> keyedFiles, long? allVisitors)
    {
        var filters = query.Scope.Filters;
        var regexes = new List<string>();
        var filter = filters.Count == 0 ? "true" : string.Join(" AND ", filters.Select(f => Filter(f, regexes)));
        Regexes = regexes;

        var named = FilterDimensions(filters).Concat(query.BreakdownBy is null ? [] : [query.BreakdownBy]).Distinct().ToList();
        var visitColumns = named.Where(QueryFields.VisitDimensions.ContainsKey).Select(VisitColumn).ToList();
        var columns = QueryFields.BaseColumns
            .Concat(QueryFields.GoalColumns)
            .Concat(named.Select(QueryFields.LakeColumn).OfType<string>())
            .Concat(named.Contains("visit:channel") ? QueryFields.ChannelColumns : [])
            .Distinct()
            .Where(c => Core.Lake.LakeLayout.EventColumns.Any(e => e.Name == c));
        // Files of days wholly inside the period are read without the ts bounds (DuckDB would test them on every row).
        var inside = files.Where(f => LakeSelection.DayOfPath(f) is { } day && LakeSelection.IsInside(day, period.First, period.Last)).ToList();
        var edge = files.Except(inside).ToList();
        string Source(List<string> paths) => $"read_parquet({Param(paths)}, union_by_name = true, hive_partitioning = false)";
        // The visitor's key instead of its id (as in Build's reads): read from the files that have it, computed from the
        // id in the others (parts, compact files older than the key).
        var key = Core.Lake.LakeLayout.VisitorKeyColumn;
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

        Scan(inside, types);
        if (edge.Count > 0 || inside.Count == 0)
        {
            // The bounds become parameters only when the text uses them: DuckDB refuses a value for no placeholder.
            var range = $"ts >= {Param(period.FromMs)} AND ts < {Param(period.ToMs)}";
            if (edge.Count == 0)
            {
                scans.Add($"SELECT {keyed} FROM {EmptyEvents} WHERE {range} AND {types}");
            }

            Scan(edge, $"{range} AND {types}");
        }

        // No DISTINCT ON (event_id) and nothing materialised before the step events: a copy of an event (a crash's, until
        // compaction drops it) changes no min(ts), no count(DISTINCT …) and no first event of a session, so the funnel is
        // the same with or without it, and the scans stream instead of holding every event of the period.
        var text = new StringBuilder();
        text.Append($"WITH src AS NOT MATERIALIZED ({string.Join(" UNION ALL ", scans)}),\n");
        var scope = "SELECT * FROM src";
        if (visitColumns.Count > 0)
        {
            text.Append("sess AS MATERIALIZED (SELECT session_id")
                .Append(string.Concat(visitColumns.Select(v => $", {v.Aggregate} AS {v.Column}")))
                .Append(" FROM src GROUP BY session_id),\n");
            scope = $"SELECT src.*{string.Concat(visitColumns.Select(v => $", sess.{v.Column}"))} FROM src JOIN sess USING (session_id)";
        }

        text.Append($"rows AS NOT MATERIALIZED ({scope} WHERE {filter}),\n");

        var steps = query.Funnel.Steps;
        var n = steps.Count;
        string N(int k) => k.ToString(CultureInfo.InvariantCulture);
        // Steps with the same predicate (a funnel may pass /page/** twice) share one column and one list.
        var distinct = steps.Select(Predicate).Distinct().ToList();
        var of = steps.Select(st => distinct.IndexOf(Predicate(st)) + 1).ToList(); // step k's predicate: k{of[k-1]}
        var matches = distinct.Select(st => StepMatch(steps.First(x => Predicate(x) == st))).ToList();
        var unit = Funnel.Windows[query.Funnel.Window] is null ? "session_id" : key;
        var breakdown = query.BreakdownBy is null ? "NULL" : QueryFields.VisitDimensions[query.BreakdownBy].Column;
        var window = Funnel.Windows[query.Funnel.Window] is { } span ? Param((long)span.TotalMilliseconds) : null;

        // One row per unit that did step 1: its first step-1 time and, per later step, the times of its step-k events.
        var k1 = $"k{N(of[0])}";
        text.Append($"fa AS (SELECT u, arg_min(v, ts) FILTER (WHERE {k1}) AS v, min(ts) FILTER (WHERE {k1}) AS t1")
            .Append(window is null ? "" : $", min(ts) FILTER (WHERE {k1}) + {window} AS lim")
            .Append(string.Concat(of.Skip(1).Distinct().Select(j => $", list(ts) FILTER (WHERE k{N(j)}) AS l{N(j)}")))
            .Append(query.BreakdownStep is { } bs ? $", list(struct_pack(t := ts, b := b)) FILTER (WHERE k{N(of[bs - 1])}) AS lb" : "")
            .Append($" FROM (SELECT {unit} AS u, {key} AS v, ts, {breakdown} AS b")
            .Append(string.Concat(matches.Select((m, i) => $", {m} AS k{N(i + 1)}")))
            .Append($" FROM rows WHERE {string.Join(" OR ", matches)}) GROUP BY u HAVING min(ts) FILTER (WHERE {k1}) IS NOT NULL)");
        // Step k: the first step-k time strictly after step k-1's (and within the window after step 1's).
        var previous = "fa";
        for (var k = 2; k <= n; k++)
        {
            text.Append($",\nc{N(k)} AS (SELECT *, list_min(list_filter(l{N(of[k - 1])}, lambda x: x > t{N(k - 1)}{(window is null ? "" : " AND x <= lim")})) AS t{N(k)} FROM {previous})");
            previous = $"c{N(k)}";
        }

        text.Append($",\nfu AS MATERIALIZED (SELECT v{string.Concat(Enumerable.Range(1, n).Select(k => $", t{N(k)}"))}")
            .Append(query.BreakdownStep is { } step ? $", struct_extract(list_filter(lb, lambda x: x.t = t{N(step)})[1], 'b') AS b" : "")
            .Append($" FROM {previous})");

        var parts = new List<string>
        {
            $"SELECT {FunnelAllRow} AS kind, 0 AS step, CAST(NULL AS VARCHAR) AS label, "
            + (allVisitors is { } all ? $"CAST({Param(all)} AS BIGINT) AS visitors, CAST(NULL AS DOUBLE) AS median_ms" : $"count(DISTINCT {key}) AS visitors, CAST(NULL AS DOUBLE) AS median_ms FROM rows"),
        };
        parts.Add($"SELECT {FunnelStepRow}, 1, NULL, count(DISTINCT v), NULL FROM fu");
        parts.AddRange(Enumerable.Range(2, Math.Max(0, n - 1)).Select(k =>
            $"SELECT {FunnelStepRow}, {N(k)}, NULL, count(DISTINCT v) FILTER (WHERE t{N(k)} IS NOT NULL), CAST(median(t{N(k)} - t{N(k - 1)}) AS DOUBLE) FROM fu"));
        if (query.BreakdownStep is { } broken && query.BreakdownBy is not null)
        {
            parts.Add($"SELECT * FROM (SELECT {FunnelBreakdownRow}, {N(broken)}, b, count(DISTINCT v) AS n, CAST(NULL AS DOUBLE) " +
                      $"FROM fu WHERE t{N(broken)} IS NOT NULL GROUP BY b ORDER BY n DESC, b ASC LIMIT {Param((long)FunnelQuery.MaxBreakdownRows)})");
        }

        text.Append('\n').Append(string.Join("\nUNION ALL ", parts)).Append("\nORDER BY kind, step, visitors DESC, label");
        return text.ToString();
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
