using System.Globalization;
using System.Text;
using LiveInsight.Core.Lake;

namespace LiveInsight.Api.Query;

/// <summary>
/// Retention cohorts as one DuckDB query over the identified events of the lake (<c>user_hash</c>): the distinct
/// (user, period) pairs of every identified event up to the range's end, each user's first period (its cohort), and the
/// count of users per (cohort, active period). Only cohorts that start within the range are answered, but a user's
/// first period is found over all the lake holds, so someone seen before the range is never "new" in it.
/// <para>The text comes only from fragments here and in <see cref="QueryFields"/>; file paths, bounds and filter
/// values are parameters. Filters are those of <c>/api/v2/query</c> on the identified events: event filters per event,
/// visit filters on the session's attributes as its identified events give them.</para>
/// </summary>
public sealed class CohortSql
{
    public static readonly string[] Periods = ["day", "week", "month"];

    /// <summary>The most periods a grid may span (rows, and cells in a row): 100 days, weeks or months.</summary>
    public const int MaxPeriods = 100;

    /// <summary>What every grid reads. No <c>event_id</c>: a crash's duplicate row has the same user and time, so it adds
    /// no (user, period) pair and changes no session's first values; the dedupe every other reader needs is not needed
    /// here, and the widest column is never read.</summary>
    private static readonly string[] BaseColumns = ["ts", "local_ts", LakeLayout.UserHashColumn];

    /// <summary>What filters may need besides their own columns: the session (visit filters), the type (event names,
    /// entry and exit pages).</summary>
    private static readonly string[] FilterColumns = ["session_id", "type"];

    private readonly List<object> parameters = [];
    private readonly List<string> regexes = [];
    private readonly IReadOnlyList<Core.Sites.Goal> goals;

    private CohortSql(IReadOnlyList<Core.Sites.Goal> goals)
    {
        this.goals = goals;
    }

    public string Text { get; private set; } = "";

    public IReadOnlyList<object> Parameters => parameters;

    public IReadOnlyList<string> Regexes => regexes;

    /// <summary>The start of the period <paramref name="day"/> is in: itself, its ISO week's Monday, or the 1st.</summary>
    public static DateOnly PeriodOf(DateOnly day, string period) => period switch
    {
        "day" => day,
        "week" => day.AddDays(-(((int)day.DayOfWeek + 6) % 7)),
        "month" => new DateOnly(day.Year, day.Month, 1),
        _ => throw new QueryException($"Unknown period '{period}'."),
    };

    public static DateOnly Next(DateOnly start, string period) => period switch
    {
        "day" => start.AddDays(1),
        "week" => start.AddDays(7),
        _ => start.AddMonths(1),
    };

    /// <summary>How many periods after <paramref name="cohort"/> <paramref name="active"/> starts (both period starts).</summary>
    public static int Offset(DateOnly cohort, DateOnly active, string period) => period switch
    {
        "day" => active.DayNumber - cohort.DayNumber,
        "week" => (active.DayNumber - cohort.DayNumber) / 7,
        _ => (active.Year * 12 + active.Month) - (cohort.Year * 12 + cohort.Month),
    };

    /// <param name="files">Every lake file of the site from its first day to the range's end.</param>
    /// <param name="goals">The site's goals, which <c>event:goal</c> filters name.</param>
    /// <returns>Rows of (cohort start, active period start, users), both as <c>yyyy-MM-dd</c>.</returns>
    public static CohortSql Build(IReadOnlyList<string> files, string period, DateOnly firstCohort, DateOnly lastCohort, long toMs, IReadOnlyList<QueryFilter> filters, IReadOnlyList<Core.Sites.Goal>? goals = null)
    {
        var sql = new CohortSql(goals ?? []);
        sql.Text = sql.Compose(files, period, firstCohort, lastCohort, toMs, filters);
        return sql;
    }

