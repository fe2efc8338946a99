using System.Buffers;
using System.Text.Json;

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
