using Microsoft.AspNetCore.Mvc;

namespace LiveInsight.Api.Extensions;

/// <summary>
/// Every problem says what was wrong. Refusals the framework makes itself (no route, wrong method, a body it will not
/// bind) come with a title only; this fills a detail by status when none was set. Handlers still set their own.
/// </summary>
internal static class ProblemDefaults
{
    private const int MaxEchoedPath = 100;

    public static void FillDetail(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (!string.IsNullOrWhiteSpace(problem.Detail) || problem is HttpValidationProblemDetails { Errors.Count: > 0 })
        {
            return;
        }

        var request = context.HttpContext.Request;
        problem.Detail = problem.Status switch
        {
            StatusCodes.Status404NotFound => $"Nothing answers {request.Method} {Echo(request.Path)}: check the address.",
            StatusCodes.Status405MethodNotAllowed => context.HttpContext.Response.Headers.Allow is { Count: > 0 } allow
                ? $"{Echo(request.Path)} does not accept {request.Method}; it accepts {allow}."
                : $"{Echo(request.Path)} does not accept {request.Method}.",
            StatusCodes.Status415UnsupportedMediaType =>
                $"This endpoint reads a JSON body: send it as 'Content-Type: application/json' in UTF-8 (it came as '{Echo(request.ContentType ?? "none")}').",
            StatusCodes.Status400BadRequest => "The request could not be read; check its address, query and body.",
            >= 400 and < 500 when problem.Title is { Length: > 0 } title => $"The request was refused: {title}.",
            _ => problem.Detail,
        };
    }

    private static string Echo(string? text) =>
        text is null ? "" : text.Length <= MaxEchoedPath ? text : text[..MaxEchoedPath] + "…";
}
