using LiveInsight.Api.Auth;

namespace LiveInsight.Api.Alerts;

/// <summary><see cref="SiteAccessFilter"/> for routes that name the site in the path (<c>/api/sites/{siteId}/…</c>):
/// the site's secret key manages that site's alerts and reports, the admin token (the Dashboard's proxy) any site's.</summary>
internal sealed class RouteSiteAccess : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var access = ActivatorUtilities.CreateInstance<SiteAccessFilter>(http.RequestServices);
        return await access.AuthorizeAsync(http, http.GetRouteValue("siteId") as string, "in the path") ?? await next(context);
    }
}
