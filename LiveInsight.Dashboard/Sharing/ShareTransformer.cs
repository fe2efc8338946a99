using System.Net.Http.Headers;
using LiveInsight.Dashboard.Extensions;
using Yarp.ReverseProxy.Forwarder;

namespace LiveInsight.Dashboard.Sharing;

/// <summary>
/// Turns a shared dashboard's data call into an Api call: the path is rebuilt from the checked area and report (so
/// nothing but <c>/api/realtime/*</c> and <c>/api/stats/*</c> can be reached), the site is the link's, and the admin
/// token is added here. What the browser sent that the Api must not see (cookies, the CSRF header, the Referer that
/// would carry the token) stays behind; nothing the Api sets as a cookie reaches the browser.
/// </summary>
public sealed class ShareTransformer(string apiPath, QueryString query, string adminToken) : HttpTransformer
{
    public override async ValueTask TransformRequestAsync(
        HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);
        var headers = proxyRequest.Headers;
        headers.Remove("Cookie");
        headers.Remove("Referer");
        headers.Remove(Security.CsrfHeader);
        // Anonymous callers name no actor and no address for the Api to believe next to the admin token.
        headers.Remove(Proxy.ApiProxy.ActorHeader);
        headers.Remove(Proxy.ApiProxy.ActorIpHeader);
        headers.Remove("X-Forwarded-For");
        headers.Authorization = new AuthenticationHeaderValue("Bearer", adminToken);
        proxyRequest.RequestUri = RequestUtilities.MakeDestinationAddress(destinationPrefix, apiPath, query);
    }

    public override async ValueTask<bool> TransformResponseAsync(
        HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        var proceed = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
        httpContext.Response.Headers.Remove("Set-Cookie");
        return proceed;
    }

    /// <summary>The caller's query with <c>site_id</c> set to the link's site; null when it asked for another site.</summary>
    public static QueryString? ForSite(IQueryCollection query, string siteId)
    {
        if (query.TryGetValue("site_id", out var asked) && asked.Any(value => value != siteId))
        {
            return null;
        }

        return QueryString.Create(query.Where(pair => !string.Equals(pair.Key, "site_id", StringComparison.OrdinalIgnoreCase))
            .Append(new KeyValuePair<string, Microsoft.Extensions.Primitives.StringValues>("site_id", siteId)));
    }
}
