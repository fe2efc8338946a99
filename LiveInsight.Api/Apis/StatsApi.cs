using LiveInsight.Api.Auth;
using LiveInsight.Api.Extensions;
using LiveInsight.Api.Stats;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace LiveInsight.Api.Apis;

/// <summary>
/// Historical stats from rollups. Common query parameters: <c>site_id</c>; <c>range</c> = today | 7d | 30d (default) |
/// month | custom with <c>from</c>/<c>to</c> (YYYY-MM-DD, site time zone); one filter of <c>page</c>, <c>source</c>,
/// <c>country</c>, <c>device</c> (summary, daily, timeseries only); <c>limit</c>; <c>format</c> = json | html | csv.
/// </summary>
public static class StatsApi
{
    public static IEndpointRouteBuilder MapStatsApi(this IEndpointRouteBuilder app)
    {
        var stats = app.MapGroup("/api/stats")
            .WithTags("Stats")
            .AddEndpointFilter<SiteAccessFilter>()
            .AddEndpointFilter<KnownQueryParameters>()
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);

        stats.MapGet("/daily", GetDaily).WithName("GetDailyStats")
            .WithSummary("Per day: visitors, pageviews, sessions, bounce rate, average visit duration");
        stats.MapGet("/pages", GetPages).WithName("GetPageStats")
            .WithSummary("Top pages: pageviews, unique visitors (sketch union), entries, exits");
        stats.MapGet("/summary", GetSummary).WithName("GetSummary")
            .WithSummary("Totals of the range with the change against the previous period of the same length");
        stats.MapGet("/timeseries", GetTimeseries).WithName("GetTimeseries")
            .WithSummary("Per hour (ranges up to 2 days by default) or per day (interval=hour|day)");
        stats.MapGet("/event-props", GetEventProps).WithName("GetEventProps")
            .WithSummary("One custom event's props (name=…): each key with its events and its top values by events");
        foreach (var kind in BreakdownKind.All)
        {
            stats.MapGet($"/{kind.Route}", ([AsParameters] StatsParameters query, HttpContext context, StatsService service, TimeProvider time, CancellationToken ct) =>
                    GetBreakdown(kind, query, context, service, time, ct))
                .WithName("Get" + string.Concat(kind.Route.Split('-').Select(w => char.ToUpperInvariant(w[0]) + w[1..])))
                .WithSummary(kind.Summary);
        }

        return app;
    }

    public static Task<Results<ReadResult<DailyStats>, ProblemHttpResult>> GetDaily(
        [AsParameters] StatsParameters query, HttpContext context, StatsService service, TimeProvider time, CancellationToken ct) =>
        RunAsync(query, context, time, allowFilter: true, scope => service.DailyAsync(scope, ct));

    public static Task<Results<ReadResult<PageStats>, ProblemHttpResult>> GetPages(
        [AsParameters] StatsParameters query, HttpContext context, StatsService service, TimeProvider time, CancellationToken ct) =>
        RunAsync(query, context, time, allowFilter: false, scope => service.PagesAsync(scope, ct));

    public static Task<Results<ReadResult<SummaryStats>, ProblemHttpResult>> GetSummary(
        [AsParameters] StatsParameters query, HttpContext context, StatsService service, TimeProvider time, CancellationToken ct) =>
        RunAsync(query, context, time, allowFilter: true, scope => service.SummaryAsync(scope, ct));

    public static Task<Results<ReadResult<Timeseries>, ProblemHttpResult>> GetTimeseries(
        [AsParameters] StatsParameters query, HttpContext context, StatsService service, TimeProvider time, CancellationToken ct) =>
        RunAsync(query, context, time, allowFilter: true, scope => service.TimeseriesAsync(scope, ct));

    /// <summary>The longest event name ingestion keeps (<c>IngestionLimits.MaxNameLength</c>): a longer one has no props.</summary>
    public const int MaxEventNameLength = Ingestion.IngestionLimits.MaxNameLength;

    public static Task<Results<ReadResult<EventProps>, ProblemHttpResult>> GetEventProps(
        [AsParameters] StatsParameters query, [FromQuery(Name = "name")] string? name, HttpContext context, StatsService service,
        TimeProvider time, CancellationToken ct) =>
        string.IsNullOrWhiteSpace(name) ? Task.FromResult<Results<ReadResult<EventProps>, ProblemHttpResult>>(BadRequest("name (the custom event's name) is required."))
        : name.Length > MaxEventNameLength ? Task.FromResult<Results<ReadResult<EventProps>, ProblemHttpResult>>(BadRequest($"name is longer than the {MaxEventNameLength} characters an event name can have."))
        : RunAsync(query, context, time, allowFilter: false, scope => service.EventPropsAsync(scope, name, ct));

    public static Task<Results<ReadResult<Breakdown>, ProblemHttpResult>> GetBreakdown(
        BreakdownKind kind, StatsParameters query, HttpContext context, StatsService service, TimeProvider time, CancellationToken ct) =>
        RunAsync(query, context, time, allowFilter: false, scope => service.BreakdownAsync(scope, kind, ct));

    private static async Task<Results<ReadResult<T>, ProblemHttpResult>> RunAsync<T>(
        StatsParameters query, HttpContext context, TimeProvider time, bool allowFilter, Func<StatsScope, ValueTask<T>> read)
        where T : ITabular
    {
        var (scope, error) = query.Resolve(context.Site(), time.GetUtcNow());
        if (scope is null)
        {
            return BadRequest(error!);
        }

        if (scope.Filter is { } filter && !allowFilter)
        {
            return BadRequest($"This report cannot be filtered by {filter.Dimension}: rollups are kept per single dimension, " +
                "so only summary, daily and timeseries accept a filter.");
        }

        try
        {
            return ReadResult.Of(await read(scope));
        }
        catch (StatsQueryLimitedException limited)
        {
            context.Response.Headers.RetryAfter = limited.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many uncached queries", detail: limited.Message);
        }
    }

    private static ProblemHttpResult BadRequest(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Bad stats query", detail: detail);
}
