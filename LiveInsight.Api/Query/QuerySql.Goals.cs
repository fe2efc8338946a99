using System.Text;
using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Query;

/// <summary>
/// Goals in SQL. A goal becomes a predicate over one event whose every value is a parameter: a page goal's path
/// pattern as an RE2 regex (<see cref="PathPattern.ToRegex"/>), an event goal's name and property as strings. The
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
            var picked = Pick(filter);
            listed = filter.Operator is "is" or "contains" ? listed.Intersect(picked).ToList() : listed.Except(picked).ToList();
        }

        if (listed.Count == 0)
        {
            return $"SELECT *, CAST(NULL AS VARCHAR) AS {GoalColumn} FROM ({selection}) WHERE false";
        }

        var names = string.Join(", ", listed.Select(g => $"CASE WHEN {GoalMatch(g)} THEN {Param(g.DisplayName)} END"));
        return $"SELECT * FROM (SELECT *, unnest([{names}]) AS {GoalColumn} FROM ({selection})) WHERE {GoalColumn} IS NOT NULL";
    }

    /// <summary>Whether an event converts <paramref name="goal"/>: never NULL, so NOT around it stays two-valued.</summary>
    private string GoalMatch(Goal goal) => goal.IsPage
        ? $"coalesce(type = 'page_view' AND regexp_full_match(coalesce(path, ''), {Param(PathPattern.ToRegex(goal.Path!))}), false)"
        : $"coalesce(type = 'custom' AND name = {Param(goal.EventName!)}"
          + (goal.PropKey is null ? "" : $" AND props[{Param(goal.PropKey)}] = {Param(goal.PropValue!)}")
          + ", false)";

    /// <summary><c>is</c> and <c>is_not</c> name goals (a name the site has no goal for is a 400, as Plausible);
    /// <c>contains</c> and <c>contains_not</c> pick the goals whose names contain a clause.</summary>
    private string GoalFilter(SimpleFilter filter)
    {
        var picked = Pick(filter);
        var any = picked.Count == 0 ? "false" : "(" + string.Join(" OR ", picked.Select(GoalMatch)) + ")";
        return filter.Operator is "is" or "contains" ? any : $"(NOT {any})";
    }

    /// <summary>The goals a goal filter's clauses name (is, is_not) or whose names contain one (contains, contains_not).</summary>
    private List<Goal> Pick(SimpleFilter filter)
    {
        var comparison = filter.CaseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        if (filter.Operator is "contains" or "contains_not")
        {
            return goals.Where(g => filter.Clauses.Any(c => g.DisplayName.Contains(c, comparison))).ToList();
        }

        var unknown = filter.Clauses.FirstOrDefault(c => !goals.Any(g => string.Equals(g.DisplayName, c, comparison)));
        if (unknown is not null)
        {
            throw new QueryException($"This site has no goal named '{(unknown.Length <= 80 ? unknown : unknown[..80] + "…")}' (event:goal filters name goals by display_name).");
        }

        return goals.Where(g => filter.Clauses.Any(c => string.Equals(g.DisplayName, c, comparison))).ToList();
    }

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
            .Append($"count(DISTINCT visitor_id) AS visitors FROM ({scope} WHERE {filter}){(others.Count == 0 ? "" : " GROUP BY ALL")})");
        var on = others.Count == 0 ? "true" : string.Join(" AND ", others.Select(d => $"{outDim(d.Index)} IS NOT DISTINCT FROM b.d{d.Index}"));
        return $" LEFT JOIN base b ON {on}";
    }
}
