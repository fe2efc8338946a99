using System.Text.Json;
using System.Text.Json.Nodes;

namespace LiveInsight.Api.Query;

/// <summary>
/// Reads a Stats API v2 body into a <see cref="StatsQuery"/> or says, for a 400, what is wrong or not supported yet.
/// Every list has a cap, the filter tree a depth and a size, every value a length: a query's cost is bounded before
/// any file is opened.
/// </summary>
public static class QueryParser
{
    public const int MaxMetrics = 16;
    public const int MaxDimensions = 5;
    public const int MaxFilterNodes = 50;
    public const int MaxFilterDepth = 5;
    public const int MaxClauses = 100;
    public const int MaxClauseLength = 2_000;
    public const int MaxRegexLength = 256;
    public const int MaxPropKeyLength = 300;
    public const int MaxOrderBy = 10;
    public const int MaxLimit = 10_000;
    public const int MaxOffset = 1_000_000;

    private static readonly string[] TopLevel = ["site_id", "metrics", "date_range", "dimensions", "filters", "order_by", "include", "pagination"];
    private static readonly string[] Operators = ["is", "is_not", "contains", "contains_not", "matches", "matches_not"];

    public static (StatsQuery? Query, string? Error) Parse(JsonElement body)
    {
        try
        {
            return (ParseOrThrow(body), null);
        }
        catch (QueryException e)
        {
            return (null, e.Message);
        }
        catch (InvalidOperationException)
        {
            // A string with a lone surrogate escape (\ud800) parses but cannot be read as text.
            return (null, "The body holds a string that is not valid text (a lone surrogate escape).");
        }
    }

