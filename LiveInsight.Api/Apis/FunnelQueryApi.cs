using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiveInsight.Api.Auth;
using LiveInsight.Api.Query;
using LiveInsight.Api.Sites;
using LiveInsight.Api.Stats;
using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Apis;

/// <summary>
/// <c>POST /api/sites/{siteId}/funnels/{funnelId}/query</c>: a saved funnel's answer over a date range, from the event
/// lake. The body is <c>{"date_range": …, "filters": […], "breakdown": {"step": k, "by": "visit:source"},
/// "include": {"comparisons": {"mode": "previous_period"}}}</c>: date range, filters and comparisons in
/// <c>/api/v2/query</c>'s syntax, checked by its parser with its limits; the query shares the engine's
/// slots, deadline and the site's uncached queries a minute. A POST (not a GET with a query string) because the filter
/// tree is JSON, as in <c>/api/v2/query</c>.
/// </summary>
public static class FunnelQueryApi
{
    private static readonly string[] TopLevel = ["date_range", "filters", "breakdown", "include"];

    private static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static RouteGroupBuilder MapFunnelQuery(this RouteGroupBuilder funnels)
    {
        funnels.MapPost("/{funnelId}/query", QueryFunnel)
            .WithName("QueryFunnel")
            .WithSummary("A funnel's visitors per step, conversion from the first and the previous step, drop-off and median time between steps")
            .Accepts<JsonElement>("application/json")
            .Produces<JsonObject>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return funnels;
    }

    public static async Task<IResult> QueryFunnel(
        string siteId, string funnelId, HttpContext http, LakeFiles lake, QueryEngine engine, StatsQueryLimiter limiter, TimeProvider time, CancellationToken ct)
    {
        var site = http.Site();
        var (body, bodyProblem) = await QueryApi.ReadBodyAsync(http.Request, ct);
        using (body)
        {
            if (bodyProblem is not null)
            {
                return bodyProblem;
            }

            if (!lake.Enabled)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Event lake off",
                    detail: "This installation runs with Lake:Enabled=false, so no events are written to the lake and funnels have nothing to answer from.");
            }

            // The body is judged before the funnel is looked up, so a bad body says why whichever funnel it names.
            (StatsQuery Scope, int? Step, string? By) parsed;
            try
            {
                parsed = Parse(body!.RootElement, site.SiteId);
            }
            catch (QueryException e)
            {
                return BadRequest(e.Message);
            }
            catch (InvalidOperationException)
            {
                // A name or string with a lone surrogate escape (\ud800) parses as JSON but cannot be read as text.
                return BadRequest("The body holds a string that is not valid text (a lone surrogate escape).");
            }

            var funnel = Funnel.IsWellFormedId(funnelId) ? site.Funnels.FirstOrDefault(f => f.Id == funnelId) : null;
            if (funnel is null)
            {
                return FunnelsApi.FunnelNotFound();
            }

            if (parsed.Step > funnel.Steps.Count)
            {
                return BadRequest($"breakdown.step must be between 1 and {funnel.Steps.Count}: the funnel '{funnel.Name}' has {funnel.Steps.Count} steps.");
            }

            var query = new FunnelQuery(funnel, parsed.Scope, parsed.Step, parsed.By);

