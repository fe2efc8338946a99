using System.Text;

namespace LiveInsight.Api.Query;

/// <summary>
/// One query as DuckDB SQL. The text is assembled only from <see cref="QueryFields"/> fragments and aliases made
/// here (<c>d0</c>, <c>m0</c>, <c>$1</c>); every value the client sent (filter clauses, property keys, file paths,
/// limits) is a parameter.
/// <para>Sessions are computed from the query's own events (<c>sess</c>), so answers are exact at every moment; a row of
/// <c>rows</c> is an event with its session's attributes that passes the filter tree. Event metrics count those rows;
/// session metrics count the sessions with at least one of them (a visit filter keeps whole sessions, an event
/// filter keeps the sessions that have such an event, as Plausible).</para>
/// </summary>
public sealed partial class QuerySql
{
    /// <summary>An empty table of the lake's columns and stamps in the engine's database: what a query over no files
    /// reads, and what every read is unioned with by name (so a stamp column exists when no file has it).</summary>
    public const string EmptyEvents = "empty_events";

    private readonly List<object> parameters = [];

    private QuerySql()
    {
    }

    public string Text { get; private set; } = "";

    public IReadOnlyList<object> Parameters => parameters;

    /// <summary>The query's dimensions with a plain <c>time</c> resolved to its bucket.</summary>
    public IReadOnlyList<string> Dimensions { get; private set; } = [];

    public IReadOnlyList<string> Regexes { get; private set; } = [];

    /// <param name="files">Lake files, all read as <see cref="LakeSelection.Mixed"/> (exact, the slow way).</param>
    /// <param name="goals">The site's goals: what <c>event:goal</c> and <c>conversion_rate</c> are computed from.</param>
    public static QuerySql Build(StatsQuery query, QueryPeriod period, IReadOnlyList<string> files, IReadOnlyList<Core.Sites.Goal>? goals = null) =>
        Build(query, period, LakeSelection.AllMixed(files), goals);

    /// <param name="files">The query's files as <see cref="LakeFiles.SelectAsync"/> sorts them.</param>
    /// <param name="goals">The site's goals: what <c>event:goal</c> and <c>conversion_rate</c> are computed from.</param>
    public static QuerySql Build(StatsQuery query, QueryPeriod period, LakeSelection files, IReadOnlyList<Core.Sites.Goal>? goals = null)
    {
        var sql = new QuerySql { goals = goals ?? [] };
        sql.Text = sql.Compose(query, period, files);
        return sql;
    }

