using System.Net.Http.Headers;
using LiveInsight.Dashboard.Account;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Extensions;
using LiveInsight.Dashboard.Users;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Model;
using Yarp.ReverseProxy.Transforms;

namespace LiveInsight.Dashboard.Proxy;

/// <summary>
/// The browser talks only to the Dashboard: <c>/proxy/api/…</c> is forwarded by YARP to the Api (found by service
/// discovery as <c>http://api</c>) with the admin token added here, on the server, and the acting user and their
/// masked address for the Api's audit log. Each route names the site role it needs (<see cref="SiteRoleKey"/>, checked
/// by <see cref="SiteAuthorization"/>) or is for installation administrators only; anything else is 404. Cookies, the
/// CSRF header and any actor headers the browser sent stay behind. The site list is not proxied: <see cref="SiteList"/>.
/// </summary>
public static class ApiProxy
{
    public const string Prefix = "/proxy";
    public const string ActorHeader = "X-LiveInsight-Actor";
    public const string ActorIpHeader = "X-LiveInsight-Actor-Ip";

    /// <summary>Route metadata: the least <see cref="SiteRole"/> (by name) the route needs on its site.</summary>
    public const string SiteRoleKey = "site-role";

    /// <summary>Route metadata: where the site id is, <see cref="FromQuery"/> (<c>?site_id=</c>), <see cref="FromRoute"/>
    /// (<c>{siteId}</c>) or <see cref="FromBody"/> (<c>"site_id"</c> of a JSON body, read as <see cref="CanonicalJson"/>).</summary>
    public const string SiteFromKey = "site-from";

    public const string FromQuery = "query";
    public const string FromRoute = "route";
    public const string FromBody = "body";
    private const string Cluster = "api";

    private static readonly RouteConfig[] Routes =
    [
        SiteRoute("realtime", "/proxy/api/realtime/{**rest}", SiteRole.Viewer, FromQuery, "GET"),
        SiteRoute("stats", "/proxy/api/stats/{**rest}", SiteRole.Viewer, FromQuery, "GET"),
        SiteRoute("query", "/proxy/api/v2/query", SiteRole.Viewer, FromBody, "POST"),
        AdminRoute("sites-create", "/proxy/api/sites", "POST"),
        SiteRoute("sites-update", "/proxy/api/sites/{siteId}", SiteRole.Admin, FromRoute, "PATCH"),
        SiteRoute("sites-rotate-keys", "/proxy/api/sites/{siteId}/rotate-keys", SiteRole.Admin, FromRoute, "POST"),
        SiteRoute("sites-revoke-retired-keys", "/proxy/api/sites/{siteId}/retired-keys", SiteRole.Admin, FromRoute, "DELETE"),
        // The data lifecycle (issue 18): only the site's owner deletes, erases, resets or exports it.
        SiteRoute("sites-delete", "/proxy/api/sites/{siteId}", SiteRole.Owner, FromRoute, "DELETE"),
        SiteRoute("sites-reset", "/proxy/api/sites/{siteId}/reset", SiteRole.Owner, FromRoute, "POST"),
        SiteRoute("sites-erase", "/proxy/api/sites/{siteId}/erase", SiteRole.Owner, FromRoute, "POST"),
        SiteRoute("sites-export", "/proxy/api/sites/{siteId}/export", SiteRole.Owner, FromRoute, "GET"),
        SiteRoute("imports", "/proxy/api/sites/{siteId}/imports", SiteRole.Admin, FromRoute, "GET", "POST"),
        SiteRoute("imports-delete", "/proxy/api/sites/{siteId}/imports/{importId}", SiteRole.Admin, FromRoute, "DELETE"),
        // Goals (issue 17): every reader of the site sees them (the dashboard's goal panel); its admins add and delete them.
        SiteRoute("goals-list", "/proxy/api/sites/{siteId}/goals", SiteRole.Viewer, FromRoute, "GET"),
        SiteRoute("goals-create", "/proxy/api/sites/{siteId}/goals", SiteRole.Admin, FromRoute, "POST"),
        SiteRoute("goals-delete", "/proxy/api/sites/{siteId}/goals/{goalId}", SiteRole.Admin, FromRoute, "DELETE"),
        // Funnels (issue 18): every reader of the site sees them and their answers (the funnel view); its admins change them.
        SiteRoute("funnels-list", "/proxy/api/sites/{siteId}/funnels", SiteRole.Viewer, FromRoute, "GET"),
        SiteRoute("funnels-create", "/proxy/api/sites/{siteId}/funnels", SiteRole.Admin, FromRoute, "POST"),
        SiteRoute("funnels-change", "/proxy/api/sites/{siteId}/funnels/{funnelId}", SiteRole.Admin, FromRoute, "PUT", "DELETE"),
        SiteRoute("funnels-query", "/proxy/api/sites/{siteId}/funnels/{funnelId}/query", SiteRole.Viewer, FromRoute, "POST"),
        // Retention cohorts (issue 18): a read, like /api/v2/query, so every reader of the site may ask.
        SiteRoute("cohorts", "/proxy/api/sites/{siteId}/cohorts/query", SiteRole.Viewer, FromRoute, "POST"),
        // Alerts and reports: Admin even to read, because rules hold webhook URLs (a Slack or Discord webhook URL is
        // itself a credential) and recipients' addresses, and the delivery log repeats both.
        SiteRoute("alerts-list", "/proxy/api/sites/{siteId}/alerts", SiteRole.Admin, FromRoute, "GET"),
        SiteRoute("alerts-create", "/proxy/api/sites/{siteId}/alerts", SiteRole.Admin, FromRoute, "POST"),
        SiteRoute("alerts-change", "/proxy/api/sites/{siteId}/alerts/{ruleId}", SiteRole.Admin, FromRoute, "PUT", "DELETE"),
        SiteRoute("alerts-deliveries", "/proxy/api/sites/{siteId}/alerts/deliveries", SiteRole.Admin, FromRoute, "GET"),
        SiteRoute("reports", "/proxy/api/sites/{siteId}/reports", SiteRole.Admin, FromRoute, "GET", "POST"),
        SiteRoute("reports-delete", "/proxy/api/sites/{siteId}/reports/{reportId}", SiteRole.Admin, FromRoute, "DELETE"),
        // The installation check (issue 23): Admin, like the settings it sits in; it shows visitors' user agents of bots.
        SiteRoute("installation", "/proxy/api/sites/{siteId}/installation", SiteRole.Admin, FromRoute, "GET"),
    ];

