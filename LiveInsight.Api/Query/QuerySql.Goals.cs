using System.Text;
using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Query;

/// <summary>
/// Goals in SQL. A goal becomes a predicate over one event whose every value is a parameter (<see cref="GoalSql"/>). The
/// <c>event:goal</c> dimension gives each event one row per goal it converts (none: no row), so <c>visitors</c> are
/// unique converters and <c>events</c> total conversions per goal; <c>conversion_rate</c> divides converters by the
/// visitors of the same query without its goal filters and dimension (<c>base</c>), grouped by the other dimensions.
/// </summary>
public sealed partial class QuerySql
{
    private const string GoalColumn = "goal_name";

    private IReadOnlyList<Goal> goals = [];

    /// <summary>The events of <paramref name="selection"/>, one row per goal each converts, named in <c>goal_name</c>.
    /// A top-level goal filter also narrows the dimension: goals of <c>is X</c> list X only, <c>is_not X</c> never X.</summary>
    private string GoalRows(string selection, IReadOnlyList<QueryFilter> filters)
    {
        var listed = goals.ToList();
        foreach (var filter in filters.OfType<SimpleFilter>().Where(f => f.Dimension == QueryFields.Goal))
        {
            var picked = GoalSql.Pick(goals, filter);
            listed = filter.Operator is "is" or "contains" ? listed.Intersect(picked).ToList() : listed.Except(picked).ToList();
        }

        if (listed.Count == 0)
        {
            return $"SELECT *, CAST(NULL AS VARCHAR) AS {GoalColumn} FROM ({selection}) WHERE false";
        }

        var names = string.Join(", ", listed.Select(g => $"CASE WHEN {GoalMatch(g)} THEN {Param(g.DisplayName)} END"));
        return $"SELECT * FROM (SELECT *, unnest([{names}]) AS {GoalColumn} FROM ({selection})) WHERE {GoalColumn} IS NOT NULL";
    }

    /// <summary>Whether an event converts <paramref name="goal"/> (<see cref="GoalSql.Match"/>).</summary>
    private string GoalMatch(Goal goal) => GoalSql.Match(goal, Param);

    /// <summary>Appends <c>base</c>, the visitors of the query without its goal filters and goal dimension, grouped by
    /// the other dimensions; returns the join that puts them beside each answer row.</summary>
    private string ConversionBase(StatsQuery query, string scope, StringBuilder text, Func<int, string> outDim)
    {
        var regexes = new List<string>();
        var withoutGoals = query.Filters.Where(f => f is not SimpleFilter { Dimension: QueryFields.Goal }).ToList();
        var filter = withoutGoals.Count == 0 ? "true" : string.Join(" AND ", withoutGoals.Select(f => Filter(f, regexes)));
        var others = Dimensions.Select((d, i) => (Dimension: d, Index: i)).Where(d => d.Dimension != QueryFields.Goal).ToList();
        text.Append(",\nbase AS (SELECT ")
            .Append(string.Concat(others.Select(d => $"{RowExpression(d.Dimension)} AS d{d.Index}, ")))
            .Append($"count(DISTINCT visitor_key) AS visitors FROM ({scope} WHERE {filter}){(others.Count == 0 ? "" : " GROUP BY ALL")})");
        var on = others.Count == 0 ? "true" : string.Join(" AND ", others.Select(d => $"{outDim(d.Index)} IS NOT DISTINCT FROM b.d{d.Index}"));
        return $" LEFT JOIN base b ON {on}";
    }
}
