using LiveInsight.Api.Auth;
using LiveInsight.Api.Ingestion;
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

    public static async Task<IResult> PostEvents(HttpContext context, EventIngestor ingestor, CancellationToken cancellationToken)
    {
        var outcome = await ingestor.IngestAsync(context, cancellationToken);
        if (outcome.Error is { } error)
        {
            if (error.RetryAfterSeconds is { } retry)
            {
                context.Response.Headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            // The tracker must read a refusal (403: stop; 429/503: when to retry), or it would take it for a network error.
            if (context.Request.Headers.Origin.ToString() is { Length: > 0 } origin)
            {
                context.Response.Headers.AccessControlAllowOrigin = origin;
                context.Response.Headers.AccessControlExposeHeaders = "Retry-After";
                context.Response.Headers.Vary = "Origin";
            }

            return TypedResults.Problem(statusCode: error.Status, title: error.Title, detail: error.Detail);
        }

        if (outcome.DroppedByReason.Count > 0)
        {
            context.Response.Headers[DroppedHeader] =
                string.Join(", ", outcome.DroppedByReason.Select(kv => $"{kv.Key.WireName()}={kv.Value}"));
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
