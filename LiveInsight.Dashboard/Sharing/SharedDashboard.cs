using LiveInsight.Dashboard.Proxy;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Dashboard.Sharing;

/// <summary>
/// The public side of a share link, no sign-in: <c>/share/{token}</c> is the dashboard page (the front end switches to
/// read-only mode), <c>/share/{token}/site</c> names the site, and <c>/share/{token}/api/{realtime|stats}/{report}</c>,
/// <c>POST /share/{token}/api/v2/query</c> (the filtered view), <c>/share/{token}/api/sites/{siteId}/goals</c>, the
/// funnels (<c>GET …/funnels</c>, <c>POST …/funnels/{funnelId}/query</c>) and <c>POST …/cohorts/query</c> are forwarded to the Api for the link's site only, with the admin token added on the server. An unknown, replaced
/// or revoked token is 404 everywhere. Nothing is indexed by search engines or leaks the URL as a referrer.
/// </summary>
public static class SharedDashboard
{
    public const string Prefix = "/share";

    /// <summary>Longer than any report name the Api has; a longer one is refused here rather than sent on.</summary>
    public const int MaxReportLength = 40;

    public static RouteGroupBuilder MapSharedDashboard(this IEndpointRouteBuilder app)
    {
        var shared = app.MapGroup(Prefix + "/{token}").AllowAnonymous().WithTags("Sharing")
            .AddEndpointFilter<TokenLookupLimitFilter>()
            .AddEndpointFilter(async (context, next) =>
            {
                var response = context.HttpContext.Response;
                response.OnStarting(() =>
                {
                    response.Headers["Referrer-Policy"] = "no-referrer";
                    response.Headers["X-Robots-Tag"] = "noindex, nofollow";
                    return Task.CompletedTask;
                });
                return await next(context);
            });
        shared.MapGet("", Page).WithName("SharedDashboard").WithSummary("The read-only dashboard of the link's site");
        shared.MapGet("/site", Site).WithName("SharedSite").WithSummary("The link's site: id and name");
        shared.MapGet("/api/{area}/{report}", ForwardAsync).WithName("SharedApi")
            .WithSummary("The Api's realtime or stats report of the link's site, read with the admin token on the server");
        shared.MapPost("/api/v2/query", QueryAsync).WithName("SharedQuery")
            .WithSummary("A Stats API v2 query of the link's site (the filtered dashboard), read with the admin token on the server");
        shared.MapGet("/api/sites/{siteId}/goals", GoalsAsync).WithName("SharedGoals")
            .WithSummary("The goals of the link's site (the dashboard's goal panel), read with the admin token on the server");
        shared.MapGet("/api/sites/{siteId}/funnels", FunnelsAsync).WithName("SharedFunnels")
            .WithSummary("The funnels of the link's site (the funnel view's picker), read with the admin token on the server");
        shared.MapPost("/api/sites/{siteId}/funnels/{funnelId}/query", FunnelQueryAsync).WithName("SharedFunnelQuery")
            .WithSummary("A funnel's answer for the link's site (the funnel view), read with the admin token on the server");
        shared.MapPost("/api/sites/{siteId}/cohorts/query", CohortsQueryAsync).WithName("SharedCohortsQuery")
            .WithSummary("The retention cohorts of the link's site (the cohort grid), read with the admin token on the server");
        return shared;
    }

    public static async Task<IResult> Page(HttpContext context, string token, ShareLinks links, IWebHostEnvironment env, CancellationToken ct)
    {
        context.Response.Headers.CacheControl = "no-store";
        return await links.FindSiteAsync(token, context, ct) is null
            ? TypedResults.Content(GonePage, "text/html; charset=utf-8", statusCode: StatusCodes.Status404NotFound)
            : TypedResults.PhysicalFile(Path.Combine(env.WebRootPath, "app.html"), "text/html; charset=utf-8");
    }

    public static async Task<Results<Ok<SharedSite>, ProblemHttpResult>> Site(
        HttpContext context, string token, ShareLinks links, ApiSites sites, CancellationToken ct)
    {
        context.Response.Headers.CacheControl = "no-store";
        var siteId = await links.FindSiteAsync(token, context, ct);
        return siteId is not null && await sites.NameOfAsync(siteId, ct) is { } name
            ? TypedResults.Ok(new SharedSite(siteId, name))
            : NotFound();
    }

