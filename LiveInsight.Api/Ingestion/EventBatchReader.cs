using System.Buffers;
using System.Text.Json;
using System.Text.Unicode;
using Microsoft.Net.Http.Headers;

namespace LiveInsight.Api.Ingestion;

/// <summary>A request-level failure: the whole batch is refused with this status and message.</summary>
public sealed record IngestError(int Status, string Title, string Detail);

/// <summary>
/// Reads and parses the body of <c>POST /api/events</c>: JSON or text/plain (what sendBeacon sends), at most
/// <see cref="IngestionLimits.MaxBodyBytes"/>. Structure errors refuse the batch; per-event problems are left to the
/// pipeline, which drops single events with a reason.
/// </summary>
public static class EventBatchReader
{
    public static async Task<(IncomingBatch? Batch, IngestError? Error)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > IngestionLimits.MaxBodyBytes)
        {
            return (null, TooLarge());
        }

        if (!IsAcceptedContentType(request.ContentType))
        {
            return (null, new IngestError(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type",
                "Send the batch as application/json or text/plain (sendBeacon)."));
        }

        if (ForeignCharset(request.ContentType) is { } charset)
        {
            return (null, new IngestError(StatusCodes.Status415UnsupportedMediaType, "Unsupported charset",
                $"The batch must be UTF-8 JSON; charset \"{charset}\" is not accepted."));
        }

        var buffer = ArrayPool<byte>.Shared.Rent(IngestionLimits.MaxBodyBytes + 1);
        try
        {
            var length = await ReadUpToAsync(request.Body, buffer, IngestionLimits.MaxBodyBytes + 1, cancellationToken);
            return length > IngestionLimits.MaxBodyBytes ? (null, TooLarge()) : Parse(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public static (IncomingBatch? Batch, IngestError? Error) Parse(ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            return (null, BadRequest("The body is empty: send {\"key\": \"pk_…\", \"events\": [ … ]}."));
        }

        if (!Utf8.IsValid(body))
        {
            // JSON text is UTF-8 (RFC 8259); a body that is not cannot be read as the visitor meant it.
            return (null, BadRequest("The body is not valid UTF-8; send the batch as UTF-8 JSON."));
        }

        IncomingBatch? batch;
        try
        {
            batch = JsonSerializer.Deserialize(body, IncomingJsonContext.Default.IncomingBatch);
        }
        catch (JsonException e)
        {
            return (null, BadRequest($"The body is not valid JSON for an event batch: {e.Message}"));
        }

        return batch switch
        {
            null => (null, BadRequest("The body must be a JSON object with an \"events\" array.")),
            { Events: null or { Count: 0 } } => (null, BadRequest("\"events\" must be a non-empty array.")),
            { Events.Count: > IngestionLimits.MaxEventsPerBatch } => (null, BadRequest(
                $"A batch holds at most {IngestionLimits.MaxEventsPerBatch} events; this one has {batch.Events.Count}.")),
            _ when batch.Events.Any(e => e is null) => (null, BadRequest("Every entry of \"events\" must be an object.")),
            _ => (batch, null),
        };
    }

    private static bool IsAcceptedContentType(string? contentType) =>
        contentType is null
        || contentType.StartsWith("application/json", StringComparison.OrdinalIgnoreCase)
        || contentType.StartsWith("text/plain", StringComparison.OrdinalIgnoreCase);

    /// <summary>The charset the Content-Type names, when it is not UTF-8 (null when none is named: UTF-8 is assumed),
    /// cut to 40 characters for a message. The Api's JSON bodies are all UTF-8, so every endpoint uses this.</summary>
    internal static string? ForeignCharset(string? contentType)
    {
        if (contentType is null || !MediaTypeHeaderValue.TryParse(contentType, out var mediaType)
            || mediaType.Charset is not { HasValue: true, Length: > 0 } charset)
        {
            return null;
        }

        var name = charset.Value!.Trim('"');
        return name.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || name.Equals("utf8", StringComparison.OrdinalIgnoreCase)
            ? null
            : name.Length <= 40 ? name : name[..40] + "…";
    }

    private static async Task<int> ReadUpToAsync(Stream body, byte[] buffer, int limit, CancellationToken cancellationToken)
    {
        var total = 0;
        while (total < limit)
        {
            var read = await body.ReadAsync(buffer.AsMemory(total, limit - total), cancellationToken);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private static IngestError BadRequest(string detail) => new(StatusCodes.Status400BadRequest, "Invalid event batch", detail);

    private static IngestError TooLarge() => new(StatusCodes.Status413PayloadTooLarge, "Batch too large",
        $"The body is larger than {IngestionLimits.MaxBodyBytes} bytes; send smaller batches.");
}