    private string Compose(StatsQuery query, QueryPeriod period, LakeSelection files)
    {
        Dimensions = query.Dimensions.Select(d => d == "time" ? QueryFields.TimeFor(period.Days) : d).ToList();
        var regexes = new List<string>();
        var filter = query.Filters.Count == 0 ? "true" : string.Join(" AND ", query.Filters.Select(f => Filter(f, regexes)));
        Regexes = regexes;

        var used = Dimensions.Concat(FilterDimensions(query.Filters)).Distinct().ToList();
        var visits = used.Where(QueryFields.VisitDimensions.ContainsKey).ToList();
        var eventLevel = Dimensions.Any(QueryFields.IsEventLevel);
        var sessionLevel = !eventLevel && query.Metrics.Any(m => m is "visits" || QueryFields.SessionMetrics.Contains(m));
        var dims = Dimensions.Select(RowExpression).ToList();
        var groupBy = dims.Count == 0 ? "" : " GROUP BY ALL";

        var text = new StringBuilder("WITH ");
        Events(text, period, files, used, visits, query.Filters, wholeSessions: sessionLevel);
        text.Append(Dimensions.Contains(QueryFields.Goal)
            ? $"rows AS ({GoalRows($"SELECT * FROM srcv WHERE {filter}", query.Filters)}),\n"
            : $"rows AS (SELECT * FROM srcv WHERE {filter}),\n");
        // Only the aggregates the metrics read: a distinct count over millions of rows is most of a query's time.
        var aggregates = new List<string> { "count(*) AS events" };
        if (query.Metrics.Any(m => m is "visitors" or "percentage" or "conversion_rate"))
        {
            aggregates.Add("count(DISTINCT visitor_key) AS visitors");
        }

        if (query.Metrics.Contains("pageviews"))
        {
            aggregates.Add("count(*) FILTER (WHERE type = 'page_view') AS pageviews");
        }

        if (query.Metrics.Contains("visits") && !sessionLevel)
        {
            aggregates.Add("count(DISTINCT session_id) AS visits");
        }

        text.Append("ev AS (SELECT ").Append(string.Concat(dims.Select((d, i) => $"{d} AS d{i}, ")))
            .Append($"{string.Join(", ", aggregates)} FROM rows{groupBy})");
        var joined = "ev e";
        if (sessionLevel)
        {
            // Sessions with a row: a filter on visit attributes alone keeps whole sessions, so their rows are all their
            // events; an event filter keeps sessions that have such an event, counted with all their events.
            var whole = FilterDimensions(query.Filters).All(QueryFields.VisitDimensions.ContainsKey);
            var of = whole ? "rows" : "srcv WHERE session_id IN (SELECT session_id FROM rows)";
            text.Append(",\nsess AS (SELECT session_id")
                .Append(string.Concat(visits.Select(v => $", any_value({QueryFields.VisitDimensions[v].Column}) AS {QueryFields.VisitDimensions[v].Column}")))
                .Append(", min(ts) AS start_ts, max(ts) AS end_ts, min(local_ts) AS start_local")
                .Append($", count(*) FILTER (WHERE type = 'page_view') AS pv, count(*) FILTER (WHERE type = 'custom') AS ce FROM {of} GROUP BY session_id)");
            var sessionDims = Dimensions.Select(d => SessionExpression(d)).ToList();
            text.Append(",\nse AS (SELECT ").Append(string.Concat(sessionDims.Select((d, i) => $"{d} AS d{i}, ")))
                .Append("count(*) AS visits, count(*) FILTER (WHERE s.pv <= 1 AND s.ce = 0) AS bounces, ")
                .Append($"sum(s.end_ts - s.start_ts) AS duration_ms, sum(s.pv) AS pageviews FROM sess s{groupBy})");
            var on = dims.Count == 0 ? "true" : string.Join(" AND ", dims.Select((_, i) => $"e.d{i} IS NOT DISTINCT FROM s.d{i}"));
            joined = $"ev e FULL JOIN se s ON {on}";
        }

        var outDims = dims.Select((_, i) => sessionLevel ? $"coalesce(e.d{i}, s.d{i}) AS d{i}" : $"e.d{i} AS d{i}");
        string OutDim(int i) => sessionLevel ? $"coalesce(e.d{i}, s.d{i})" : $"e.d{i}";
        if (query.Metrics.Contains("conversion_rate"))
        {
            joined += ConversionBase(query, "SELECT * FROM srcv", text, OutDim);
        }

        if (query.Metrics.Any(EngagementMetrics.Contains))
        {
            joined += EngagementViews(Read([.. files.Compact, .. files.Mixed]), period, query, visits, text, OutDim);
        }

        var outMetrics = query.Metrics.Select((m, j) => $"{Metric(m, sessionLevel)} AS m{j}");
        text.Append($"\nSELECT {string.Join(", ", outDims.Concat(outMetrics))}")
            .Append(query.TotalRows ? ", count(*) OVER () AS total_rows" : "")
            .Append($" FROM {joined} ORDER BY {Order(query)} LIMIT {Param((long)query.Limit)} OFFSET {Param((long)query.Offset)}");
        return text.ToString();
    }

