using System.Text;
using System.Text.Json;

namespace LiveInsight.Testing.Hostile;

/// <summary>Who sends a case: nobody signed in, a fresh visitor who just loaded the login form, or a signed-in user.</summary>
public enum Caller
{
    Anonymous,
    FreshVisitor,
    Admin,
    SiteAdmin,
}

/// <summary>One hostile request, as data: what is sent, who sends it, and what the answer may be beyond "no 5xx, no timeout"
/// (the Api and Dashboard suites share it; the Api sends every case anonymously).</summary>
/// <param name="Name">Says the surface and the hostility, so a failure names the case without reading code.</param>
/// <param name="Target">Path and raw query, already percent-encoded as the attacker chose (nothing is re-encoded).</param>
public sealed record HostileCase(string Name, HttpMethod Method, string Target)
{
    /// <summary>Raw bytes, so invalid UTF-8 and half-written JSON can be sent as they are.</summary>
    public byte[]? Body { get; init; }

    /// <summary>The Content-Type header exactly as written; null sends none.</summary>
    public string? ContentType { get; init; }

    /// <summary>The Authorization header exactly as written; null sends none.</summary>
    public string? Authorization { get; init; }

    public IReadOnlyList<KeyValuePair<string, string>> Headers { get; init; } = [];

    public Caller Caller { get; init; } = Caller.Anonymous;

    /// <summary>Send the caller's CSRF token in <c>X-CSRF-TOKEN</c>, as the front end does.</summary>
    public bool Csrf { get; init; }

    /// <summary>A server-rendered form (login, setup, invite, share page): a refusal may be an HTML page that says why.</summary>
    public bool FormPage { get; init; }

    /// <summary>Stands for the caller's antiforgery form token in a form body.</summary>
    public const string FormToken = "__FORM_TOKEN__";

    public HostileCase WithForm(string form) => this with { Body = Encoding.UTF8.GetBytes(form), ContentType = "application/x-www-form-urlencoded", FormPage = true };

    /// <summary>Accepting this request is itself the bug (e.g. events from <c>Origin: null</c>): it must get a 4xx.</summary>
    public bool MustBeRefused { get; init; }

    /// <summary>Why a refusal of this case may come without a problem body (HEAD, an HTML form page); null: it may not.</summary>
    public string? BodylessBecause { get; init; }

    public HostileCase WithJson(string json, string contentType = "application/json") =>
        this with { Body = Encoding.UTF8.GetBytes(json), ContentType = contentType };

    public HostileCase WithHeader(string name, string value) => this with { Headers = [.. Headers, new(name, value)] };

    public override string ToString() => $"{Method} {Shorten(Target, 120)} [{Name}]";

    public static string Shorten(string text, int max) => text.Length <= max ? text : text[..max] + $"…(+{text.Length - max})";
}

