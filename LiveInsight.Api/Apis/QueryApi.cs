using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiveInsight.Api.Auth;
using LiveInsight.Api.Query;
using LiveInsight.Api.Stats;
using LiveInsight.Core.Sites;
using Microsoft.Net.Http.Headers;

namespace LiveInsight.Api.Apis;

/// <summary>
/// <c>POST /api/v2/query</c>: Plausible's Stats API v2 (metrics, dimensions, filters, order, pagination over a date
/// range), answered by DuckDB from the Parquet event lake. Authorised like the other reads (the site's secret key or
/// the admin token), against the <c>site_id</c> of the body.
/// </summary>
public static class QueryApi
{
    public const int MaxBodyBytes = 64 * 1024;

    public static IEndpointRouteBuilder MapQueryApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/v2/query", PostQuery)
            .WithTags("Query")
            .WithName("PostQuery")
            .WithSummary("Plausible Stats API v2 query: metrics by dimensions with combined filters, from the event lake")
            .Accepts<JsonElement>("application/json")
            .Produces<JsonObject>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        return app;
    }

    public static async Task<IResult> PostQuery(
        HttpContext http, LakeFiles lake, QueryEngine engine, StatsQueryLimiter limiter, TimeProvider time, CancellationToken ct)
    {
        var (body, bodyProblem) = await ReadBodyAsync(http.Request, ct);
        using (body)
        {
            var access = ActivatorUtilities.CreateInstance<SiteAccessFilter>(http.RequestServices);
            var siteId = body is null ? null : QueryParser.SiteIdOf(body.RootElement);
            if (await access.AuthorizeAsync(http, siteId ?? "", "as \"site_id\" in the body") is IResult denied && (bodyProblem is null || IsCredentials(denied)))
            {
                return denied;
            }

            if (bodyProblem is not null)
            {
                return bodyProblem;
            }

            if (!lake.Enabled)
            {
                return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Event lake off",
                    detail: "This installation runs with Lake:Enabled=false, so no events are written to the lake and /api/v2/query has nothing to answer from. The /api/stats/* endpoints answer from the rollups.");
            }

            var (query, error) = QueryParser.Parse(body!.RootElement);
            if (query is null)
            {
                return BadRequest(error!);
            }

            var site = http.Site();
            return await QueryApi.RunQueryAsync(http, "Bad query", async () =>
            {
                await limiter.ThrowIfOverLimitAsync(site.SiteId);
                var zone = SiteTimeZones.Of(site.TimeZone);
                var listing = await lake.ListAsync(site.SiteId, ct);
                var period = QueryPeriods.Resolve(query.DateRange, zone, time.GetUtcNow(), () => listing.FirstDay);
                async Task<(QuerySql Sql, List<object?[]> Rows)> RunAsync(StatsQuery q, QueryPeriod p)
                {
                    // The day sums first (exact, and a 30-day breakdown reads 30 small files instead of every event),
                    // when they can answer the query.
                    try
                    {
                        if (await QueryDaySums.TryRunAsync(q, p, zone, site, listing, lake, engine, ct) is { } summed)
                        {
                            return summed;
                        }
                    }
                    catch (LakeFilesChangedException)
                    {
                        // Files changed under the sums' scan: the scanning way below lists again when it must.
                    }

                    var sql = QuerySql.Build(q, p, await lake.SelectAsync(listing, p.First, p.Last, ct), site.Goals);
                    try
                    {
                        return (sql, await engine.RunAsync(sql, ct));
                    }
                    catch (LakeFilesChangedException)
                    {
                        // Compaction merged parts away after they were listed: the new listing has them in compact.parquet.
                        listing = await lake.ListAsync(site.SiteId, ct);
                        sql = QuerySql.Build(q, p, await lake.SelectAsync(listing, p.First, p.Last, ct), site.Goals);
                        return (sql, await engine.RunAsync(sql, ct));
                    }
                }

                var (sql, rows) = await RunAsync(query, period);
                // The count is the last column only when asked for (else the last column is the last metric).
                long? totalRows = query.TotalRows && rows.Count > 0 ? Convert.ToInt64(rows[0][^1], CultureInfo.InvariantCulture) : 0;
                if (query.TotalRows && rows.Count == 0 && query.Offset > 0)
                {
                    // A page past the end has no row to carry the count: ask for the first row of the same query.
                    var (_, first) = await RunAsync(query with { Offset = 0, Limit = 1 }, period);
                    totalRows = first.Count > 0 ? Convert.ToInt64(first[0][^1], CultureInfo.InvariantCulture) : 0;
                }

                QueryComparisonAnswer? comparison = null;
                if (query.Comparison is { } compare)
                {
                    // The same query over the other days, every row of it, matched to the answer's rows by dimensions.
                    var (from, to) = compare.Days(period);
                    var range = new JsonArray(from.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), to.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    var comparePeriod = QueryPeriods.Resolve(range, zone, time.GetUtcNow(), () => null);
                    // A plain "time" keeps the main period's bucket size, so the Nth buckets line up.
                    var (_, compareRows) = await RunAsync(query with
                    {
                        DateRange = range, Dimensions = sql.Dimensions, OrderBy = null, Offset = 0, Limit = QueryParser.MaxLimit, TotalRows = false, Comparison = null,
                    }, comparePeriod);
                    comparison = new QueryComparisonAnswer(comparePeriod, compareRows);
                }

                return TypedResults.Json(Answer(query, period, sql, rows, totalRows, comparison));
            });
        }
    }

    /// <summary>Plausible's response: results (dimensions then metrics per row), meta, and the query as run.</summary>
    private static JsonObject Answer(StatsQuery query, QueryPeriod period, QuerySql sql, List<object?[]> rows, long? totalRows, QueryComparisonAnswer? comparison)
    {
        var dimensions = query.Dimensions.Count;
        var results = new JsonArray();
        // Rows match on their dimensions, a time bucket by its place in its period (QueryComparisonAnswer.BucketIndex).
        var time = sql.Dimensions.Select((d, i) => (Dimension: d, Index: i)).FirstOrDefault(d => QueryFields.IsTime(d.Dimension));
        string Aligned(object?[] row, DateOnly first) => time.Dimension is null
            ? Key(row, dimensions)
            : Key(row.Select((v, i) => i == time.Index ? (object?)QueryComparisonAnswer.BucketIndex(time.Dimension, v as string ?? "", first)?.ToString(CultureInfo.InvariantCulture) : v).ToArray(), dimensions);
        var previous = comparison?.Rows.ToDictionary(r => Aligned(r, comparison.Period.First), StringComparer.Ordinal);
        foreach (var row in rows)
        {
            var result = new JsonObject
            {
                ["metrics"] = new JsonArray(row.Skip(dimensions).Take(query.Metrics.Count).Select(Number).ToArray()),
                ["dimensions"] = new JsonArray(row.Take(dimensions).Select(v => (JsonNode?)JsonValue.Create(v as string ?? "")).ToArray()),
            };
            if (previous is not null)
            {
                // A row the other period does not have compares with zeros, as Plausible's does.
                var before = previous.TryGetValue(Aligned(row, period.First), out var match) ? match : null;
                var metrics = query.Metrics.Select((m, j) => before is null ? (QueryComparisonAnswer.Empty(m)) : before[dimensions + j]).ToList();
                var compared = before ?? row.Select((v, i) => time.Dimension is not null && i == time.Index
                    && QueryComparisonAnswer.BucketIndex(time.Dimension, v as string ?? "", period.First) is { } bucket
                        ? QueryComparisonAnswer.BucketLabel(time.Dimension, bucket, comparison!.Period.First)
                        : v).ToArray();
                result["comparison"] = new JsonObject
                {
                    ["dimensions"] = new JsonArray(compared.Take(dimensions).Select(v => (JsonNode?)JsonValue.Create(v as string ?? "")).ToArray()),
                    ["metrics"] = new JsonArray(metrics.Select(Number).ToArray()),
                    ["change"] = new JsonArray(query.Metrics.Select((m, j) => QueryComparisonAnswer.Change(m, metrics[j], row[dimensions + j])).ToArray()),
                };
            }

            results.Add(result);
        }

        var meta = new JsonObject();
        if (query.TotalRows)
        {
            meta["total_rows"] = totalRows;
        }

        if (comparison is not null)
        {
            meta["comparison_date_range"] = QueryPeriods.Echo(comparison.Period);
        }

        return new JsonObject
        {
            ["results"] = results,
            ["meta"] = meta,
            ["query"] = new JsonObject
            {
                ["site_id"] = query.SiteId,
                ["metrics"] = new JsonArray(query.Metrics.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
                ["date_range"] = QueryPeriods.Echo(period),
                ["filters"] = query.FiltersAsSent.DeepClone(),
                ["dimensions"] = new JsonArray(query.Dimensions.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
                ["order_by"] = new JsonArray(sql.OrderBy.Select(o => (JsonNode?)new JsonArray(o.Name, o.Descending ? "desc" : "asc")).ToArray()),
                ["include"] = query.IncludeAsSent.DeepClone(),
                ["pagination"] = new JsonObject { ["limit"] = query.Limit, ["offset"] = query.Offset },
            },
        };
    }

    /// <summary>A metric's value; null only where no number exists (time on page when no page view reported any).</summary>
    private static JsonNode? Number(object? value) => value switch
    {
        null => null,
        long l => JsonValue.Create(l),
        int i => JsonValue.Create(i),
        double d => JsonValue.Create(d),
        decimal m => JsonValue.Create((double)m),
        System.Numerics.BigInteger b => JsonValue.Create((long)b),
        _ => JsonValue.Create(Convert.ToDouble(value, CultureInfo.InvariantCulture)),
    };

    private static string Key(object?[] row, int dimensions) => string.Join('\u0001', row.Take(dimensions).Select(v => v as string ?? ""));

    private static bool IsCredentials(IResult denied) => denied is IStatusCodeHttpResult { StatusCode: StatusCodes.Status401Unauthorized or StatusCodes.Status429TooManyRequests };

    /// <summary>At most <see cref="MaxBodyBytes"/> of UTF-8 JSON, parsed once.</summary>
    internal static async Task<(JsonDocument? Body, IResult? Problem)> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            || !(type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))
            || (type.Charset.HasValue && !type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type",
                detail: "Send the query as one JSON object, UTF-8, with Content-Type: application/json."));
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return (null, TooLarge());
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (null, TooLarge());
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return (JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 32 }), null);
        }
        catch (JsonException e)
        {
            return (null, BadRequest($"The body is not valid JSON: {e.Message}"));
        }
    }

    private static IResult TooLarge() => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Body too large", detail: $"A query may have at most {MaxBodyBytes / 1024} KiB.");

    private static IResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad query", detail: detail);

    /// <summary>A lake query's answer, or the problem its failure is: 400 with <paramref name="badRequestTitle"/> (the
    /// query), 429 (the site's uncached-query budget), 503 with Retry-After (the engine busy or past its deadline, or the
    /// files changed twice under it). Shared by /api/v2/query, funnels and cohorts.</summary>
    internal static async Task<IResult> RunQueryAsync(HttpContext http, string badRequestTitle, Func<Task<IResult>> answer)
    {
        try
        {
            return await answer();
        }
        catch (QueryException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: badRequestTitle, detail: e.Message);
        }
        catch (StatsQueryLimitedException e)
        {
            http.Response.Headers.RetryAfter = e.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many queries", detail: e.Message);
        }
        catch (Exception e) when (e is QueryBusyException or QueryTimeoutException or LakeFilesChangedException)
        {
            http.Response.Headers.RetryAfter = "5";
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Query not answered", detail: e.Message);
        }
    }
}
