using System.Diagnostics;
using System.Text;
using LiveInsight.Api.Auth;
using LiveInsight.Api.Compat;
using LiveInsight.Api.Ingestion;
using LiveInsight.Core.Privacy;
using LiveInsight.Core.Sites;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Api.Apis;

/// <summary>
/// Plausible's and Umami's trackers, unchanged, pointed at LiveInsight: <c>POST /api/event</c> (Plausible's Events API)
/// and <c>POST /api/send</c> (Umami). Each turns its body into an <see cref="IngestRequest"/> for the site it names and
/// hands it to <see cref="EventIngestor"/>, so the origin rule, bots, DNT/GPC, excluded addresses and paths, quotas,
/// caps and dedupe are exactly those of <c>POST /api/events</c>. Answers are the other product's (202 <c>ok</c>;
/// 200 <c>{"cache": …}</c>) with our drop header; refusals are our problem+json.
/// </summary>
public static class CompatApi
{
    public const string UmamiCacheHeader = "x-umami-cache";

    /// <summary>Umami's tracker sends back the token we gave it; we never read it, but a longer one is refused.</summary>
    public const int MaxUmamiCacheLength = 1024;

    public static IEndpointRouteBuilder MapCompatApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/event", PostPlausibleEvent)
            .WithTags("Compatibility")
            .WithName("PostPlausibleEvent")
            .WithSummary("Accept one event from Plausible's tracker or Events API (the site found by its domain)")
            .DisableAntiforgery();
        app.MapMethods("/api/event", ["OPTIONS"], (HttpContext context, SiteCache sites, CancellationToken ct) =>
                Preflight(context, sites, "Content-Type", ct))
            .WithTags("Compatibility")
            .WithName("PreflightPlausibleEvent")
            .ExcludeFromDescription();
        app.MapPost("/api/send", PostUmamiSend)
            .WithTags("Compatibility")
            .WithName("PostUmamiSend")
            .WithSummary("Accept one event from Umami's tracker or Node client (the site found by its Umami website id)")
            .DisableAntiforgery();
        app.MapMethods("/api/send", ["OPTIONS"], (HttpContext context, SiteCache sites, CancellationToken ct) =>
                Preflight(context, sites, $"Content-Type, {UmamiCacheHeader}", ct))
            .WithTags("Compatibility")
            .WithName("PreflightUmamiSend")
            .ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Plausible: <c>domain</c> may name several sites (comma-separated); the event is ingested for each known one
    /// that accepts Plausible's tracker. Unknown domains are dropped with 202, as Plausible does; a site that turned
    /// the tracker off answers 403 (when it is the only one named).
    /// </summary>
    public static async Task<IResult> PostPlausibleEvent(
        HttpContext context, EventIngestor ingestor, SiteCache sites, ClientIpResolver clientIps, LiveInsightMetrics metrics,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var (body, readError) = await CompatBody.ReadAsync(context.Request, cancellationToken);
            if (readError is not null)
            {
                return Refuse(context, readError.Status, readError.Title, readError.Detail);
            }

            var (plausible, parseError) = PlausibleEvent.Parse(body);
            if (parseError is not null)
            {
                return Refuse(context, parseError.Status, parseError.Title, parseError.Detail);
            }

            var targets = new List<Site>();
            var drops = new Dictionary<string, int>();
            foreach (var domain in plausible!.Domains)
            {
                var site = await sites.FindByCompatIdAsync(CompatId.PlausibleDomain, domain, cancellationToken);
                if (site is null)
                {
                    Count(drops, "unknown_domain");
                }
                else if (!site.AcceptPlausible)
                {
                    Count(drops, "plausible_off");
                }
                else if (targets.TrueForAll(t => t.SiteId != site.SiteId))
                {
                    targets.Add(site);
                }
            }

            if (targets.Count == 0 && drops.ContainsKey("plausible_off"))
            {
                return Refuse(context, StatusCodes.Status403Forbidden, "Plausible tracker off",
                    "This site does not accept Plausible's tracker; turn on accept_plausible in its settings.");
            }

            foreach (var site in targets)
            {
                // One event a request, without an id: each ingestion generates one (a retry is a new event).
                var batch = new IncomingBatch { Events = [plausible.ToIncomingEvent()], HashRouting = plausible.HashRouting };
                if (await IngestAsync(context, ingestor, clientIps, batch, site, drops, cancellationToken) is { } refused)
                {
                    return refused;
                }
            }

            Accepted(context, drops);
            return TypedResults.Text("ok", "text/plain", Encoding.UTF8, StatusCodes.Status202Accepted);
        }
        finally
        {
            metrics.IngestDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>Umami: the site is found by <c>payload.website</c>; <c>type: "identify"</c> is answered and ignored.</summary>
    public static async Task<IResult> PostUmamiSend(
        HttpContext context, EventIngestor ingestor, SiteCache sites, ClientIpResolver clientIps, LiveInsightMetrics metrics,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            if (context.Request.Headers[UmamiCacheHeader].ToString().Length > MaxUmamiCacheLength)
            {
                return Refuse(context, StatusCodes.Status400BadRequest, "Invalid event",
                    $"The {UmamiCacheHeader} header is longer than {MaxUmamiCacheLength} characters.");
            }

            var (body, readError) = await CompatBody.ReadAsync(context.Request, cancellationToken);
            if (readError is not null)
            {
                return Refuse(context, readError.Status, readError.Title, readError.Detail);
            }

            var (send, parseError) = UmamiSend.Parse(body);
            if (parseError is not null)
            {
                return Refuse(context, parseError.Status, parseError.Title, parseError.Detail);
            }

            var websiteId = send!.Payload!.Website!;
            if (await sites.FindByCompatIdAsync(CompatId.UmamiWebsiteId, websiteId, cancellationToken) is not { } site)
            {
                return Refuse(context, StatusCodes.Status404NotFound, "Unknown website",
                    "No site has this Umami website id; it is shown in the site's settings.");
            }

            var drops = new Dictionary<string, int>();
            if (send.Type == "identify")
            {
                Count(drops, "identify");
            }
            else
            {
                var batch = new IncomingBatch { Events = [send.ToIncomingEvent(site.Domains.Count > 0 ? site.Domains[0] : "")] };
                if (await IngestAsync(context, ingestor, clientIps, batch, site, drops, cancellationToken) is { } refused)
                {
                    return refused;
                }
            }

            Accepted(context, drops);
            return TypedResults.Json(new UmamiAnswer(UmamiCacheToken(websiteId, time.GetUtcNow())), CompatJsonContext.Default.UmamiAnswer);
        }
        finally
        {
            metrics.IngestDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>
    /// A well-formed token in the shape Umami's own has (a JWT), unsecured (<c>alg: none</c>, empty signature): Umami's
    /// tracker only stores it and sends it back, and we read nothing from it, so there is nothing to sign.
    /// </summary>
    public static string UmamiCacheToken(string websiteId, DateTimeOffset now)
    {
        static string Part(string json) => Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes(json));
        return Part("""{"alg":"none","typ":"JWT"}""") + "."
            + Part($$"""{"websiteId":"{{websiteId}}","iat":{{now.ToUnixTimeSeconds()}}}""") + ".";
    }

    /// <summary>One body through our own ingestion for one site: the refusal to answer with, or null with the drops
    /// counted into <paramref name="drops"/>.</summary>
    private static async Task<IResult?> IngestAsync(
        HttpContext context, EventIngestor ingestor, ClientIpResolver clientIps, IncomingBatch batch, Site site,
        Dictionary<string, int> drops, CancellationToken cancellationToken)
    {
        var outcome = await ingestor.IngestAsync(Request(context, clientIps, batch, site), cancellationToken);
        if (outcome.Error is { } error)
        {
            return Refuse(context, error.Status, error.Title, error.Detail, error.RetryAfterSeconds);
        }

        foreach (var (reason, count) in outcome.DroppedByReason)
        {
            Count(drops, reason.WireName(), count);
        }

        return null;
    }

    private static IngestRequest Request(HttpContext context, ClientIpResolver clientIps, IncomingBatch batch, Site site)
    {
        var http = context.Request;
        return new IngestRequest(
            batch,
            "",
            http.Headers.Origin.ToString(),
            clientIps.Resolve(context.Connection.RemoteIpAddress, http.Headers["X-Forwarded-For"].ToString()),
            http.Headers.UserAgent.ToString(),
            http.Headers["DNT"] == "1" || http.Headers["Sec-GPC"] == "1")
        {
            Site = site,
            DeriveSessions = true,
        };
    }

    private static void Count(Dictionary<string, int> drops, string reason, int count = 1) =>
        drops[reason] = drops.GetValueOrDefault(reason) + count;

    /// <summary>As <c>POST /api/events</c>: the origin may read a refusal (403: stop; 429/503: when to retry).</summary>
    private static ProblemHttpResult Refuse(HttpContext context, int status, string title, string detail, int? retryAfterSeconds = null)
    {
        var headers = context.Response.Headers;
        Cors(context, "Retry-After");
        if (retryAfterSeconds is { } retry)
        {
            headers.RetryAfter = retry.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return TypedResults.Problem(statusCode: status, title: title, detail: detail);
    }

    private static void Accepted(HttpContext context, Dictionary<string, int> drops)
    {
        Cors(context, IngestApi.DroppedHeader);
        if (drops.Count > 0)
        {
            context.Response.Headers[IngestApi.DroppedHeader] = string.Join(", ", drops.Select(kv => $"{kv.Key}={kv.Value}"));
        }
    }

    private static void Cors(HttpContext context, string expose)
    {
        if (context.Request.Headers.Origin.ToString() is { Length: > 0 } origin)
        {
            var headers = context.Response.Headers;
            headers.AccessControlAllowOrigin = origin;
            headers.AccessControlExposeHeaders = expose;
            headers.Vary = "Origin";
        }
    }

    /// <summary>CORS preflight (Umami's tracker sends JSON, so browsers ask first): like <c>/api/events</c>, the origin
    /// must be a domain of some site.</summary>
    private static async Task<Results<NoContent, ProblemHttpResult>> Preflight(
        HttpContext context, SiteCache sites, string allowHeaders, CancellationToken cancellationToken)
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
        headers.AccessControlAllowHeaders = allowHeaders;
        headers.AccessControlMaxAge = "86400";
        headers.Vary = "Origin";
        return TypedResults.NoContent();
    }
}