    public static IHostApplicationBuilder AddApiProxy(this IHostApplicationBuilder builder)
    {
        foreach (var route in Routes)
        {
            // Fail closed: a route that says neither which site role it needs nor that it is for administrators only
            // would be open to every signed-in user.
            if (route.AuthorizationPolicy != Policies.Admin && route.Metadata?.ContainsKey(SiteRoleKey) != true)
            {
                throw new InvalidOperationException($"Proxy route '{route.RouteId}' needs a site role or the admin policy.");
            }
        }

        var clusters = new[]
        {
            new ClusterConfig
            {
                ClusterId = Cluster,
                Destinations = new Dictionary<string, DestinationConfig> { ["api"] = new() { Address = "http://api" } },
                // The realtime stream is long-lived: a snapshot arrives every 2 s, so a minute of silence means trouble.
                HttpRequest = new() { ActivityTimeout = TimeSpan.FromMinutes(1) },
            },
        };
        builder.Services.AddReverseProxy()
            .LoadFromMemory(Routes, clusters)
            .AddServiceDiscoveryDestinationResolver()
            .AddTransforms(context => context.AddRequestTransform(transform =>
            {
                var http = transform.HttpContext;
                var token = http.RequestServices.GetRequiredService<IOptions<DashboardOptions>>().Value.AdminToken;
                var headers = transform.ProxyRequest.Headers;
                headers.Remove("Cookie");
                headers.Remove(Security.CsrfHeader);
                headers.Remove(ActorHeader);
                headers.Remove(ActorIpHeader);
                headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
                headers.TryAddWithoutValidation(ActorHeader, HeaderSafe(AuditTrail.Actor(http)));
                headers.TryAddWithoutValidation(ActorIpHeader, http.RequestServices.GetRequiredService<AuditTrail>().MaskedIp(http));
                return ValueTask.CompletedTask;
            }));
        return builder;
    }

    public static IEndpointRouteBuilder MapApiProxy(this IEndpointRouteBuilder app)
    {
        app.MapSiteList();
        app.MapReverseProxy(proxy =>
        {
            proxy.Use(async (context, next) =>
            {
                if (!await CsrfFilter.IsValidAsync(context))
                {
                    await CsrfFilter.Refused().ExecuteAsync(context);
                    return;
                }

                if ((AmbiguousSite(context) ?? await BodySiteAsync(context) ?? await AuthorizeSiteAsync(context) ?? await InstallationOnlySettingsAsync(context)) is { } denied)
                {
                    await denied.ExecuteAsync(context);
                    return;
                }

                // Reads may run for as long as a page stays open (the realtime stream): they end when the role does.
                if (HttpMethods.IsGet(context.Request.Method) && SiteRequirement(context) is { } site)
                {
                    await RoleWatch.WhileAllowedAsync(context, site.SiteId, site.Required, () => next());
                    return;
                }

                await next();
            });
            proxy.UseSessionAffinity();
            proxy.UseLoadBalancing();
            proxy.UsePassiveHealthChecks();
        });
        return app;
    }

