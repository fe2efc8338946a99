using Microsoft.AspNetCore.Antiforgery;

namespace LiveInsight.Dashboard.Auth;

/// <summary>Requires a valid antiforgery token (header <c>X-CSRF-TOKEN</c>) on requests the front end sends with fetch.
/// Forms bound with [FromForm] are checked by the framework itself.</summary>
public sealed class CsrfFilter(IAntiforgery antiforgery) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        await antiforgery.IsRequestValidAsync(context.HttpContext)
            ? await next(context)
            : Refused();

    public static IResult Refused() => TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest,
        title: "Missing or invalid CSRF token", detail: "Reload the page and try again.");

    /// <summary>The same check for the proxy, which is not an endpoint with filters.</summary>
    public static async Task<bool> IsValidAsync(HttpContext context) =>
        HttpMethods.IsGet(context.Request.Method) || HttpMethods.IsHead(context.Request.Method)
        || await context.RequestServices.GetRequiredService<IAntiforgery>().IsRequestValidAsync(context);
}
