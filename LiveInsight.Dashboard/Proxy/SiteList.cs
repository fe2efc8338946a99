using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Extensions;
using LiveInsight.Dashboard.Users;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Proxy;

/// <summary>The Api's site list as the Dashboard reads it server-side, with the admin token (<c>http://api</c> by
/// service discovery, like the proxy).</summary>
public sealed class ApiSites(HttpClient http, IMemoryCache cache, IOptions<DashboardOptions> options)
{
    /// <summary>The sites as the Api lists them (summaries: no secret key is ever in them).</summary>
    public async Task<JsonArray> ListAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/sites");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.AdminToken);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var body = await JsonNode.ParseAsync(await response.Content.ReadAsStreamAsync(cancellationToken), cancellationToken: cancellationToken);
        return body?["sites"] as JsonArray ?? [];
    }

    public async Task<bool> ExistsAsync(string siteId, CancellationToken cancellationToken) =>
        await NameOfAsync(siteId, cancellationToken) is not null;

    /// <summary>The site's name, or null when the Api has no such site. Names are cached for <see cref="NamesCacheFor"/>
    /// (a rename shows within that); a miss reloads, so a site created a moment ago is found at once. Public share pages
    /// ask this too, so anonymous traffic does not become one Api site listing per request.</summary>
    public async Task<string?> NameOfAsync(string siteId, CancellationToken cancellationToken)
    {
        if (!cache.TryGetValue(NamesCacheKey, out Dictionary<string, string>? names) || names is null || !names.ContainsKey(siteId))
        {
            names = (await ListAsync(cancellationToken)).OfType<JsonObject>()
                .ToDictionary(site => site["site_id"]!.GetValue<string>(), site => site["name"]?.GetValue<string>() ?? "", StringComparer.Ordinal);
            cache.Set(NamesCacheKey, names, NamesCacheFor);
        }

        return names.GetValueOrDefault(siteId);
    }

    public static readonly TimeSpan NamesCacheFor = TimeSpan.FromSeconds(30);

    private const string NamesCacheKey = "api-sites:names";
}

/// <summary>
/// <c>GET /proxy/api/sites</c>: only the sites the user has a role on, each with that <c>role</c> added, so the front
/// end can hide what the user may not do. Fields the Api adds later pass through; anything named like a secret does not (except times of one).
/// </summary>
public static class SiteList
{
    /// <summary>What a site's viewers get of it: enough to pick it and read it in its own time zone.</summary>
    private static readonly HashSet<string> ViewerFields = ["site_id", "name", "domains", "time_zone", "created_at"];

    public static IEndpointRouteBuilder MapSiteList(this IEndpointRouteBuilder app)
    {
        app.MapGet("/proxy/api/sites", ListMySites)
            .WithName("ListMySites")
            .WithSummary("The signed-in user's sites, each with their role (owner, admin or viewer)")
            .RequireAuthorization(Policies.Viewer);
        return app;
    }

    public static async Task<IResult> ListMySites(HttpContext context, ApiSites api, MembershipSiteRoles roles, CancellationToken ct)
    {
        JsonArray sites;
        try
        {
            sites = await api.ListAsync(ct);
        }
        catch (HttpRequestException e)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The Api is not answering", detail: e.Message);
        }

        var admin = context.User.IsInRole(Roles.Admin);
        var mine = admin ? null : await roles.RolesAsync(context.User, ct);
        var result = new JsonArray();
        foreach (var site in sites.OfType<JsonObject>())
        {
            var siteId = site["site_id"]?.GetValue<string>() ?? "";
            SiteRole? role = admin ? SiteRole.Owner : mine!.TryGetValue(siteId, out var r) ? r : null;
            if (role is null)
            {
                continue;
            }

            var copy = new JsonObject();
            foreach (var (name, value) in site)
            {
                // Times (e.g. secret_key_last_used_at) are not secrets; anything else named like one stays behind. Viewers
                // see what they need to read the numbers, not the settings (excluded addresses, limits, keys' use).
                var shown = !name.Contains("secret", StringComparison.OrdinalIgnoreCase) || name.EndsWith("_at", StringComparison.Ordinal);
                if (shown && (role > SiteRole.Viewer || ViewerFields.Contains(name)))
                {
                    copy[name] = value?.DeepClone();
                }
            }

            copy["role"] = role.Value.Name();
            result.Add(copy);
        }

        return TypedResults.Json(new JsonObject { ["sites"] = result });
    }
}
