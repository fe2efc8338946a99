using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiveInsight.Api.Auth;
using LiveInsight.Api.Query;
using LiveInsight.Api.Stats;
using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Apis;

/// <summary>
/// <c>POST /api/sites/{siteId}/cohorts/query</c>: retention cohorts of identified users (<c>liveinsight.identify</c>) by
/// the day, week or month they were first seen, and the share of each cohort active in every later period of the range.
/// Read like the other reads (the site's secret key or the admin token), under the limits of <c>/api/v2/query</c>
/// (uncached queries a minute per site, query slots, deadline). A site without identify answers 409: the cookieless
/// visitor id changes every day, so cohorts made from it would be fiction.
/// </summary>
public static class CohortsApi
{
    private static readonly string[] Keys = ["date_range", "period", "filters"];

    public static IEndpointRouteBuilder MapCohortsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/sites/{siteId}/cohorts/query", QueryCohorts)
            .WithTags("Query")
            .AddEndpointFilter<RouteSiteAccessFilter>()
            .WithName("QueryCohorts")
            .WithSummary("Retention cohorts of identified users: cohort size by first day, week or month, and the share active in each later period")
            .Accepts<JsonElement>("application/json")
            .Produces<JsonObject>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public static async Task<IResult> QueryCohorts(
        string siteId, HttpContext http, LakeFiles lake, QueryEngine engine, StatsQueryLimiter limiter, TimeProvider time, CancellationToken ct)
    {
        var (document, bodyProblem) = await QueryApi.ReadBodyAsync(http.Request, ct);
        using var body = document;
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var site = http.Site();
        if (!site.IdentifyEnabled)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Cohorts need identify",
                detail: "Retention cohorts follow users across days, which only liveinsight.identify(userId) allows: enable identify_enabled in the site's settings and identify signed-in users. Cookieless visitor ids change every day, so cohorts are never made from them.");
        }

        if (!lake.Enabled)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Event lake off",
                detail: "This installation runs with Lake:Enabled=false, so there are no identified events to make cohorts from.");
        }

        var (period, query, error) = Parse(site.SiteId, body!.RootElement);
        if (period is null || query is null)
        {
            return BadRequest(error!);
        }

        return await QueryApi.RunQueryAsync(http, "Bad cohort query", async () =>
        {
            await limiter.ThrowIfOverLimitAsync(site.SiteId);
            var zone = SiteTimeZones.Of(site.TimeZone);
            var listing = await lake.ListAsync(site.SiteId, ct);
            var range = QueryPeriods.Resolve(query.DateRange, zone, time.GetUtcNow(), () => listing.FirstDay);
            var (firstCohort, lastCohort) = (CohortSql.PeriodOf(range.First, period), CohortSql.PeriodOf(range.Last, period));
            var periods = new List<DateOnly>();
            for (var p = firstCohort; p <= lastCohort; p = CohortSql.Next(p, period))
            {
                if (periods.Count == CohortSql.MaxPeriods)
                {
                    return BadRequest($"A cohort grid spans at most {CohortSql.MaxPeriods} periods; this date_range has more {period}s. Choose a shorter range or a longer period.");
                }

                periods.Add(p);
            }

            async Task<List<object?[]>> RunAsync()
            {
                // First periods need every identified event before the range too: the files from the lake's first day.
                var files = listing.FirstDay is { } first && first <= range.Last ? await lake.FilesAsync(listing, first, range.Last, ct) : [];
                var sql = CohortSql.Build(files, period, firstCohort, lastCohort, range.ToMs, query.Filters, site.Goals);
                return await engine.RunAsync(sql.Text, sql.Parameters, sql.Regexes, ct);
            }

            List<object?[]> rows;
            try
            {
                rows = await RunAsync();
            }
            catch (LakeFilesChangedException)
            {
                listing = await lake.ListAsync(site.SiteId, ct); // compaction merged parts away after the listing
                rows = await RunAsync();
            }

            return TypedResults.Json(Answer(site.SiteId, period, range, periods, query.FiltersAsSent, rows));
        });
    }

    /// <summary>The body: <c>date_range</c> and <c>filters</c> exactly as <c>/api/v2/query</c> reads them (its parser
    /// checks and caps them), and <c>period</c>.</summary>
    private static (string? Period, StatsQuery? Query, string? Error) Parse(string siteId, JsonElement body)
    {
        try
        {
            return ParseOrThrow(siteId, body);
        }
        catch (InvalidOperationException)
        {
            // A string with a lone surrogate escape (\ud800) or bytes that are not UTF-8: parsed, but not text.
            return (null, null, "The body holds a string that is not valid text (a lone surrogate escape or invalid UTF-8).");
        }
    }

    private static (string? Period, StatsQuery? Query, string? Error) ParseOrThrow(string siteId, JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            return (null, null, "The body must be one JSON object: {\"date_range\", \"period\", \"filters\"?}.");
        }

        var names = body.EnumerateObject().Select(p => p.Name).ToList();
        if (names.FirstOrDefault(n => !Keys.Contains(n)) is { } unknown)
        {
            return (null, null, $"Unknown key '{(unknown.Length > 40 ? unknown[..40] + "…" : unknown)}': a cohort query has {string.Join(", ", Keys)}.");
        }

        if (names.Count != names.Distinct(StringComparer.Ordinal).Count())
        {
            return (null, null, "A key is given more than once.");
        }

        if (!body.TryGetProperty("period", out var p) || p.ValueKind != JsonValueKind.String || !CohortSql.Periods.Contains(p.GetString()))
        {
            return (null, null, $"period is required: one of {string.Join(", ", CohortSql.Periods)}.");
        }

        var v2 = new JsonObject { ["site_id"] = siteId, ["metrics"] = new JsonArray("visitors") };
        foreach (var name in new[] { "date_range", "filters" })
        {
            if (body.TryGetProperty(name, out var value))
            {
                v2[name] = JsonNode.Parse(value.GetRawText());
            }
        }

        using var document = JsonDocument.Parse(v2.ToJsonString());
        var (query, error) = QueryParser.Parse(document.RootElement);
        if (query is null)
        {
            return (null, null, error);
        }

        return (p.GetString(), query, null);
    }

    private static JsonObject Answer(string siteId, string period, QueryPeriod range, List<DateOnly> periods, JsonArray filters, List<object?[]> rows)
    {
        static DateOnly Day(object? value) => DateOnly.ParseExact((string)value!, "yyyy-MM-dd", CultureInfo.InvariantCulture);
        var active = rows.ToDictionary(r => (Day(r[0]), Day(r[1])), r => Convert.ToInt64(r[2], CultureInfo.InvariantCulture));
        var cohorts = new JsonArray();
        long identified = 0;
        foreach (var cohort in periods)
        {
            var size = active.GetValueOrDefault((cohort, cohort));
            identified += size;
            var later = periods.Where(p => p >= cohort).Select(p => active.GetValueOrDefault((cohort, p))).ToList();
            cohorts.Add(new JsonObject
            {
                ["cohort"] = Text(cohort),
                ["size"] = size,
                ["users"] = new JsonArray(later.Select(n => (JsonNode?)n).ToArray()),
                ["percent"] = new JsonArray(later.Select(n => (JsonNode?)(size == 0 ? 0.0 : Math.Round(100.0 * n / size, 1))).ToArray()),
            });
        }

        return new JsonObject
        {
            ["site_id"] = siteId,
            ["period"] = period,
            ["date_range"] = new JsonArray(Text(range.First), Text(range.Last)),
            ["filters"] = filters.DeepClone(),
            ["periods"] = new JsonArray(periods.Select(p => (JsonNode?)Text(p)).ToArray()),
            ["cohorts"] = cohorts,
            ["meta"] = new JsonObject { ["identified_users"] = identified },
        };
    }

    private static string Text(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static IResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad cohort query", detail: detail);
}
