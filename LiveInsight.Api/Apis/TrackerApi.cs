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
        var debug = File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "tracker", DebugFileName));
        app.MapGet("/" + TrackerScript.FileName, (HttpContext context) => context.Request.Query.ContainsKey("debug")
                ? GetDebugScript(context, debug)
                : GetScript(context, script))
            .WithTags("Tracker")
            .WithName("GetTrackerScript")
            .WithSummary("The tracker script (pre-compressed br/gzip, ETag, one day of caching); ?debug: its data-debug companion");
        return app;
    }

    public const string DebugFileName = "liveinsight.debug.js";

    /// <summary>The companion the tracker loads for <c>data-debug</c> (console logging of sends and drop reasons): a
    /// module import, so cross-origin readable; cached briefly, it is a set-up tool.</summary>
    public static IResult GetDebugScript(HttpContext context, byte[] debug)
    {
        var headers = context.Response.Headers;
        headers.CacheControl = "public, max-age=300";
        headers.AccessControlAllowOrigin = "*";
        headers.XContentTypeOptions = "nosniff";
        return TypedResults.Bytes(debug, ContentType);
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
