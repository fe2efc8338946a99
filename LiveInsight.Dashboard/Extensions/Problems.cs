using System.Text;
using System.Text.Json;
using LiveInsight.Dashboard.Account;
using LiveInsight.Dashboard.Proxy;
using LiveInsight.Dashboard.Sharing;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace LiveInsight.Dashboard.Extensions;

/// <summary>
/// Every refusal says why. The JSON surfaces (<c>/account</c>, <c>/proxy</c>, a share link's <c>/site</c> and
/// <c>/api</c>) answer problem+json with a detail, also where the framework alone would send a bare status (a body it
/// cannot bind, another content type, an unknown route); the server-rendered form pages answer with a short HTML page.
/// </summary>
public static class Problems
{
    public static IServiceCollection AddDashboardProblems(this IServiceCollection services)
    {
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            if (string.IsNullOrWhiteSpace(problem.Detail) && problem is not HttpValidationProblemDetails { Errors.Count: > 0 })
            {
                problem.Detail = DetailFor(problem.Status ?? context.HttpContext.Response.StatusCode);
            }
        });
        services.AddExceptionHandler<RefusalExceptionHandler>();
        // Binding failures (a body that is not the JSON expected, ?limit=abc) throw, so the handler can say what was wrong.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        return services;
    }

    public static IApplicationBuilder UseDashboardProblems(this IApplicationBuilder app)
    {
        app.UseExceptionHandler();
        // Bare statuses (415 for another content type, 404 for no route, 401 without a session) get a body on the JSON
        // surfaces; answers the proxy forwards from the Api are left as the Api wrote them (YARP turns this off for them).
        return app.UseStatusCodePages(context =>
        {
            var http = context.HttpContext;
            var status = http.Response.StatusCode;
            if (IsJsonPath(http.Request.Path))
            {
                return TypedResults.Problem(statusCode: status, detail: DetailFor(status)).ExecuteAsync(http);
            }

            // A form post the framework refused before the page's handler ran: a page that says so, not a blank one.
            return HttpMethods.IsPost(http.Request.Method)
                ? TypedResults.Content(AccountPages.Refused(status == StatusCodes.Status415UnsupportedMediaType
                    ? "The form is sent as application/x-www-form-urlencoded; this request was not." : DetailFor(status)),
                    "text/html; charset=utf-8", statusCode: status).ExecuteAsync(http)
                : Task.CompletedTask;
        });
    }

    /// <summary>The front end's JSON surfaces; everything else is a page a person sees.</summary>
    public static bool IsJsonPath(PathString path) =>
        path.StartsWithSegments("/account") || path.StartsWithSegments(ApiProxy.Prefix) || path.StartsWithSegments(ApiReference.DocumentPath)
        || (path.StartsWithSegments(SharedDashboard.Prefix, out var rest) && rest.Value?.IndexOf('/', 1) > 0);

    public static string DetailFor(int status) => status switch
    {
        StatusCodes.Status400BadRequest => "The request could not be read: check its body and query values.",
        StatusCodes.Status401Unauthorized => "Sign in first (the session may have ended).",
        StatusCodes.Status403Forbidden => "Your role does not allow this.",
        StatusCodes.Status404NotFound => "There is nothing at this address.",
        StatusCodes.Status405MethodNotAllowed => "This address does not take that method.",
        StatusCodes.Status413PayloadTooLarge => "The body is too large.",
        StatusCodes.Status415UnsupportedMediaType => "Send the body as JSON, UTF-8, with Content-Type: application/json.",
        StatusCodes.Status429TooManyRequests => "Too many requests: wait a moment and try again.",
        >= 500 => "The Dashboard could not answer; the error is logged. Try again later.",
        _ => ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase + "." : "The request was refused.",
    };

    /// <summary>The charset a request names but .NET cannot decode (utf-7, made-up names), or null.</summary>
    public static string? UnreadableCharset(HttpRequest request)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) || mediaType.Charset is not { HasValue: true } charset)
        {
            return null;
        }

        try
        {
            _ = Encoding.GetEncoding(charset.ToString());
            return null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return charset.ToString();
        }
    }

    /// <summary>Request-binding failures (malformed JSON, wrong types, a charset nobody can read, oversize bodies) as a
    /// refusal that says what was wrong, instead of the bare status or empty 500 the framework gives; and a change refused
    /// because its audit entry could not be written, as 503 with Retry-After.</summary>
    internal sealed class RefusalExceptionHandler : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
        {
            var (status, detail) = exception switch
            {
                BadHttpRequestException { InnerException: JsonException json } bad =>
                    (bad.StatusCode, $"The request body is not valid JSON for this endpoint: {json.Message}"),
                BadHttpRequestException bad => (bad.StatusCode, bad.Message),
                // The framework's JSON reader throws this for a charset it cannot decode (charset=utf-7, charset=nonsense).
                InvalidOperationException when UnreadableCharset(httpContext.Request) is { } charset =>
                    (StatusCodes.Status415UnsupportedMediaType, $"The charset '{charset}' cannot be read: send the body as UTF-8."),
                AuditUnavailableException => (StatusCodes.Status503ServiceUnavailable, AuditUnavailableException.Detail),
                _ => (0, null),
            };
            if (detail is null)
            {
                return false;
            }

            if (exception is AuditUnavailableException)
            {
                httpContext.Response.Headers.RetryAfter = ((int)AuditUnavailableException.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            }

            IResult result = IsJsonPath(httpContext.Request.Path)
                ? TypedResults.Problem(statusCode: status, title: TitleFor(status), detail: detail)
                : TypedResults.Content(AccountPages.Refused(detail), "text/html; charset=utf-8", statusCode: status);
            await result.ExecuteAsync(httpContext);
            return true;
        }

        private static string TitleFor(int status) => status switch
        {
            StatusCodes.Status503ServiceUnavailable => "Audit log unavailable",
            StatusCodes.Status413PayloadTooLarge => "Body too large",
            StatusCodes.Status415UnsupportedMediaType => "Unsupported content type",
            _ => "Bad request",
        };
    }
}
