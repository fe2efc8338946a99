using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Query;

/// <summary>
/// A goal as a predicate over one event, shared by the query and funnel builder (<see cref="QuerySql"/>) and the cohort
/// builder (<see cref="CohortSql"/>): a page goal's path pattern as an RE2 regex (<see cref="PathPattern.ToRegex"/>), an
/// event goal's name and property as strings, every value a parameter through the builder's own <c>param</c>.
/// </summary>
internal static class GoalSql
{
    /// <summary>Whether an event converts <paramref name="goal"/>: never NULL, so NOT around it stays two-valued.</summary>
    public static string Match(Goal goal, Func<object, string> param) => goal.IsPage
        ? $"coalesce(type = 'page_view' AND regexp_full_match(coalesce(path, ''), {param(PathPattern.ToRegex(goal.Path!))}), false)"
        : $"coalesce(type = 'custom' AND name = {param(goal.EventName!)}"
          + (goal.PropKey is null ? "" : $" AND props[{param(goal.PropKey)}] = {param(goal.PropValue!)}")
          + ", false)";

    /// <summary>An <c>event:goal</c> filter: the event converts one of the goals it picks (<c>is</c>, <c>contains</c>)
    /// or none of them (<c>is_not</c>, <c>contains_not</c>).</summary>
    public static string Filter(IReadOnlyList<Goal> goals, SimpleFilter filter, Func<object, string> param)
    {
        var picked = Pick(goals, filter);
        var any = picked.Count == 0 ? "false" : "(" + string.Join(" OR ", picked.Select(g => Match(g, param))) + ")";
        return filter.Operator is "is" or "contains" ? any : $"(NOT {any})";
    }

    /// <summary><c>is</c> and <c>is_not</c> name goals (a name the site has no goal for is a 400, as Plausible);
    /// <c>contains</c> and <c>contains_not</c> pick the goals whose names contain a clause.</summary>
    public static List<Goal> Pick(IReadOnlyList<Goal> goals, SimpleFilter filter)
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
}
