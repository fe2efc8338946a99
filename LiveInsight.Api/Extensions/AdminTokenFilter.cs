using LiveInsight.Core.Sites;
using Microsoft.Extensions.Options;

namespace LiveInsight.Api.Extensions;

/// <summary>Lets a request through only with <c>Authorization: Bearer &lt;admin token&gt;</c>; otherwise 401 problem+json.</summary>
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

        return await next(context);
    }

    public static string? BearerToken(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
    }
}
