using LiveInsight.Core.Sites;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace LiveInsight.Api.Extensions;

/// <summary>
/// Read-side access to one site (<c>?site_id=</c>): the site's secret key as bearer reads that site only; the admin
/// token (the Dashboard's server-side proxy, until dashboard sessions exist) reads any. Another site's id answers 404,
/// exactly like an unknown one, so ids cannot be probed; no or bad credentials answer 401.
/// </summary>
internal sealed class SiteAccessFilter(SiteAccess access, Sites.KeyUsage keyUsage, IOptions<ApiOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var siteId = http.Request.Query["site_id"].ToString();
        var token = AdminTokenFilter.BearerToken(http.Request);
        if (token is null)
        {
            return Unauthorized(http, "Send the site's secret key (or the admin token) as 'Authorization: Bearer sk_…'.");
        }

        Site? site;
        if (SiteKeys.SecretEquals(token, options.Value.AdminToken))
        {
            site = string.IsNullOrEmpty(siteId) ? null : await access.FindByIdAsync(siteId, http.RequestAborted);
        }
        else if (token.StartsWith(SiteKeys.SecretPrefix, StringComparison.Ordinal)
                 && SiteKeys.HashSecret(token) is var hash
                 && await access.FindBySecretKeyHashAsync(hash, http.RequestAborted) is { } owned)
        {
            site = owned.SiteId == siteId ? owned : null;
            if (site is not null)
            {
                keyUsage.RecordSecretKeyUse(site.SiteId, hash);
            }
        }
        else
        {
            return Unauthorized(http, "This key is not a valid secret key.");
        }

        if (string.IsNullOrEmpty(siteId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing site_id",
                detail: "Say which site to read with ?site_id=.");
        }

        if (site is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Site not found",
                detail: $"There is no site '{siteId}' that these credentials can read.");
        }

        http.Items[typeof(Site)] = site;
        return await next(context);
    }

    private static object Unauthorized(HttpContext http, string detail)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail);
    }
}

/// <summary>Site lookups of the read side, cached for a minute (a key is hashed before it becomes a cache key).</summary>
public sealed class SiteAccess(SiteRepository sites, HybridCache cache, TimeProvider time)
{
    private static readonly HybridCacheEntryOptions Entry = new() { Expiration = TimeSpan.FromMinutes(1), LocalCacheExpiration = TimeSpan.FromMinutes(1) };

    // Creating a site clears this tag (SitesApi), so a just-created site is readable at once.
    private static readonly string[] Tags = [Ingestion.SiteResolver.AllDomainsTag];

    /// <summary>The site of a secret key, by the key's hash (computed once per request by the caller): current, or
    /// retired and still in its grace period.</summary>
    public async ValueTask<Site?> FindBySecretKeyHashAsync(string secretKeyHash, CancellationToken cancellationToken) =>
        (await cache.GetOrCreateAsync(
            $"site:sk:{secretKeyHash}",
            (sites, secretKeyHash),
            static (state, ct) => new ValueTask<Site?>(state.sites.FindBySecretKeyHashAsync(state.secretKeyHash, ct)),
            Entry,
            Tags,
            cancellationToken)).IfKeyValid(time.GetUtcNow());

    public ValueTask<Site?> FindByIdAsync(string siteId, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(
            $"site:id:{siteId}",
            (sites, siteId),
            static (state, ct) => new ValueTask<Site?>(state.sites.FindByIdAsync(state.siteId, ct)),
            Entry,
            Tags,
            cancellationToken);
}

public static class SiteAccessExtensions
{
    /// <summary>The site <see cref="SiteAccessFilter"/> admitted the request for.</summary>
    public static Site Site(this HttpContext context) => (Site)context.Items[typeof(Site)]!;
}