    /// <summary>
    /// Appends <c>srcv</c>: the range's page views and custom events, each with the columns the query reads and its
    /// visit's attributes (<c>v_…</c>). Compact files of days without parts are read as they are: their rows carry the
    /// session's stamps, so a visit filter is a column filter DuckDB pushes into the scan (no grouping of sessions).
    /// Rows without stamps (the files of days with parts, and rows of files written before stamps) are deduplicated by
    /// event id and stamped here (<c>fix</c>): from a stamped row of the same session, else from the compact file of
    /// the day before (<c>look</c>), else from the session's own first event among them.
    /// </summary>
    private void Events(StringBuilder text, QueryPeriod period, LakeSelection files, IReadOnlyList<string> used, IReadOnlyList<string> visits,
        IReadOnlyList<QueryFilter> filters, bool wholeSessions)
    {
        var (from, to) = (Param(period.FromMs), Param(period.ToMs));
        var stamps = visits.SelectMany(QueryFields.StampsOf).Distinct().ToList();
        var columns = QueryFields.BaseColumns
            .Concat(used.Where(d => !QueryFields.VisitDimensions.ContainsKey(d) || d == "visit:exit_page").Select(QueryFields.LakeColumn).OfType<string>())
            .Concat(used.Contains(QueryFields.Goal) ? QueryFields.GoalColumns : [])
            .Distinct()
            .Where(c => Core.Lake.LakeLayout.EventColumns.Any(e => e.Name == c)) // the allow-list once more: only the lake's own names
            .ToList();
        var types = $"type IN {Core.Lake.LakeLayout.SessionEventTypes}";
        var range = $"ts >= {from} AND ts < {to}";
        // Rows carry the visitor's key instead of its id (LakeLayout.VisitorKeyColumn): read from the compact files that
        // have it (LakeSelection.Keyed, known from their footers, so no row is tested for it), computed from the id in
        // every other file (parts, compact files older than the key).
        var (keyed, computed) = KeyedColumns(columns);
        string Columns(bool hasKey) => hasKey ? keyed : computed;
        if (stamps.Count == 0)
        {
            // No visit attribute: events as they are (compact files are deduplicated already).
            var list = string.Join(", ", columns);
            var pushed = string.Concat(filters.OfType<SimpleFilter>().Select(f => ScanFilter(f, wholeSessions)?.Sql).OfType<string>().Select(f => $" AND {f}"));
            text.Append($"src AS ({CompactScan(files, Columns, range, $"{types}{pushed}")}")
                .Append($" UNION ALL SELECT {keyed} FROM (SELECT DISTINCT ON (event_id) {list}, {ComputedVisitorKey} FROM {Read(files.Mixed)} WHERE {range} AND {types}{pushed})),\n");
        }
        else
        {
            var start = Core.Lake.LakeLayout.SessionStart;
            var stampList = string.Join(", ", stamps);
            var raw = columns.Concat(stamps.Select(QueryFields.StampSource)).Distinct().ToList();
            // A stamped row has s_start; a pushed stamp filter that refuses NULL (s_source IN (…)) already keeps only such
            // rows, so the marker is not tested as well (each tested column costs a pass over every row of the range).
            var scans = filters.OfType<SimpleFilter>().Select(f => ScanFilter(f, wholeSessions)).OfType<(string Sql, bool Stamped)>().ToList();
            var marker = scans.Any(f => f.Stamped) ? "" : $" AND {start} IS NOT NULL";
            text.Append($"cmp AS ({CompactScan(files, k => $"{Columns(k)}, {stampList}", range, $"{types}{marker}{string.Concat(scans.Select(f => $" AND {f.Sql}"))}")}")
                .Append("),\n");
            // Unstamped rows: all of the mixed days (no range: a session's first event may precede it) and the rows
            // of compact files that carry no stamps.
            text.Append($"mraw AS MATERIALIZED (SELECT DISTINCT ON (event_id) {string.Join(", ", raw)}, {start}, {stampList}, {ComputedVisitorKey} FROM (")
                .Append($"SELECT * FROM {Read(files.Mixed)} UNION ALL BY NAME SELECT * FROM {Read(files.Compact)} WHERE {start} IS NULL) WHERE {types}),\n");
            var pool = "mraw";
            if (files.Lookup.Count > 0)
            {
                text.Append($"look AS (SELECT session_id, min({start}) AS {start}, {string.Join(", ", stamps.Select(c => $"arg_min_null({c}, {start}) AS {c}"))} ")
                    .Append($"FROM {Read(files.Lookup)} WHERE {start} IS NOT NULL AND session_id IN (SELECT session_id FROM mraw) GROUP BY session_id),\n");
                pool = "(SELECT * FROM mraw UNION ALL BY NAME SELECT * FROM look)";
            }

            var stamped = $"{start} IS NOT NULL";
            text.Append("fix AS (SELECT session_id, ")
                .Append(string.Join(", ", stamps.Select(c =>
                    $"CASE WHEN bool_or({stamped}) THEN arg_min_null({c}, {start}) FILTER (WHERE {stamped}) ELSE {Core.Lake.LakeLayout.SessionAggregate(c)} END AS {c}")))
                .Append($" FROM {pool} GROUP BY session_id),\n");
            text.Append($"src AS (SELECT * FROM cmp UNION ALL BY NAME SELECT m.{keyed.Replace(", ", ", m.", StringComparison.Ordinal)}, {string.Join(", ", stamps.Select(c => $"f.{c}"))} ")
                .Append($"FROM mraw m JOIN fix f USING (session_id) WHERE m.ts >= {from} AND m.ts < {to}),\n");
        }

        var exit = visits.Contains("visit:exit_page");
        if (exit)
        {
            text.Append("ex AS (SELECT session_id, arg_max(path, ts) FILTER (WHERE type = 'page_view') AS x_exit_page FROM src GROUP BY session_id),\n");
        }

        text.Append("srcv AS (SELECT src.*")
            .Append(string.Concat(visits.Select(v => $", {VisitExpression(v)} AS {QueryFields.VisitDimensions[v].Column}")))
            .Append(" FROM src")
            .Append(exit ? " JOIN ex USING (session_id)" : "")
            .Append(visits.Contains("visit:country_name")
                ? $" LEFT JOIN (SELECT unnest({Param(CountryNames.ByCode.Keys.ToList())}) AS cn_code, unnest({Param(CountryNames.ByCode.Values.ToList())}) AS cn_name) cn ON cn.cn_code = src.s_country"
                : "")
            .Append("),\n");
    }