    private string Compose(IReadOnlyList<string> files, string period, DateOnly firstCohort, DateOnly lastCohort, long toMs, IReadOnlyList<QueryFilter> filters)
    {
        var unit = period switch
        {
            "day" => "day",
            "week" => "week",
            "month" => "month",
            _ => throw new QueryException($"Unknown period '{period}'."),
        };
        var dimensions = FilterSql.Dimensions(filters).Distinct().ToList();
        var filter = filters.Count == 0 ? "true" : string.Join(" AND ", filters.Select(Filter));
        var visitColumns = dimensions.Where(QueryFields.VisitDimensions.ContainsKey).Select(VisitColumn).ToList();
        var columns = BaseColumns
            .Concat(filters.Count > 0 ? FilterColumns : [])
            .Concat(dimensions.Select(QueryFields.LakeColumn).OfType<string>())
            .Concat(dimensions.Contains("visit:channel") ? QueryFields.ChannelColumns : [])
            .Concat(dimensions.Contains(QueryFields.Goal) ? QueryFields.GoalColumns : [])
            .Distinct()
            .Where(c => LakeLayout.EventColumns.Any(e => e.Name == c)); // only the lake's own names reach the text

        // Files of days before user_hash existed lack the column: the layout's empty relation adds it (as NULL).
        var source = files.Count == 0
            ? QuerySql.EmptyEvents
            : LakeLayout.WithEveryEventColumn($"read_parquet({Param(files.ToList())}, union_by_name = true, hive_partitioning = false)");
        var text = new StringBuilder();
        text.Append($"WITH src AS (SELECT {string.Join(", ", columns)} FROM {source} ")
            .Append($"WHERE ts < {Param(toMs)} AND {LakeLayout.UserHashColumn} IS NOT NULL),\n");
        var scope = "src";
        if (visitColumns.Count > 0)
        {
            text.Append("sess AS MATERIALIZED (SELECT session_id")
                .Append(string.Concat(visitColumns.Select(v => $", {v.Aggregate} AS {v.Column}")))
                .Append(" FROM src GROUP BY session_id),\n");
            scope = "src JOIN sess USING (session_id)";
        }

        text.Append($"act AS MATERIALIZED (SELECT DISTINCT {LakeLayout.UserHashColumn} AS u, CAST(date_trunc('{unit}', local_ts) AS DATE) AS p ")
            .Append($"FROM {scope} WHERE {filter}),\n")
            .Append("firsts AS (SELECT u, min(p) AS c FROM act GROUP BY u)\n")
            .Append("SELECT strftime(f.c, '%Y-%m-%d') AS cohort, strftime(a.p, '%Y-%m-%d') AS active, count(*) AS users ")
            .Append($"FROM act a JOIN firsts f USING (u) WHERE f.c >= {Param(Date(firstCohort))} AND f.c <= {Param(Date(lastCohort))} ")
            .Append("GROUP BY ALL ORDER BY 1, 2");
        return text.ToString();
    }

    private static DateTime Date(DateOnly day) => day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);

    private (string Column, string Aggregate) VisitColumn(string dimension)
    {
        var (column, aggregate) = QueryFields.VisitAggregate(dimension);
        if (dimension == "visit:channel")
        {
            var (search, social) = (Param(Ingestion.Enrichment.KnownSources.NamesOf("search")), Param(Ingestion.Enrichment.KnownSources.NamesOf("social")));
            aggregate = aggregate.Replace("{search}", search, StringComparison.Ordinal).Replace("{social}", social, StringComparison.Ordinal);
        }

        return (column, aggregate);
    }

    /// <summary>An <c>event:goal</c> filter keeps the identified events that convert (or do not convert) its goals, so a
    /// grid filtered by a goal has users by the period they first converted and the share converting again later.</summary>
    private string Filter(QueryFilter filter) =>
        FilterSql.Condition(filter, simple => simple.Dimension == QueryFields.Goal
            ? GoalSql.Filter(goals, simple, Param)
            : FilterSql.Match(simple, RowExpression(simple.Dimension), Param, regexes));

    /// <summary>A filter dimension per identified event: event dimensions and props from the event, visit dimensions
    /// from its session. Time dimensions are not filters of cohorts (the caller refuses them first).</summary>
    private string RowExpression(string dimension) =>
        FilterSql.RowExpression(dimension, Param) ?? throw new QueryException($"Cohorts cannot be filtered by '{dimension}'.");

    private string Param(object value)
    {
        parameters.Add(value);
        return "$" + parameters.Count.ToString(CultureInfo.InvariantCulture);
    }
}
