namespace LiveInsight.Api.Query;

/// <summary>
/// The SQL of <c>/api/v2/query</c>'s filters, shared by the query and funnel builder (<see cref="QuerySql"/>) and the
/// cohort builder (<see cref="CohortSql"/>): every value becomes a parameter through the builder's own
/// <c>param</c>, never SQL text, and every regex is collected for the engine's RE2 check.
/// </summary>
internal static class FilterSql
{
    /// <summary>A filter tree as one condition; <paramref name="leaf"/> writes each simple filter.</summary>
    public static string Condition(QueryFilter filter, Func<SimpleFilter, string> leaf) => filter switch
    {
        LogicalFilter logical => "(" + string.Join(logical.All ? " AND " : " OR ", logical.Children.Select(c => Condition(c, leaf))) + ")",
        NotFilter not => $"(NOT {Condition(not.Child, leaf)})",
        SimpleFilter simple => leaf(simple),
        _ => throw new QueryException("Unknown filter."),
    };

    /// <summary>A simple filter's operator over <paramref name="expression"/> (lower-cased on both sides unless the
    /// filter is case-sensitive).</summary>
    public static string Match(SimpleFilter filter, string expression, Func<object, string> param, List<string> regexes)
    {
        var clauses = filter.Clauses;
        if (!filter.CaseSensitive)
        {
            expression = $"lower({expression})";
            clauses = clauses.Select(c => c.ToLowerInvariant()).ToList();
        }

        if (filter.Operator is "matches" or "matches_not")
        {
            regexes.AddRange(clauses);
        }

        string Any(Func<string, string> match) => "(" + string.Join(" OR ", clauses.Select(c => match(param(c)))) + ")";
        return filter.Operator switch
        {
            "is" => $"list_contains({param(clauses.ToList())}, {expression})",
            "is_not" => $"(NOT list_contains({param(clauses.ToList())}, {expression}))",
            "contains" => Any(p => $"contains({expression}, {p})"),
            "contains_not" => $"(NOT {Any(p => $"contains({expression}, {p})")})",
            "matches" => Any(p => $"regexp_matches({expression}, {p})"),
            "matches_not" => $"(NOT {Any(p => $"regexp_matches({expression}, {p})")})",
            _ => throw new QueryException($"Unknown filter operator '{filter.Operator}'."),
        };
    }

    /// <summary>An event row's value of an event dimension, a prop (<c>(none)</c> when unset) or a visit dimension (its
    /// session stamp); null for any other dimension (goals, time), which each builder answers in its own way.</summary>
    public static string? RowExpression(string dimension, Func<object, string> param)
    {
        if (QueryFields.EventDimensions.TryGetValue(dimension, out var expression))
        {
            return expression;
        }

        if (dimension.StartsWith(QueryFields.PropsPrefix, StringComparison.Ordinal))
        {
            return $"coalesce(props[{param(dimension[QueryFields.PropsPrefix.Length..])}], '(none)')";
        }

        return QueryFields.VisitDimensions.TryGetValue(dimension, out var visit) ? visit.Column : null;
    }

    /// <summary>Every dimension a filter tree names.</summary>
    public static IEnumerable<string> Dimensions(IEnumerable<QueryFilter> filters) => filters.SelectMany(f => f switch
    {
        LogicalFilter logical => Dimensions(logical.Children),
        NotFilter not => Dimensions([not.Child]),
        SimpleFilter simple => [simple.Dimension],
        _ => [],
    });
}
