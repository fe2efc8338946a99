using System.Text.Unicode;
using LiveInsight.Api.Ingestion;

namespace LiveInsight.Api.Compat;

/// <summary>
/// The body of a compatibility request (one event from Plausible's or Umami's tracker): JSON sent as
/// <c>application/json</c> or <c>text/plain</c> (Plausible's script sends the latter, which needs no CORS preflight),
/// UTF-8, at most <see cref="MaxBytes"/>. Anything else is refused whole with a 4xx before it is parsed.
/// </summary>
public static class CompatBody
{
    /// <summary>One event, props and URL at their caps included, fits with room to spare.</summary>
    public const int MaxBytes = 32 * 1024;

    public static async Task<(byte[]? Body, IngestError? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > MaxBytes)
        {
            return (null, TooLarge());
        }

        var type = request.ContentType;
        if (type is not null && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
            && !type.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase))
        {
            return (null, new IngestError(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "Send the event as application/json or text/plain."));
        }

        if (EventBatchReader.ForeignCharset(type) is { } charset)
        {
            return (null, new IngestError(StatusCodes.Status415UnsupportedMediaType, "Unsupported charset",
                $"The event must be UTF-8 JSON; charset \"{charset}\" is not accepted."));
        }

        var buffer = new byte[MaxBytes + 1];
        var total = 0;
        while (total < buffer.Length)
        {
            var read = await request.Body.ReadAsync(buffer.AsMemory(total), cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        if (total > MaxBytes)
        {
            return (null, TooLarge());
        }

        if (total == 0)
        {
            return (null, Invalid("The body is empty: send one event as a JSON object."));
        }

        return Utf8.IsValid(buffer.AsSpan(0, total))
            ? (buffer[..total], null)
            : (null, Invalid("The body is not valid UTF-8; send the event as UTF-8 JSON."));
    }

    public static IngestError Invalid(string detail) => new(StatusCodes.Status400BadRequest, "Invalid event", detail);

    private static IngestError TooLarge() => new(StatusCodes.Status413PayloadTooLarge, "Event too large",
        $"The body is larger than {MaxBytes} bytes.");
}