/// <summary>Sends the cases and judges each answer; every broken rule is collected, none stops the run.</summary>
public static class HostileJudge
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public sealed record Verdict(HostileCase Case, int Status, string? Violation, int BodyLength = 0);

    public static async Task<Verdict> SendAsync(HttpClient client, HostileCase hostile, Action<HttpRequestMessage>? prepare = null)
    {
        using var request = new HttpRequestMessage(hostile.Method, hostile.Target);
        if (hostile.Body is not null || hostile.ContentType is not null)
        {
            request.Content = new ByteArrayContent(hostile.Body ?? []);
            request.Content.Headers.ContentType = null;
            if (hostile.ContentType is not null && !request.Content.Headers.TryAddWithoutValidation("Content-Type", hostile.ContentType))
            {
                return new(hostile, 0, "the test could not set this Content-Type (fix the case)");
            }
        }

        if (hostile.Authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", hostile.Authorization);
        }

        foreach (var (name, value) in hostile.Headers)
        {
            if (!request.Headers.TryAddWithoutValidation(name, value) && request.Content?.Headers.TryAddWithoutValidation(name, value) != true)
            {
                return new(hostile, 0, $"the test could not set header {name} (fix the case)");
            }
        }

        prepare?.Invoke(request);
        using var cancel = new CancellationTokenSource(Timeout);
        HttpResponseMessage response;
        try
        {
            // On another thread and awaited with a deadline: an in-process server can run a request's synchronous work
            // (a backtracking matcher) on the caller's thread, where no cancellation token would ever be looked at.
            response = await Task.Run(() => client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token)).WaitAsync(Timeout);
        }
        catch (Exception e) when (e is OperationCanceledException or TimeoutException)
        {
            return new(hostile, 0, $"no answer within {Timeout.TotalSeconds:0} s");
        }
        catch (Exception e) when (e is HttpRequestException or IOException or InvalidOperationException)
        {
            return new(hostile, 0, $"the request failed without an answer: {e.GetType().Name}: {HostileCase.Shorten(e.Message, 300)}");
        }

        using (response)
        {
            var status = (int)response.StatusCode;
            var contentType = response.Content.Headers.ContentType?.MediaType ?? "";
            string body;
            try
            {
                // A stream (the realtime SSE endpoint) answering 200 never ends: its headers are the whole answer.
                body = contentType == "text/event-stream" && status < 300 ? "" : await response.Content.ReadAsStringAsync(cancel.Token).WaitAsync(Timeout);
            }
            catch (Exception e) when (e is OperationCanceledException or TimeoutException)
            {
                return new(hostile, status, $"status {status}, but the body did not end within {Timeout.TotalSeconds:0} s");
            }
            catch (Exception e) when (e is HttpRequestException or IOException)
            {
                return new(hostile, status, $"status {status}, then the body broke off: {e.GetType().Name}: {HostileCase.Shorten(e.Message, 300)}");
            }

            return new(hostile, status, Judge(hostile, status, contentType, body), body.Length);
        }
    }

    /// <summary>The rules: never 5xx; a must-refuse case gets a 4xx; a 4xx is problem+json with a title and a reason.</summary>
    public static string? Judge(HostileCase hostile, int status, string contentType, string body)
    {
        if (status >= 500)
        {
            return $"answered {status}: {Excerpt(body)}";
        }

        if (hostile.MustBeRefused && status < 400)
        {
            return $"accepted with {status} but must be refused: {Excerpt(body)}";
        }

        if (status < 400 || hostile.BodylessBecause is not null)
        {
            return null;
        }

        // The brief for forms: a redirect or an HTML page is a fine refusal; only 5xx and hangs break the rule. A refusal
        // with no body at all is listed as a note by the test (a person sees a blank page), not counted as a violation.
        if (hostile.FormPage)
        {
            return null;
        }

        if (contentType != "application/problem+json")
        {
            return $"answered {status} as '{contentType}' instead of application/problem+json: {Excerpt(body)}";
        }

        try
        {
            using var problem = JsonDocument.Parse(body);
            var root = problem.RootElement;
            var title = root.TryGetProperty("title", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
            var detail = root.TryGetProperty("detail", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            // A validation problem says what was wrong per field in "errors"; that is the reason as much as a detail.
            var errors = root.TryGetProperty("errors", out var e) && e.ValueKind == JsonValueKind.Object && e.EnumerateObject().Any();
            if (string.IsNullOrWhiteSpace(title))
            {
                return $"answered {status} problem+json without a title: {Excerpt(body)}";
            }

            return string.IsNullOrWhiteSpace(detail) && !errors
                ? $"answered {status} problem+json without a detail saying what was wrong: {Excerpt(body)}"
                : null;
        }
        catch (JsonException)
        {
            return $"answered {status} problem+json that is not JSON: {Excerpt(body)}";
        }
    }

    public static string Excerpt(string body) => body.Length == 0 ? "(empty body)" : HostileCase.Shorten(body.ReplaceLineEndings(" "), 400);

    /// <summary>Every violation on its own line, grouped by the answer, for a failure message that reads as a report.</summary>
    public static string Report(IEnumerable<Verdict> failed) => string.Join("\n", failed.Select(v => $"  {v.Case} → {v.Violation}"));

    public static string Statuses(IEnumerable<Verdict> verdicts) =>
        string.Join(", ", verdicts.GroupBy(v => v.Status).OrderBy(g => g.Key).Select(g => $"{(g.Key == 0 ? "none" : g.Key.ToString(System.Globalization.CultureInfo.InvariantCulture))}×{g.Count()}"));

}