    /// <summary>The site id of a body, if it names one as a string (what access is checked against).</summary>
    public static string? SiteIdOf(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("site_id", out var id) || id.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return id.GetString();
        }
        catch (InvalidOperationException)
        {
            return id.GetRawText(); // a lone surrogate escape: not text, so not a site id either (404 like any other)
        }
    }

    private static StatsQuery ParseOrThrow(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new QueryException("The body must be one JSON object (a Stats API v2 query).");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var property in body.EnumerateObject())
        {
            if (!TopLevel.Contains(property.Name))
            {
                throw new QueryException($"Unknown key '{Shorten(property.Name)}': a query has {string.Join(", ", TopLevel)}.");
            }

            if (!seen.Add(property.Name))
            {
                throw new QueryException($"'{property.Name}' is given more than once.");
            }
        }

        var siteId = SiteIdOf(body) ?? throw new QueryException("site_id is required (a string).");
        var metrics = Metrics(Required(body, "metrics"));
        var dateRange = DateRange(Required(body, "date_range"));
        var dimensions = body.TryGetProperty("dimensions", out var d) ? Dimensions(d) : [];
        var (filters, filtersAsSent) = body.TryGetProperty("filters", out var f) ? Filters(f) : ([], new JsonArray());
        var orderBy = body.TryGetProperty("order_by", out var o) ? OrderBy(o, metrics, dimensions) : null;
        var (totalRows, include, comparison) = body.TryGetProperty("include", out var i) ? Include(i) : (false, new JsonObject(), null);
        var (limit, offset) = body.TryGetProperty("pagination", out var p) ? Pagination(p) : (MaxLimit, 0);

        if (metrics.Contains("percentage") && dimensions.Count == 0)
        {
            throw new QueryException("Metric 'percentage' requires non-empty dimensions.");
        }

        if (metrics.Contains("conversion_rate"))
        {
            // Plausible's rule: converters need a goal to convert to, and the rate's denominator is the same query
            // without its goal filters, which is well defined only for goal filters at the top level.
            var topLevelGoal = filters.Any(f => f is SimpleFilter { Dimension: QueryFields.Goal });
            if (!dimensions.Contains(QueryFields.Goal) && !topLevelGoal)
            {
                throw new QueryException("Metric 'conversion_rate' needs an event:goal filter or the event:goal dimension.");
            }

            if (filters.Any(f => f is not SimpleFilter && NamesGoal(f)))
            {
                throw new QueryException("Metric 'conversion_rate' needs event:goal filters at the top level, not inside and/or/not.");
            }
        }

        if (metrics.FirstOrDefault(QuerySql.EngagementMetrics.Contains) is { } engagement)
        {
            if (dimensions.FirstOrDefault(d => !QuerySql.EngagementAllows(d)) is { } dimension)
            {
                throw new QueryException($"Metric '{engagement}' cannot be used with dimension '{Shorten(dimension)}' (it is known per page view: by page, visit attributes and time).");
            }

            if (FilterSql.Dimensions(filters).FirstOrDefault(d => !QuerySql.EngagementAllows(d)) is { } filtered)
            {
                throw new QueryException($"Metric '{engagement}' cannot be used with a filter on '{Shorten(filtered)}' (it is known per page view: by page, visit attributes and time).");
            }
        }

        if (dimensions.FirstOrDefault(QueryFields.IsEventLevel) is { } eventDimension
            && metrics.FirstOrDefault(QueryFields.SessionMetrics.Contains) is { } sessionMetric)
        {
            throw new QueryException($"Session metric '{sessionMetric}' cannot be used with event dimension '{Shorten(eventDimension)}'.");
        }

        return new StatsQuery(siteId, metrics, dateRange, dimensions, filters, filtersAsSent, orderBy, totalRows, include, limit, offset)
        {
            Comparison = comparison,
        };
    }

    private static bool NamesGoal(QueryFilter filter) => filter switch
    {
        SimpleFilter simple => simple.Dimension == QueryFields.Goal,
        LogicalFilter logical => logical.Children.Any(NamesGoal),
        NotFilter not => NamesGoal(not.Child),
        _ => false,
    };

    private static JsonElement Required(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) ? value : throw new QueryException($"{name} is required.");

    private static List<string> Metrics(JsonElement metrics)
    {
        var list = Strings(metrics, "metrics", MaxMetrics, 40);
        if (list.Count == 0)
        {
            throw new QueryException("metrics must name at least one metric.");
        }

        foreach (var metric in list)
        {
            if (QueryFields.MetricsNotYet.Contains(metric))
            {
                throw new QueryException($"Metric '{metric}' is not supported yet.");
            }

            if (!QueryFields.Metrics.Contains(metric))
            {
                throw new QueryException($"Unknown metric '{Shorten(metric)}': one of {string.Join(", ", QueryFields.Metrics)}.");
            }
        }

        return Distinct(list, "metrics");
    }

    private static JsonNode DateRange(JsonElement range)
    {
        if (range.ValueKind == JsonValueKind.String && QueryPeriods.Shortcuts.Contains(range.GetString()))
        {
            return JsonValue.Create(range.GetString())!;
        }

        if (range.ValueKind == JsonValueKind.Array && range.GetArrayLength() == 2
            && range.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
        {
            var (first, last) = (range[0].GetString()!, range[1].GetString()!);
            if (first.Length > 10 || last.Length > 10)
            {
                throw new QueryException("date_range as date-times is not supported yet: give two dates as YYYY-MM-DD (in the site's time zone).");
            }

            if (!QueryPeriods.TryDate(first, out var from) || !QueryPeriods.TryDate(last, out var to))
            {
                throw new QueryException("date_range must be two dates as YYYY-MM-DD (in the site's time zone).");
            }

            if (from > to)
            {
                throw new QueryException("date_range must not end before it starts.");
            }

            if (from < QueryPeriods.FirstDate || to > QueryPeriods.LastDate || to.DayNumber - from.DayNumber + 1 > QueryPeriods.MaxDays)
            {
                throw new QueryException($"date_range must lie between {QueryPeriods.FirstDate:yyyy-MM-dd} and {QueryPeriods.LastDate:yyyy-MM-dd} and span at most {QueryPeriods.MaxDays} days.");
            }

            return new JsonArray(first, last);
        }

        throw new QueryException($"date_range must be one of {string.Join(", ", QueryPeriods.Shortcuts)} or two dates [\"YYYY-MM-DD\", \"YYYY-MM-DD\"].");
    }

    private static List<string> Dimensions(JsonElement dimensions)
    {
        var list = Strings(dimensions, "dimensions", MaxDimensions, QueryFields.PropsPrefix.Length + MaxPropKeyLength);
        foreach (var dimension in list)
        {
            CheckDimension(dimension, "dimensions");
        }

        if (list.Count(QueryFields.IsTime) > 1)
        {
            throw new QueryException("At most one time dimension.");
        }

        return Distinct(list, "dimensions");
    }

    private static void CheckDimension(string dimension, string where)
    {
        if (QueryFields.DimensionsNotYet.Contains(dimension))
        {
            throw new QueryException($"Dimension '{dimension}' is not supported yet (in {where}).");
        }

        if (dimension.StartsWith(QueryFields.PropsPrefix, StringComparison.Ordinal))
        {
            var key = dimension[QueryFields.PropsPrefix.Length..];
            if (key.Length is 0 or > MaxPropKeyLength)
            {
                throw new QueryException($"A custom property key must have 1 to {MaxPropKeyLength} characters (in {where}).");
            }

            return;
        }

        if (!QueryFields.IsKnownDimension(dimension))
        {
            throw new QueryException($"Unknown dimension '{Shorten(dimension)}' (in {where}).");
        }
    }

    private static (List<QueryFilter>, JsonArray) Filters(JsonElement filters)
    {
        if (filters.ValueKind != JsonValueKind.Array)
        {
            throw new QueryException("filters must be a list of filters.");
        }

        var budget = new int[] { MaxFilterNodes };
        var list = filters.EnumerateArray().Select(e => Filter(e, 1, budget)).ToList();
        return (list, (JsonArray)JsonNode.Parse(filters.GetRawText())!);
    }

    private static QueryFilter Filter(JsonElement node, int depth, int[] budget)
    {
        if (depth > MaxFilterDepth)
        {
            throw new QueryException($"Filters may nest at most {MaxFilterDepth} deep.");
        }

        if (--budget[0] < 0)
        {
            throw new QueryException($"At most {MaxFilterNodes} filters (counting and/or/not).");
        }

        if (node.ValueKind != JsonValueKind.Array || node.GetArrayLength() is < 2 or > 4 || node[0].ValueKind != JsonValueKind.String)
        {
            throw new QueryException("A filter is [operator, dimension, clauses] or [\"and\"|\"or\", [filters]] or [\"not\", filter].");
        }

        var op = node[0].GetString()!;
        switch (op)
        {
            case "and" or "or":
                if (node.GetArrayLength() != 2 || node[1].ValueKind != JsonValueKind.Array || node[1].GetArrayLength() == 0)
                {
                    throw new QueryException($"'{op}' takes one non-empty list of filters.");
                }

                return new LogicalFilter(op == "and", node[1].EnumerateArray().Select(c => Filter(c, depth + 1, budget)).ToList());
            case "not":
                return node.GetArrayLength() == 2 ? new NotFilter(Filter(node[1], depth + 1, budget)) : throw new QueryException("'not' takes one filter.");
            case "has_done" or "has_not_done":
                throw new QueryException($"Filter operator '{op}' is not supported yet.");
        }

        if (!Operators.Contains(op))
        {
            throw new QueryException($"Unknown filter operator '{Shorten(op)}': one of {string.Join(", ", Operators)}, and, or, not.");
        }

        if (node.GetArrayLength() < 3 || node[1].ValueKind != JsonValueKind.String)
        {
            throw new QueryException($"'{op}' takes a dimension and a list of clauses.");
        }

        var dimension = node[1].GetString()!;
        if (dimension.Length > QueryFields.PropsPrefix.Length + MaxPropKeyLength)
        {
            throw new QueryException($"Unknown dimension '{Shorten(dimension)}' (in filters).");
        }

        if (dimension == "segment")
        {
            throw new QueryException("Filtering by segment is not supported yet.");
        }

        if (QueryFields.IsTime(dimension))
        {
            throw new QueryException("Time dimensions cannot be filtered on: set date_range instead.");
        }

        CheckDimension(dimension, "filters");
        var regex = op is "matches" or "matches_not";
        if (regex && dimension == QueryFields.Goal)
        {
            throw new QueryException("event:goal filters take is, is_not, contains or contains_not (goals are named, not patterns).");
        }

        var clauses = Strings(node[2], "clauses", MaxClauses, regex ? MaxRegexLength : MaxClauseLength);
        if (clauses.Count == 0)
        {
            throw new QueryException("A filter needs at least one clause.");
        }

        var caseSensitive = true;
        if (node.GetArrayLength() == 4)
        {
            caseSensitive = Modifiers(node[3], op);
        }

        return new SimpleFilter(op, dimension, clauses, caseSensitive);
    }

    private static bool Modifiers(JsonElement modifiers, string op)
    {
        if (modifiers.ValueKind != JsonValueKind.Object)
        {
            throw new QueryException("Filter modifiers must be an object, e.g. {\"case_sensitive\": false}.");
        }

        var caseSensitive = true;
        foreach (var property in modifiers.EnumerateObject())
        {
            if (property.Name != "case_sensitive" || property.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                throw new QueryException("The only filter modifier is case_sensitive (true or false).");
            }

            caseSensitive = property.Value.GetBoolean();
        }

        if (!caseSensitive && op is not ("is" or "is_not" or "contains" or "contains_not"))
        {
            throw new QueryException($"case_sensitive applies to is, is_not, contains and contains_not, not to '{op}'.");
        }

        return caseSensitive;
    }

    private static List<(string, bool)> OrderBy(JsonElement orderBy, List<string> metrics, List<string> dimensions)
    {
        if (orderBy.ValueKind != JsonValueKind.Array || orderBy.GetArrayLength() > MaxOrderBy)
        {
            throw new QueryException($"order_by must be a list of at most {MaxOrderBy} [name, \"asc\"|\"desc\"] pairs.");
        }

        var list = new List<(string, bool)>();
        foreach (var pair in orderBy.EnumerateArray())
        {
            if (pair.ValueKind != JsonValueKind.Array || pair.GetArrayLength() != 2
                || pair[0].ValueKind != JsonValueKind.String || pair[1].ValueKind != JsonValueKind.String
                || pair[1].GetString() is not ("asc" or "desc"))
            {
                throw new QueryException("Each order_by entry is [metric or dimension, \"asc\" or \"desc\"].");
            }

            var name = pair[0].GetString()!;
            if (!metrics.Contains(name) && !dimensions.Contains(name))
            {
                throw new QueryException($"order_by names '{Shorten(name)}', which is not among the query's metrics or dimensions.");
            }

            list.Add((name, pair[1].GetString() == "desc"));
        }

        return list;
    }

    private static (bool, JsonObject, QueryComparison?) Include(JsonElement include)
    {
        if (include.ValueKind != JsonValueKind.Object)
        {
            throw new QueryException("include must be an object.");
        }

        var totalRows = false;
        QueryComparison? comparison = null;
        foreach (var property in include.EnumerateObject())
        {
            if (property.Name == "comparisons")
            {
                comparison = property.Value.ValueKind == JsonValueKind.Null ? null : Comparison(property.Value);
                continue;
            }

            var flag = property.Value.ValueKind switch
            {
                JsonValueKind.True => true,
                JsonValueKind.False => false,
                _ => property.Name is "time_labels" or "imports" or "total_rows"
                    ? throw new QueryException($"include.{property.Name} is true or false.")
                    : throw new QueryException($"Unknown include option '{Shorten(property.Name)}'."),
            };
            switch (property.Name)
            {
                case "total_rows":
                    totalRows = flag;
                    break;
                case "imports" when !flag:
                    break; // nothing is ever imported
                case "imports" or "time_labels":
                    throw new QueryException($"include.{property.Name} is not supported yet.");
                default:
                    throw new QueryException($"Unknown include option '{Shorten(property.Name)}'.");
            }
        }

        return (totalRows, (JsonObject)JsonNode.Parse(include.GetRawText())!, comparison);
    }

    /// <summary><c>{"mode": "previous_period" | "year_over_year"}</c> or <c>{"mode": "custom", "date_range": [a, b]}</c>.</summary>
    private static QueryComparison Comparison(JsonElement comparison)
    {
        const string Shape = "include.comparisons is {\"mode\": \"previous_period\" | \"year_over_year\"} or {\"mode\": \"custom\", \"date_range\": [\"YYYY-MM-DD\", \"YYYY-MM-DD\"]}.";
        if (comparison.ValueKind != JsonValueKind.Object || !comparison.TryGetProperty("mode", out var mode) || mode.ValueKind != JsonValueKind.String
            || !QueryComparison.Modes.Contains(mode.GetString()))
        {
            throw new QueryException(Shape);
        }

        JsonNode? range = null;
        foreach (var property in comparison.EnumerateObject())
        {
            switch (property.Name)
            {
                case "mode":
                    break;
                case "date_range" when mode.GetString() == "custom" && property.Value.ValueKind == JsonValueKind.Array:
                    range = DateRange(property.Value);
                    break;
                case "match_day_of_week" when property.Value.ValueKind == JsonValueKind.False:
                    break;
                case "match_day_of_week":
                    throw new QueryException("include.comparisons.match_day_of_week is not supported yet (only false).");
                default:
                    throw new QueryException(Shape);
            }
        }

        if (mode.GetString() != "custom")
        {
            return new QueryComparison(mode.GetString()!);
        }

        if (range is not JsonArray pair)
        {
            throw new QueryException(Shape);
        }

        QueryPeriods.TryDate(pair[0]!.GetValue<string>(), out var first);
        QueryPeriods.TryDate(pair[1]!.GetValue<string>(), out var last);
        return new QueryComparison("custom", first, last);
    }

    private static (int, int) Pagination(JsonElement pagination)
    {
        if (pagination.ValueKind != JsonValueKind.Object)
        {
            throw new QueryException("pagination must be an object {\"limit\": n, \"offset\": n}.");
        }

        var (limit, offset) = (MaxLimit, 0);
        foreach (var property in pagination.EnumerateObject())
        {
            if (property.Name is not ("limit" or "offset") || property.Value.ValueKind != JsonValueKind.Number || !property.Value.TryGetInt32(out var n))
            {
                throw new QueryException("pagination has limit and offset, whole numbers.");
            }

            if (property.Name == "limit")
            {
                limit = n is >= 1 and <= MaxLimit ? n : throw new QueryException($"pagination.limit must be between 1 and {MaxLimit:N0}.");
            }
            else
            {
                offset = n is >= 0 and <= MaxOffset ? n : throw new QueryException($"pagination.offset must be between 0 and {MaxOffset:N0}.");
            }
        }

        return (limit, offset);
    }

    private static List<string> Strings(JsonElement array, string what, int maxCount, int maxLength)
    {
        if (array.ValueKind != JsonValueKind.Array)
        {
            throw new QueryException($"{what} must be a list of strings.");
        }

        if (array.GetArrayLength() > maxCount)
        {
            throw new QueryException($"{what} may have at most {maxCount} entries.");
        }

        var list = new List<string>(array.GetArrayLength());
        foreach (var item in array.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String)
            {
                throw new QueryException($"{what} must be a list of strings.");
            }

            var text = item.GetString()!;
            if (text.Length > maxLength)
            {
                throw new QueryException($"An entry of {what} may have at most {maxLength:N0} characters.");
            }

            list.Add(text);
        }

        return list;
    }

    private static List<string> Distinct(List<string> list, string what) =>
        list.Distinct(StringComparer.Ordinal).Count() == list.Count ? list : throw new QueryException($"{what} lists a name twice.");

    private static string Shorten(string text) => text.Length <= 40 ? text : text[..40] + "…";
}

/// <summary>A query that cannot be answered as asked (a 400 that says why).</summary>
public sealed class QueryException(string message) : Exception(message);