    public static async Task<IResult> ForwardAsync(
        HttpContext context, string token, string area, string report, ShareLinks links, ShareForwarder forwarder, CancellationToken ct)
    {
        // Realtime and stats only; the report is one short segment of lower-case words (summary, utm-sources, stream…):
        // no dots, no encoded slashes, so the path rebuilt for the Api cannot climb out of its area.
        if (area is not ("realtime" or "stats") || report.Length > MaxReportLength || !report.All(c => char.IsAsciiLetterLower(c) || c == '-'))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: "There is no such report: a link reads realtime/… or stats/… reports, named in lower case.");
        }

        if (await links.FindSiteAsync(token, context, ct) is not { } siteId
            || ShareTransformer.ForSite(context.Request.Query, siteId) is not { } query)
        {
            return NotFound();
        }

        return await forwarder.ForwardAsync(context, token, siteId, $"/api/{area}/{report}", query, ct)
            ? TypedResults.Empty
            : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The Api cannot be reached");
    }

    /// <summary>A filtered shared dashboard's query: the body is read once as <see cref="CanonicalJson"/>, must name the
    /// link's site as <c>site_id</c> (any other is 404, as for the reports), and exactly those bytes go to the Api.</summary>
    public static async Task<IResult> QueryAsync(HttpContext context, string token, ShareLinks links, ShareForwarder forwarder, CancellationToken ct)
    {
        if (await links.FindSiteAsync(token, context, ct) is not { } siteId)
        {
            return NotFound();
        }

        var (json, problem) = await CanonicalJson.ReadAsync(context.Request, ct);
        if (json is null)
        {
            return problem!;
        }

        if (json.String("site_id") != siteId)
        {
            return NotFound();
        }

        json.Forward(context.Request);
        return await forwarder.ForwardAsync(context, token, siteId, "/api/v2/query", QueryString.Empty, ct)
            ? TypedResults.Empty
            : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The Api cannot be reached");
    }

    /// <summary>The link's site's goals (read only; another site's are 404). The query string is not forwarded.</summary>
    public static Task<IResult> GoalsAsync(HttpContext context, string token, string siteId, ShareLinks links, ShareForwarder forwarder, CancellationToken ct) =>
        SiteListAsync(context, token, siteId, "goals", links, forwarder, ct);

    /// <summary>The link's site's funnels (names and steps, read only; another site's are 404).</summary>
    public static Task<IResult> FunnelsAsync(HttpContext context, string token, string siteId, ShareLinks links, ShareForwarder forwarder, CancellationToken ct) =>
        SiteListAsync(context, token, siteId, "funnels", links, forwarder, ct);

    /// <summary>A list the Api keeps under <c>/api/sites/{siteId}/{list}</c>, for the link's own site only.</summary>
    private static async Task<IResult> SiteListAsync(
        HttpContext context, string token, string siteId, string list, ShareLinks links, ShareForwarder forwarder, CancellationToken ct)
    {
        if (await links.FindSiteAsync(token, context, ct) is not { } linked || linked != siteId)
        {
            return NotFound();
        }

        return await ForwardedAsync(forwarder.ForwardAsync(context, token, linked, $"/api/sites/{Uri.EscapeDataString(linked)}/{list}", QueryString.Empty, ct));
    }

    /// <summary>A funnel's answer for the link's site: the funnel id is one short segment of id characters (anything else
    /// is 404 here, so the rebuilt path cannot leave the site's funnels), the body is read once as
    /// <see cref="CanonicalJson"/> (bounded, one meaning) and exactly those bytes go on.</summary>
    public static async Task<IResult> FunnelQueryAsync(
        HttpContext context, string token, string siteId, string funnelId, ShareLinks links, ShareForwarder forwarder, CancellationToken ct)
    {
        if (!LiveInsight.Core.Sites.Funnel.IsWellFormedId(funnelId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found", detail: "There is no such funnel.");
        }

        return await ReadBodyAsync(context, token, siteId, links, forwarder,
            linked => $"/api/sites/{Uri.EscapeDataString(linked)}/funnels/{funnelId}/query", ct);
    }

    /// <summary>The cohort grid of the link's site; the body as for a funnel's answer.</summary>
    public static Task<IResult> CohortsQueryAsync(
        HttpContext context, string token, string siteId, ShareLinks links, ShareForwarder forwarder, CancellationToken ct) =>
        ReadBodyAsync(context, token, siteId, links, forwarder, linked => $"/api/sites/{Uri.EscapeDataString(linked)}/cohorts/query", ct);

    private static async Task<IResult> ReadBodyAsync(
        HttpContext context, string token, string siteId, ShareLinks links, ShareForwarder forwarder, Func<string, string> apiPath, CancellationToken ct)
    {
        if (await links.FindSiteAsync(token, context, ct) is not { } linked || linked != siteId)
        {
            return NotFound();
        }

        var (json, problem) = await CanonicalJson.ReadAsync(context.Request, ct);
        if (json is null)
        {
            return problem!;
        }

        json.Forward(context.Request);
        return await ForwardedAsync(forwarder.ForwardAsync(context, token, linked, apiPath(linked), QueryString.Empty, ct));
    }

    private static async Task<IResult> ForwardedAsync(Task<bool> forwarding) => await forwarding
        ? TypedResults.Empty
        : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "The Api cannot be reached");

    private static ProblemHttpResult NotFound() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Not found", detail: "This link does not exist or has been revoked.");

    private const string GonePage = """
        <!doctype html>
        <html lang="en">
        <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>LiveInsight · Link not found</title><link rel="stylesheet" href="/build/app.css"></head>
        <body class="min-h-screen bg-slate-100 text-slate-900">
          <main class="mx-auto mt-16 max-w-sm rounded-lg bg-white p-6 shadow">
            <h1 class="mb-2 text-xl font-semibold">Link not found</h1>
            <p>This shared dashboard does not exist or its link has been revoked. Ask the site's owner for a new link.</p>
          </main>
        </body>
        </html>
        """;
}

public sealed record SharedSite(string SiteId, string Name);