    /// <summary>The key computed from the visitor id, for files without <see cref="Core.Lake.LakeLayout.VisitorKeyColumn"/>.</summary>
    private static readonly string ComputedVisitorKey =
        $"{Core.Lake.LakeLayout.VisitorKey("visitor_id")} AS {Core.Lake.LakeLayout.VisitorKeyColumn}";

    /// <summary>A select list of lake <paramref name="columns"/> with the visitor id replaced by its key: read as it is
    /// (files with the key column) or computed from the id (the others).</summary>
    private static (string Keyed, string Computed) KeyedColumns(IEnumerable<string> columns)
    {
        var list = columns.ToList();
        return (string.Join(", ", list.Select(c => c == "visitor_id" ? Core.Lake.LakeLayout.VisitorKeyColumn : c)),
            string.Join(", ", list.Select(c => c == "visitor_id" ? ComputedVisitorKey : c)));
    }

    /// <summary>The compact files' rows of <paramref name="columns"/> passing <paramref name="where"/>: the files of days
    /// wholly inside the period (<see cref="LakeSelection.Inside"/>) without the <paramref name="range"/> test, the others
    /// with it; <paramref name="columns"/> is asked for the select list of files with the visitor key (true) and without
    /// (<see cref="LakeSelection.Keyed"/>). The keyed edge scan is always there (over no file it reads the empty table),
    /// so the range's parameters are always used.</summary>
    private string CompactScan(LakeSelection files, Func<bool, string> columns, string range, string where)
    {
        var scans = new List<string>();
        foreach (var hasKey in new[] { true, false })
        {
            var of = files.Compact.Where(f => files.Keyed.Contains(f) == hasKey).ToList();
            var inside = of.Where(files.Inside.Contains).ToList();
            var edge = of.Where(f => !files.Inside.Contains(f)).ToList();
            if (inside.Count > 0)
            {
                scans.Add($"SELECT {columns(hasKey)} FROM {Read(inside)} WHERE {where}");
            }

            if (edge.Count > 0 || hasKey)
            {
                scans.Add($"SELECT {columns(hasKey)} FROM {Read(edge)} WHERE {range} AND {where}");
            }
        }

        return string.Join(" UNION ALL ", scans);
    }

