using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace LiveInsight.Api.Extensions;

/// <summary>
/// Turns request-binding failures (malformed JSON, wrong types, oversize bodies) into problem+json that says what
/// was wrong, instead of the bare status code minimal APIs give by default.
/// </summary>
internal sealed class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        var detail = badRequest.InnerException is JsonException json
            ? $"The request body is not valid JSON for this endpoint: {json.Message}"
            : badRequest.Message;
        httpContext.Response.StatusCode = badRequest.StatusCode;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = badRequest.StatusCode, Title = "Bad request", Detail = detail },
            Exception = exception,
        });
    }
}