    private static Task<IResult?> AuthorizeSiteAsync(HttpContext context)
    {
        var metadata = context.GetReverseProxyFeature().Route.Config.Metadata;
        return RequiredRole(metadata) is { } required
            ? SiteAuthorization.CheckAsync(context, SiteIdOf(context, metadata!), required)
            : Task.FromResult<IResult?>(null); // an administrators-only route: the route's policy has decided
    }

    /// <summary>The site and role a site route needs; null for administrators-only routes.</summary>
    private static (string SiteId, SiteRole Required)? SiteRequirement(HttpContext context)
    {
        var metadata = context.GetReverseProxyFeature().Route.Config.Metadata;
        return RequiredRole(metadata) is { } required && SiteIdOf(context, metadata!) is { Length: > 0 } siteId ? (siteId, required) : null;
    }

    private static SiteRole? RequiredRole(IReadOnlyDictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(SiteRoleKey, out var name) && SiteRoleNames.TryParse(name, out var role) ? role : null;

    private static string? SiteIdOf(HttpContext context, IReadOnlyDictionary<string, string> metadata) => metadata[SiteFromKey] switch
    {
        FromQuery => context.Request.Query["site_id"].ToString(),
        FromBody => context.Items[BodySiteKey] as string,
        _ => context.Request.RouteValues["siteId"] as string,
    };

    private static readonly object BodySiteKey = new();

    /// <summary>For a route whose site is in its JSON body: reads the body once as <see cref="CanonicalJson"/> (one
    /// object, no name given twice in any spelling), takes its <c>site_id</c> for the role check and forwards exactly
    /// those bytes, so the Api reads the site that was authorized.</summary>
    private static async Task<IResult?> BodySiteAsync(HttpContext context)
    {
        if (context.GetReverseProxyFeature().Route.Config.Metadata?.GetValueOrDefault(SiteFromKey) != FromBody)
        {
            return null;
        }

        var (json, problem) = await CanonicalJson.ReadAsync(context.Request, context.RequestAborted);
        if (json is null)
        {
            return problem;
        }

        context.Items[BodySiteKey] = json.String("site_id");
        json.Forward(context.Request);
        return null;
    }

    /// <summary>The role check and the Api must read the same site: <c>?site_id=a&amp;site_id=b</c> (in any spelling of
    /// the name, query keys ignore case) is refused rather than left to how each side joins or picks values.</summary>
    private static IResult? AmbiguousSite(HttpContext context) =>
        context.Request.Query.TryGetValue("site_id", out var values) && values.Count > 1
            ? TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Ambiguous site_id",
                detail: "Give site_id once.")
            : null;

    /// <summary>Settings that protect the installation rather than the site: site admins may not change them.</summary>
    public static readonly string[] InstallationOnlySettings = ["rate_limit_per_minute"];

    /// <summary>A site admin who is not an installation administrator may change a site's settings, but not its ingestion
    /// rate limit: the shared Redis and Api are protected by it, so raising it is the installation's decision. The check
    /// reads the body the way the Api binds it and the Api gets that same reading (<see cref="CanonicalJson"/>), so no
    /// spelling of the name (other case, escapes, given twice) slips past.</summary>
    private static async Task<IResult?> InstallationOnlySettingsAsync(HttpContext context)
    {
        if (context.GetReverseProxyFeature().Route.Config.RouteId != "sites-update")
        {
            return null;
        }

        var (json, problem) = await CanonicalJson.ReadAsync(context.Request, context.RequestAborted);
        if (json is null)
        {
            return problem;
        }

        var named = context.User.IsInRole(Roles.Admin) ? null : InstallationOnlySettings.FirstOrDefault(json.Has);
        if (named is not null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden,
                title: "Not allowed on this site", detail: $"Only installation administrators change '{named}'.");
        }

        json.Forward(context.Request);
        return null;
    }

    /// <summary>Header values must be ASCII; an internationalised address is sent percent-encoded.</summary>
    private static string HeaderSafe(string value) => value.All(char.IsAscii) ? value : Uri.EscapeDataString(value);

    private static RouteConfig SiteRoute(string id, string path, SiteRole role, string siteFrom, params string[] methods) =>
        Route(id, path, Policies.Viewer, methods) with
        {
            Metadata = new Dictionary<string, string> { [SiteRoleKey] = role.Name(), [SiteFromKey] = siteFrom },
        };

    private static RouteConfig AdminRoute(string id, string path, params string[] methods) => Route(id, path, Policies.Admin, methods);

    private static RouteConfig Route(string id, string path, string policy, params string[] methods) => new()
    {
        RouteId = id,
        ClusterId = Cluster,
        AuthorizationPolicy = policy,
        Match = new RouteMatch { Path = path, Methods = methods },
        Transforms = [new Dictionary<string, string> { ["PathRemovePrefix"] = Prefix }],
    };
}