    /// <summary>A top-level <c>is</c> once more, as a plain comparison on a column (<c>s_country IN ($1, $2)</c>,
    /// <c>path IN ($3)</c>) that DuckDB pushes into the Parquet scan of the stamped files, so row groups without a match
    /// are skipped and the other columns are read only for matching rows. Redundant with the filter proper (which still
    /// runs). A visit attribute keeps or drops whole sessions, so it is always safe; an event's page or name only when
    /// no session metric needs the session's other events (<paramref name="wholeSessions"/>). Null when the filter
    /// cannot be said that way. <c>Stamped</c>: the comparison is on a stamp and refuses NULL, so only stamped rows pass.</summary>
    private (string Sql, bool Stamped)? ScanFilter(SimpleFilter filter, bool wholeSessions)
    {
        if (filter.Operator != "is" || !filter.CaseSensitive || filter.Clauses.Count > 32)
        {
            return null;
        }

        if (filter.Dimension == "event:name" && !wholeSessions)
        {
            // Exactly what event:name's expression gives: a page view reads "pageview", a custom event its name or
            // "(none)" when it has none, so a custom event literally named "pageview" or "(none)" matches those too.
            var names = filter.Clauses.Select(c => Param(c)).ToList();
            var any = new List<string>();
            if (filter.Clauses.Contains("pageview"))
            {
                any.Add("type = 'page_view'");
            }

            if (filter.Clauses.Contains("(none)"))
            {
                any.Add("(type = 'custom' AND name IS NULL)");
            }

            if (names.Count > 0)
            {
                any.Add($"(type = 'custom' AND name IN ({string.Join(", ", names)}))");
            }

            return (any.Count == 0 ? "false" : $"({string.Join(" OR ", any)})", false);
        }

        var (column, expression) = filter.Dimension switch
        {
            "event:page" when !wholeSessions => ("path", QueryFields.EventDimensions["event:page"]),
            _ when QueryFields.VisitDimensions.TryGetValue(filter.Dimension, out var visit) && QueryFields.StampsOf(filter.Dimension) is [var stamp] => (stamp, visit.Expression),
            _ => ("", ""),
        };
        if (column.Length == 0 || !expression.StartsWith($"coalesce({column}, '", StringComparison.Ordinal) || !expression.EndsWith("')", StringComparison.Ordinal))
        {
            return null;
        }

        var missing = expression[$"coalesce({column}, '".Length..^2]; // what a NULL reads as
        var values = filter.Clauses.Where(c => c != missing).Select(c => Param(c)).ToList();
        var compare = values.Count == 0 ? "false" : $"{column} IN ({string.Join(", ", values)})";
        return filter.Clauses.Contains(missing) ? ($"({column} IS NULL OR {compare})", false) : (compare, column.StartsWith("s_", StringComparison.Ordinal));
    }

    /// <summary>A relation of the files' rows with every lake column, stamps included (NULL where a file has none).</summary>
    private string Read(IReadOnlyList<string> files) => files.Count == 0
        ? $"(SELECT * FROM {EmptyEvents})"
        : $"(SELECT * FROM read_parquet({Param(files.ToList())}, union_by_name = true, hive_partitioning = false) UNION ALL BY NAME SELECT * FROM {EmptyEvents})";

    /// <summary>A visit dimension computed from a session's events (<see cref="QueryFields.VisitAggregate"/>), for SQL
    /// that groups sessions itself; the channel's known source names become parameters.</summary>
    private (string Column, string Aggregate) VisitColumn(string dimension)
    {
        var (column, aggregate) = QueryFields.VisitAggregate(dimension);
        return (column, WithSourceNames(dimension, aggregate));
    }

    private string WithSourceNames(string dimension, string expression)
    {
        if (dimension == "visit:channel")
        {
            var (search, social) = (Param(Ingestion.Enrichment.KnownSources.NamesOf("search")), Param(Ingestion.Enrichment.KnownSources.NamesOf("social")));
            expression = expression.Replace("{search}", search, StringComparison.Ordinal).Replace("{social}", social, StringComparison.Ordinal);
        }

        return expression;
    }

    /// <summary>A visit dimension's expression over the stamps; the channel's known source names become parameters.</summary>
    private string VisitExpression(string dimension) => WithSourceNames(dimension, QueryFields.VisitDimensions[dimension].Expression);

