using System.Globalization;
using System.Net;
using LiveInsight.Core.Privacy;
using LiveInsight.Core.Sites;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.Options;

namespace LiveInsight.Api.Extensions;

/// <summary>
/// Read-side access to one site (<c>?site_id=</c>): the site's secret key as bearer reads that site only; the admin
/// token (the Dashboard's server-side proxy, until dashboard sessions exist) reads any. Another site's id answers 404,
/// exactly like an unknown one, so ids cannot be probed; no or bad credentials answer 401. Shapes are checked before
/// any lookup (a malformed key or site id costs no cache entry and no DynamoDB read), unknown keys and ids are cached
/// as null, and a secret key missing from the cache is looked up only within the client network's lookup limit (429).
/// </summary>
internal sealed class SiteAccessFilter(SiteAccess access, Sites.KeyUsage keyUsage, ClientIpResolver clientIps, IOptions<ApiOptions> options)
    : IEndpointFilter
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

        var admin = SiteKeys.SecretEquals(token, options.Value.AdminToken);
        if (!admin && !SiteKeys.IsWellFormedSecretKey(token))
        {
            return Unauthorized(http, $"Malformed key: this is not a valid secret key ('{SiteKeys.SecretPrefix}' followed by 43 letters, digits, '-' or '_').");
        }

        if (string.IsNullOrEmpty(siteId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing site_id",
                detail: "Say which site to read with ?site_id=.");
        }

        if (!SiteKeys.IsWellFormedSiteId(siteId))
        {
            // Like an unknown id (404), but without echoing what may be kilobytes of garbage.
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Site not found",
                detail: $"There is no site with this id: site_id is not a site id (those are {SiteKeys.SiteIdLength} lower-case letters and digits).");
        }

        Site? site;
        if (admin)
        {
            site = await access.FindByIdAsync(siteId, http.RequestAborted);
        }
        else
        {
            var hash = SiteKeys.HashSecret(token);
            var client = clientIps.Resolve(http.Connection.RemoteIpAddress, http.Request.Headers["X-Forwarded-For"].ToString());
            Site? owned;
            try
            {
                owned = await access.FindBySecretKeyHashAsync(hash, client, http.RequestAborted);
            }
            catch (Ingestion.LookupLimitedException limited)
            {
                http.Response.Headers.RetryAfter = limited.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: "Too many requests with unknown keys from this network; retry later.");
            }

            if (owned is null)
            {
                return Unauthorized(http, "This key is not a valid secret key.");
            }

            site = owned.SiteId == siteId ? owned : null;
            if (site is not null)
            {
                keyUsage.RecordSecretKeyUse(site.SiteId, hash);
            }
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

/// <summary>
/// Site lookups of the read side, cached for a minute (a key is hashed before it becomes a cache key). Unknown keys and
/// ids are cached too, as null: both are random and never reused, so a cached null cannot hide a site created later
/// (creating one clears the tag anyway).
/// </summary>
public sealed class SiteAccess(SiteRepository sites, HybridCache cache, Ingestion.UnauthenticatedLimiter limiter, TimeProvider time)
{
    private static readonly HybridCacheEntryOptions Entry = new() { Expiration = TimeSpan.FromMinutes(1), LocalCacheExpiration = TimeSpan.FromMinutes(1) };

    // Creating a site clears this tag (SitesApi), so a just-created site is readable at once.
    private static readonly string[] Tags = [Ingestion.SiteResolver.AllDomainsTag];

    /// <summary>The site of a secret key, by the key's hash (computed once per request by the caller): current, or
    /// retired and still in its grace period. A cache miss asks DynamoDB only within <paramref name="client"/>'s
    /// lookup limit (else <see cref="Ingestion.LookupLimitedException"/>).</summary>
    public async ValueTask<Site?> FindBySecretKeyHashAsync(string secretKeyHash, IPAddress? client, CancellationToken cancellationToken) =>
        (await cache.GetOrCreateAsync(
            $"site:sk:{secretKeyHash}",
            (sites, secretKeyHash, limiter, client),
            static async (state, ct) =>
            {
                await state.limiter.ThrowIfOverLimitAsync(state.client);
                return await state.sites.FindBySecretKeyHashAsync(state.secretKeyHash, ct);
            },
            Entry,
            Tags,
            cancellationToken)).IfKeyValid(time.GetUtcNow());

    /// <summary>For the admin token only (trusted, and shared by every Dashboard user, so not limited per address):
    /// callers check <see cref="SiteKeys.IsWellFormedSiteId"/> first.</summary>
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
