using LiveInsight.Api.Tracker;

namespace LiveInsight.Api.Apis;

public static class TrackerApi
{
    public const string ContentType = "text/javascript; charset=utf-8";

    /// <summary>
    /// One day fresh, then served stale for up to a week while revalidated (a 304 by ETag): the URL is not versioned
    /// (the script tag is fixed on customers' sites), so a far-future max-age would freeze a fix for months.
    /// </summary>
    public const string CacheControl = "public, max-age=86400, stale-while-revalidate=604800";

    public static IEndpointRouteBuilder MapTrackerApi(this IEndpointRouteBuilder app)
    {
        var script = TrackerScript.Load(Path.Combine(AppContext.BaseDirectory, "tracker"));
        app.MapGet("/" + TrackerScript.FileName, (HttpContext context) => GetScript(context, script))
            .WithTags("Tracker")
            .WithName("GetTrackerScript")
            .WithSummary("The tracker script (pre-compressed br/gzip, ETag, one day of caching)");
        return app;
    }

    public static IResult GetScript(HttpContext context, TrackerScript script)
    {
        var variant = script.Select(context.Request.Headers.AcceptEncoding);
        var headers = context.Response.Headers;
        headers.CacheControl = CacheControl;
        headers.ETag = variant.ETag;
        headers.Vary = "Accept-Encoding";
        headers.AccessControlAllowOrigin = "*";
        headers.XContentTypeOptions = "nosniff";
        if (script.IsCurrent(context.Request.Headers.IfNoneMatch))
        {
            return TypedResults.StatusCode(StatusCodes.Status304NotModified);
        }

        if (variant.Encoding is not null)
        {
            headers.ContentEncoding = variant.Encoding;
        }

        return TypedResults.Bytes(variant.Body, ContentType);
    }
}
