using System.Diagnostics;
using LiveInsight.Api.Auth;
using LiveInsight.Api.Ingestion;
using LiveInsight.Core.Privacy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Api.Apis;

public static class IngestApi
{
    public const string KeyHeader = "X-LiveInsight-Key";
    public const string DroppedHeader = "X-LiveInsight-Dropped";

    public static IEndpointRouteBuilder MapIngestApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/events", PostEvents)
            .WithTags("Ingestion")
            .WithName("PostEvents")
            .WithSummary("Accept a batch of up to 50 events from the tracker (JSON or text/plain)")
            .DisableAntiforgery();
        app.MapMethods("/api/events", ["OPTIONS"], Preflight)
            .WithTags("Ingestion")
            .WithName("PreflightEvents")
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>The HTTP side of ingestion: the request becomes an <see cref="IngestRequest"/>, and the outcome becomes the
    /// answer with every header it needs (CORS on success and on refusal, Retry-After, the drop header).</summary>
    public static async Task<IResult> PostEvents(
        HttpContext context, EventIngestor ingestor, ClientIpResolver clientIps, LiveInsightMetrics metrics, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var http = context.Request;
            var (batch, parseError) = await EventBatchReader.ReadAsync(http, cancellationToken);
            var outcome = parseError is not null
                ? IngestOutcome.Failed(new IngestFailure(parseError.Status, parseError.Title, parseError.Detail))
                : await ingestor.IngestAsync(
                    new IngestRequest(
                        batch!,
                        batch!.Key ?? http.Headers[KeyHeader].ToString(),
                        http.Headers.Origin.ToString(),
                        clientIps.Resolve(context.Connection.RemoteIpAddress, http.Headers["X-Forwarded-For"].ToString()),
                        http.Headers.UserAgent.ToString(),
                        http.Headers["DNT"] == "1" || http.Headers["Sec-GPC"] == "1"),
                    cancellationToken);
            return Answer(context, outcome);
        }
        finally
        {
            metrics.IngestDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private static IResult Answer(HttpContext context, IngestOutcome outcome)
    {
        var headers = context.Response.Headers;
        // Only an origin the ingestor accepted reaches a 202; a refusal is shown to any origin, because the tracker must
        // read it (403: stop; 429/503: when to retry), or it would take it for a network error.
        if (context.Request.Headers.Origin.ToString() is { Length: > 0 } origin)
        {
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlExposeHeaders = outcome.Error is null ? DroppedHeader : "Retry-After";
            headers.Vary = "Origin";
        }

        if (outcome.Error is { } error)
        {
            if (error.RetryAfterSeconds is { } retry)
            {
                headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            return TypedResults.Problem(statusCode: error.Status, title: error.Title, detail: error.Detail);
        }

        if (outcome.DroppedByReason.Count > 0)
        {
            headers[DroppedHeader] = string.Join(", ", outcome.DroppedByReason.Select(kv => $"{kv.Key.WireName()}={kv.Value}"));
        }

        return TypedResults.Json(new IngestResult(outcome.Accepted, outcome.Dropped), statusCode: StatusCodes.Status202Accepted);
    }

    /// <summary>CORS preflight: it carries no key, so the origin is checked against every site's domains.</summary>
    public static async Task<Results<NoContent, ProblemHttpResult>> Preflight(
        HttpContext context, SiteCache sites, CancellationToken cancellationToken)
    {
        var origin = context.Request.Headers.Origin.ToString();
        var host = OriginRules.OriginHost(origin);
        if (host is null || !await sites.IsAnySiteOriginAsync(host, cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Origin not allowed",
                detail: "This origin is not a domain of any LiveInsight site.");
        }

        var headers = context.Response.Headers;
        headers.AccessControlAllowOrigin = origin;
        headers.AccessControlAllowMethods = "POST";
        headers.AccessControlAllowHeaders = $"Content-Type, {KeyHeader}";
        headers.AccessControlMaxAge = "86400";
        headers.Vary = "Origin";
        return TypedResults.NoContent();
    }
}

public sealed record IngestResult(int Accepted, int Dropped);