            return await QueryApi.RunQueryAsync(http, "Bad funnel query", async () =>
            {
                await limiter.ThrowIfOverLimitAsync(site.SiteId);
                var zone = SiteTimeZones.Of(site.TimeZone);
                var listing = await lake.ListAsync(site.SiteId, ct);
                var period = QueryPeriods.Resolve(query.Scope.DateRange, zone, time.GetUtcNow(), () => listing.FirstDay);

                async Task<List<object?[]>> RunAsync(FunnelQuery asked, QueryPeriod days)
                {
                    async Task<List<object?[]>> OnListingAsync()
                    {
                        var all = await AllVisitorsAsync(asked, days);
                        // A funnel without filters and breakdown: the summed UTC days from the funnel's per-day partials.
                        if (all is { } known && await QueryFunnelPartials.TryRunAsync(asked, days, zone, site, listing, lake, engine, known,
                                http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(QueryFunnelPartials)), ct) is { } fromPartials)
                        {
                            return fromPartials;
                        }

                        var files = await lake.FilesAsync(listing, days.First, days.Last, ct);
                        return await engine.RunAsync(QuerySql.BuildFunnel(asked, days, files, site.Goals, lake.Keyed(files), all), ct);
                    }

                    // Without filters the all row is the period's visitors, which the day sums answer exactly (a distinct
                    // count over every event of the period otherwise: ~15 % of a 30-day funnel, BENCHMARKS).
                    async Task<long?> AllVisitorsAsync(FunnelQuery asked, QueryPeriod days)
                    {
                        if (asked.Scope.Filters.Count > 0)
                        {
                            return null;
                        }

                        var visitors = asked.Scope with
                        {
                            Metrics = ["visitors"], Dimensions = [], OrderBy = null, TotalRows = false, Comparison = null, Limit = 1, Offset = 0,
                        };
                        return await QueryDaySums.TryRunAsync(visitors, days, zone, site, listing, lake, engine, ct) is { Rows: [var row] }
                            ? Convert.ToInt64(row[0], CultureInfo.InvariantCulture)
                            : null;
                    }

                    try
                    {
                        return await OnListingAsync();
                    }
                    catch (LakeFilesChangedException)
                    {
                        listing = await lake.ListAsync(site.SiteId, ct);
                        return await OnListingAsync();
                    }
                }

                var answer = Answer(query, period, await RunAsync(query, period));
                if (query.Scope.Comparison is { } compare)
                {
                    // The same funnel and filters over the other days (no breakdown): its steps beside the answer's.
                    var (from, to) = compare.Days(period);
                    var range = new JsonArray(from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    var comparePeriod = QueryPeriods.Resolve(range, zone, time.GetUtcNow(), () => null);
                    var before = query with { BreakdownStep = null, BreakdownBy = null };
                    var rows = await RunAsync(before, comparePeriod);
                    answer["comparison"] = new JsonObject
                    {
                        ["mode"] = compare.Mode,
                        ["date_range"] = QueryPeriods.Echo(comparePeriod),
                        ["all_visitors"] = AllVisitors(rows),
                        ["steps"] = Steps(before, rows),
                    };
                }

                return TypedResults.Json(answer);
            });
        }
    }

    /// <summary>The body's date range and filters go through <see cref="QueryParser"/> as a v2 query of the site.</summary>
    private static (StatsQuery, int?, string?) Parse(JsonElement body, string siteId)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            throw new QueryException("The body must be one JSON object: {\"date_range\": …, \"filters\": […], \"breakdown\": {\"step\": n, \"by\": \"visit:source\"}}.");
        }

        var scope = new JsonObject { ["site_id"] = siteId, ["metrics"] = new JsonArray("visitors") };
        JsonElement? breakdown = null;
        foreach (var property in body.EnumerateObject())
        {
            if (!TopLevel.Contains(property.Name))
            {
                throw new QueryException($"Unknown key '{(property.Name.Length <= 40 ? property.Name : property.Name[..40] + "…")}': a funnel query has {string.Join(", ", TopLevel)}.");
            }

            if (property.Name == "breakdown")
            {
                breakdown = property.Value;
            }
            else if (scope.ContainsKey(property.Name))
            {
                throw new QueryException($"'{property.Name}' is given more than once.");
            }
            else
            {
                scope[property.Name] = JsonNode.Parse(property.Value.GetRawText());
            }
        }

        using var scopeBody = JsonDocument.Parse(scope.ToJsonString());
        var (parsed, error) = QueryParser.Parse(scopeBody.RootElement);
        if (parsed is null)
        {
            throw new QueryException(error!);
        }

        // Of include, a funnel takes comparisons only (total_rows and the rest are about rows of a v2 answer).
        if (parsed.IncludeAsSent.Select(p => p.Key).FirstOrDefault(k => k != "comparisons") is { } other)
        {
            throw new QueryException($"include.{(other.Length <= 40 ? other : other[..40] + "…")} is not an option of a funnel query: include takes comparisons only.");
        }

        var (step, by) = breakdown is { ValueKind: not JsonValueKind.Null } b ? Breakdown(b) : (null, null);
        return (parsed, step, by);
    }

    private static (int?, string?) Breakdown(JsonElement breakdown)
    {
        var shape = $"breakdown is {{\"step\": 1 to the funnel's steps, \"by\": one of {string.Join(", ", FunnelQuery.BreakdownDimensions)}}}.";
        if (breakdown.ValueKind != JsonValueKind.Object || breakdown.EnumerateObject().Any(p => p.Name is not ("step" or "by"))
            || !breakdown.TryGetProperty("step", out var step) || step.ValueKind != JsonValueKind.Number || !step.TryGetInt32(out var k)
            || k < 1 || k > Funnel.MaxSteps
            || !breakdown.TryGetProperty("by", out var by) || by.ValueKind != JsonValueKind.String || !FunnelQuery.BreakdownDimensions.Contains(by.GetString()))
        {
            throw new QueryException(shape);
        }

        return (k, by.GetString());
    }

    /// <summary>Per step: visitors, conversion from the first and the previous step, drop-off from the previous step
    /// (count and percent), median seconds since the previous step; the breakdown's groups when asked.</summary>
    private static JsonObject Answer(FunnelQuery query, QueryPeriod period, List<object?[]> rows)
    {
        var answer = new JsonObject
        {
            ["funnel"] = JsonSerializer.SerializeToNode(FunnelView.Of(query.Funnel), Json),
            ["date_range"] = QueryPeriods.Echo(period),
            ["filters"] = query.Scope.FiltersAsSent.DeepClone(),
            ["all_visitors"] = AllVisitors(rows),
            ["steps"] = Steps(query, rows),
        };
        if (query.BreakdownStep is { } step)
        {
            answer["breakdown"] = new JsonObject
            {
                ["step"] = step,
                ["by"] = query.BreakdownBy,
                ["results"] = new JsonArray(rows.Where(r => Kind(r) == QuerySql.FunnelBreakdownRow)
                    .Select(r => (JsonNode)new JsonObject { ["value"] = r[2] as string ?? "", ["visitors"] = Count(r[3]) }).ToArray()),
            };
        }

        return answer;
    }

    private static long Count(object? value) => value is null ? 0 : Convert.ToInt64(value, CultureInfo.InvariantCulture);

    private static int Kind(object?[] row) => Convert.ToInt32(row[0], CultureInfo.InvariantCulture);

    /// <summary>The period's visitors, whether or not they entered the funnel.</summary>
    private static long AllVisitors(List<object?[]> rows) => rows.Where(r => Kind(r) == QuerySql.FunnelAllRow).Select(r => Count(r[3])).FirstOrDefault();

    private static JsonArray Steps(FunnelQuery query, List<object?[]> rows)
    {
        var stepRows = rows.Where(r => Kind(r) == QuerySql.FunnelStepRow).ToList();
        var steps = new JsonArray();
        long first = 0, previous = 0;
        for (var i = 0; i < query.Funnel.Steps.Count; i++)
        {
            var visitors = Count(stepRows[i][3]);
            first = i == 0 ? visitors : first;
            var dropoff = i == 0 ? 0 : previous - visitors;
            steps.Add(new JsonObject
            {
                ["step"] = i + 1,
                ["label"] = query.Funnel.Steps[i].Label,
                ["visitors"] = visitors,
                ["conversion_rate"] = Percent(visitors, first),
                ["conversion_rate_step"] = i == 0 ? Percent(visitors, visitors) : Percent(visitors, previous),
                ["dropoff"] = dropoff,
                ["dropoff_percentage"] = i == 0 ? 0.0 : Percent(dropoff, previous),
                ["median_seconds"] = stepRows[i][4] is { } ms ? Math.Round(Convert.ToDouble(ms, CultureInfo.InvariantCulture) / 1000.0, 1) : null,
            });
            previous = visitors;
        }

        return steps;
    }

    /// <summary>Percent to one decimal; 0 when there is nothing to divide by.</summary>
    private static double Percent(long part, long whole) => whole == 0 ? 0 : Math.Round(100.0 * part / whole, 1);

    private static IResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad funnel query", detail: detail);
}
