using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;

namespace LiveInsight.Api.Extensions;

/// <summary>
/// Turns request-binding failures (malformed JSON, wrong types, oversize bodies) into problem+json that says what
/// was wrong, instead of the bare status code minimal APIs give by default.
/// </summary>
internal sealed partial class BadRequestExceptionHandler(IProblemDetailsService problemDetails) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is InvalidOperationException { InnerException: ArgumentException or NotSupportedException } && Ingestion.EventBatchReader.ForeignCharset(httpContext.Request.ContentType) is { } charset)
        {
            // The JSON binder throws this (not a BadHttpRequestException) for a charset .NET has no encoding for.
            return await WriteAsync(httpContext, exception, StatusCodes.Status415UnsupportedMediaType, "Unsupported charset",
                $"Send the body as UTF-8 JSON; charset '{charset}' is not accepted.");
        }

        if (exception is not BadHttpRequestException badRequest)
        {
            return false;
        }

        var detail = badRequest.InnerException is JsonException json
            ? $"The request body is not valid JSON for this endpoint: {json.Message}"
            : InWireNames(badRequest.Message);
        return await WriteAsync(httpContext, exception, badRequest.StatusCode, "Bad request", detail);
    }

    /// <summary>The binder names C# parameters ("Required parameter \"string siteId\" was not provided from query
    /// string."); callers know the wire names (<c>site_id</c>), so those are what the answer says.</summary>
    internal static string InWireNames(string message) =>
        BinderParameter().Replace(message, m => $"'{System.Text.Json.JsonNamingPolicy.SnakeCaseLower.ConvertName(m.Groups["name"].Value)}'");

    [System.Text.RegularExpressions.GeneratedRegex("\"[A-Za-z0-9_.<>?\\[\\], ]+ (?<name>[A-Za-z_][A-Za-z0-9_]*)\"")]
    private static partial System.Text.RegularExpressions.Regex BinderParameter();

    private async ValueTask<bool> WriteAsync(HttpContext httpContext, Exception exception, int status, string title, string detail)
    {
        httpContext.Response.StatusCode = status;
        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
            Exception = exception,
        });
    }
}
