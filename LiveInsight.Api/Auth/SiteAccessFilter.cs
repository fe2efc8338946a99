using LiveInsight.Api.Extensions;
using System.Globalization;
using System.Net;
using LiveInsight.Core.Accounts;
using LiveInsight.Core.Privacy;
using LiveInsight.Core.Sites;
using Microsoft.Extensions.Options;

namespace LiveInsight.Api.Auth;

/// <summary>
/// Read-side access to one site (<c>?site_id=</c>): the site's secret key as bearer reads that site only; the admin
/// token (the Dashboard's server-side proxy) reads any; a person's API token (<c>li_pat_</c>) reads the sites it names
/// while its owner may (<see cref="PersonalTokenAccess"/>). Another site's id answers 404,
/// exactly like an unknown one, so ids cannot be probed; no or bad credentials answer 401. Shapes are checked before
/// any lookup (a malformed key or site id costs no cache entry and no DynamoDB read), unknown keys and ids are cached
/// as null, and a secret key missing from the cache is looked up only within the client network's lookup limit (429).
/// </summary>
internal sealed class SiteAccessFilter(
    SiteCache access, Sites.KeyUsage keyUsage, ClientIpResolver clientIps, PersonalTokenAccess personalTokens, IOptions<ApiOptions> options)
    : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        return await AuthorizeAsync(http, http.Request.Query["site_id"].ToString(), "with ?site_id=") ?? await next(context);
    }

    /// <summary>Admits the request for <paramref name="siteId"/> (then <see cref="SiteAccessExtensions.Site"/> is set) or
    /// returns the problem to answer with. <paramref name="where"/> says where a missing site id should be given.</summary>
    /// <param name="changes">The request changes the site: a personal token needs the admin scope (secret keys and the
    /// admin token may change what their routes allow, as before).</param>
    public async ValueTask<object?> AuthorizeAsync(HttpContext http, string? siteId, string where, bool changes = false)
    {
        var token = AdminTokenFilter.BearerToken(http.Request);
        if (token is null)
        {
            return Unauthorized(http, "Send the site's secret key (or a personal API token, or the admin token) as 'Authorization: Bearer sk_…'.");
        }

        if (token.StartsWith(PersonalTokens.Prefix, StringComparison.Ordinal))
        {
            return await AuthorizePersonalToken(http, token, siteId, where, changes);
        }

        var admin = SiteKeys.SecretEquals(token, options.Value.AdminToken);
        if (!admin && !SiteKeys.IsWellFormedSecretKey(token))
        {
            return Unauthorized(http, $"Malformed key: this is not a valid secret key ('{SiteKeys.SecretPrefix}' followed by 43 letters, digits, '-' or '_').");
        }

        if (string.IsNullOrEmpty(siteId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing site_id",
                detail: $"Say which site to read {where}.");
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
        return null;
    }

    private async ValueTask<object?> AuthorizePersonalToken(HttpContext http, string token, string? siteId, string where, bool changes)
    {
        if (!PersonalTokens.IsWellFormed(token))
        {
            return Unauthorized(http, $"Malformed token: this is not a valid personal token ('{PersonalTokens.Prefix}' followed by 43 letters, digits, '-' or '_').");
        }

        if (string.IsNullOrEmpty(siteId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing site_id", detail: $"Say which site to read {where}.");
        }

        if (!SiteKeys.IsWellFormedSiteId(siteId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Site not found",
                detail: $"There is no site with this id: site_id is not a site id (those are {SiteKeys.SiteIdLength} lower-case letters and digits).");
        }

        var client = clientIps.Resolve(http.Connection.RemoteIpAddress, http.Request.Headers["X-Forwarded-For"].ToString());
        return await personalTokens.AuthorizeAsync(http, token, siteId, changes, client);
    }

    private static object Unauthorized(HttpContext http, string detail)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail);
    }
}

public static class SiteAccessExtensions
{
    /// <summary>The site <see cref="SiteAccessFilter"/> admitted the request for.</summary>
    public static Site Site(this HttpContext context) => (Site)context.Items[typeof(Site)]!;
}

/// <summary><see cref="SiteAccessFilter"/> for routes that name the site in the path (<c>{siteId}</c>) rather than in
/// <c>?site_id=</c>: the same credentials, the same answers.</summary>
internal sealed class RouteSiteAccessFilter(IServiceProvider services) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var access = ActivatorUtilities.CreateInstance<SiteAccessFilter>(services);
        return await access.AuthorizeAsync(http, http.GetRouteValue("siteId") as string, "in the path",
            changes: !HttpMethods.IsGet(http.Request.Method) && !HttpMethods.IsHead(http.Request.Method)) ?? await next(context);
    }
}
