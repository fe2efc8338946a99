using LiveInsight.Api.Extensions;
using LiveInsight.Core.Sites;
using Microsoft.Extensions.Options;

namespace LiveInsight.Api.Auth;

/// <summary>Lets a request through only with <c>Authorization: Bearer &lt;admin token&gt;</c>; otherwise 401 problem+json.
/// A <c>{siteId}</c> in the route that no site can have answers 404 here, before any handler reads DynamoDB with it
/// (a 3 KB id made a key DynamoDB refuses: 500).</summary>
internal sealed class AdminTokenFilter(IOptions<ApiOptions> options) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var presented = BearerToken(context.HttpContext.Request);
        if (!SiteKeys.SecretEquals(presented, options.Value.AdminToken))
        {
            context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
            return TypedResults.Problem(
                statusCode: StatusCodes.Status401Unauthorized,
                title: "Unauthorized",
                detail: presented is null
                    ? "This endpoint needs the admin token as 'Authorization: Bearer <token>'."
                    : "The admin token is not valid.");
        }

        if (context.HttpContext.GetRouteValue("siteId") is string siteId && !SiteKeys.IsWellFormedSiteId(siteId))
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status404NotFound,
                title: "Site not found",
                detail: $"There is no site with this id: it is not a site id (those are {SiteKeys.SiteIdLength} lower-case letters and digits).");
        }

        return await next(context);
    }

    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
    }
}