    /// <summary>A metric over the aliases of the final select (<c>e</c> events, <c>s</c> sessions, <c>b</c> the
    /// conversion base, <c>p</c> engagement); <paramref name="allVisitors"/> is the percentage's denominator.</summary>
    internal static string Metric(string metric, bool sessionLevel, string allVisitors = "(SELECT count(DISTINCT visitor_key) FROM rows)") => metric switch
    {
        "visitors" => "coalesce(e.visitors, 0)",
        "pageviews" => "coalesce(e.pageviews, 0)",
        "events" => "coalesce(e.events, 0)",
        "visits" => sessionLevel ? "coalesce(s.visits, 0)" : "coalesce(e.visits, 0)",
        "bounce_rate" => "CAST(coalesce(round(100.0 * s.bounces / nullif(s.visits, 0)), 0) AS BIGINT)",
        "visit_duration" => "CAST(coalesce(round(s.duration_ms / 1000.0 / nullif(s.visits, 0)), 0) AS BIGINT)",
        "views_per_visit" => "CAST(coalesce(round(s.pageviews / nullif(s.visits, 0), 2), 0) AS DOUBLE)",
        "time_on_page" => "CAST(round(p.engaged_ms / 1000.0 / nullif(p.views, 0), 1) AS DOUBLE)",
        "scroll_depth" => "CAST(round(p.scroll_sum / nullif(p.scroll_views, 0), 1) AS DOUBLE)",
        "conversion_rate" => "CAST(coalesce(round(100.0 * e.visitors / nullif(b.visitors, 0), 2), 0) AS DOUBLE)",
        "percentage" => $"CAST(coalesce(round(100.0 * e.visitors / nullif({allVisitors}, 0), 1), 0) AS DOUBLE)",
        _ => throw new QueryException($"Unknown metric '{metric}'."),
    };

    /// <summary>The order the answer has: the client's, or Plausible's default (a time dimension ascending, else the
    /// first metric descending). Every dimension ascending follows, so pages are stable.</summary>
    public IReadOnlyList<(string Name, bool Descending)> OrderBy { get; private set; } = [];

    internal string Order(StatsQuery query)
    {
        OrderBy = query.OrderBy ?? (query.Dimensions.FirstOrDefault(QueryFields.IsTime) is { } time ? [(time, false)] : [(query.Metrics[0], true)]);
        string Alias(string name) => query.Metrics.Contains(name) ? $"m{IndexOf(query.Metrics, name)}" : $"d{IndexOf(query.Dimensions, name)}";
        var keys = OrderBy.Select(o => $"{Alias(o.Name)} {(o.Descending ? "DESC" : "ASC")}").ToList();
        keys.AddRange(Dimensions.Select((_, i) => $"d{i} ASC").Where(k => !keys.Any(o => o.StartsWith(k[..k.IndexOf(' ')] + " ", StringComparison.Ordinal))));
        keys.Add("m0 DESC");
        return string.Join(", ", keys);
    }

    private static int IndexOf(IReadOnlyList<string> list, string name)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == name)
            {
                return i;
            }
        }

        throw new QueryException($"'{name}' is not in the query.");
    }

    /// <summary>A dimension per event row of <c>rows</c> (or of <c>src</c>, in the filter).</summary>
    private string RowExpression(string dimension) =>
        dimension == QueryFields.Goal
            ? GoalColumn
            : FilterSql.RowExpression(dimension, Param)
              ?? string.Format(System.Globalization.CultureInfo.InvariantCulture, QueryFields.TimeDimensions[dimension], "local_ts");

    /// <summary>A dimension per session: its attribute, or the time bucket of its start.</summary>
    private static string SessionExpression(string dimension) =>
        QueryFields.VisitDimensions.TryGetValue(dimension, out var visit)
            ? "s." + visit.Column
            : string.Format(System.Globalization.CultureInfo.InvariantCulture, QueryFields.TimeDimensions[dimension], "s.start_local");

    private string Filter(QueryFilter filter, List<string> regexes) => FilterSql.Condition(filter, simple =>
        simple.Dimension == QueryFields.Goal ? GoalSql.Filter(goals, simple, Param) : FilterSql.Match(simple, RowExpression(simple.Dimension), Param, regexes));

    private static IEnumerable<string> FilterDimensions(IEnumerable<QueryFilter> filters) => FilterSql.Dimensions(filters);

    private string Param(object value)
    {
        parameters.Add(value);
        return "$" + parameters.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
