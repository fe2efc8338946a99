using System.Text.Json.Nodes;

namespace LiveInsight.Api.Query;

/// <summary>A parsed, validated <c>POST /api/v2/query</c> body (Plausible's Stats API v2 shape). Every name in it comes
/// from <see cref="QueryFields"/>; values stay values (they reach DuckDB only as parameters).</summary>
public sealed record StatsQuery(
    string SiteId,
    IReadOnlyList<string> Metrics,
    JsonNode DateRange,
    IReadOnlyList<string> Dimensions,
    IReadOnlyList<QueryFilter> Filters,
    JsonArray FiltersAsSent,
    IReadOnlyList<(string Name, bool Descending)>? OrderBy,
    bool TotalRows,
    JsonObject IncludeAsSent,
    int Limit,
    int Offset)
{
    /// <summary><c>include.comparisons</c>, or null.</summary>
    public QueryComparison? Comparison { get; init; }
}

/// <summary>A comparison period: <c>previous_period</c> (as many days just before), <c>year_over_year</c> (the same
/// days a year earlier) or <c>custom</c> with its own two dates.</summary>
public sealed record QueryComparison(string Mode, DateOnly? First = null, DateOnly? Last = null)
{
    public static readonly string[] Modes = ["previous_period", "year_over_year", "custom"];

    /// <summary>The days the comparison reads, for a main query over <paramref name="main"/>.</summary>
    public (DateOnly First, DateOnly Last) Days(QueryPeriod main) => Mode switch
    {
        "previous_period" => (main.First.AddDays(-main.Days), main.First.AddDays(-1)),
        "year_over_year" => (main.First.AddYears(-1), main.Last.AddYears(-1)),
        _ => (First!.Value, Last!.Value),
    };
}

/// <summary>One node of the filter tree.</summary>
public abstract record QueryFilter;

/// <summary><c>[operator, dimension, clauses, modifiers?]</c>: matches when any clause does.</summary>
public sealed record SimpleFilter(string Operator, string Dimension, IReadOnlyList<string> Clauses, bool CaseSensitive) : QueryFilter;

/// <summary><c>["and" | "or", [filters…]]</c>.</summary>
public sealed record LogicalFilter(bool All, IReadOnlyList<QueryFilter> Children) : QueryFilter;

/// <summary><c>["not", filter]</c>.</summary>
public sealed record NotFilter(QueryFilter Child) : QueryFilter;

/// <summary>The site-local days a query reads, and the same span as UTC epoch milliseconds [From, To).</summary>
public sealed record QueryPeriod(DateOnly First, DateOnly Last, long FromMs, long ToMs, TimeSpan FirstOffset, TimeSpan LastOffset)
{
    public int Days => Last.DayNumber - First.DayNumber + 1;
}
