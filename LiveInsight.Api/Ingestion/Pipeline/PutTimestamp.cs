namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>
/// The documented timestamp rule: none → the server's receive time; more than 5 minutes ahead → the receive time
/// (a wrong client clock); more than 24 hours behind → dropped as <c>stale_timestamp</c> (an offline queue older than
/// that belongs to days that are closed); otherwise the client's own time, so offline events land when they happened.
/// </summary>
public sealed class PutTimestamp : IIngestStep
{
    public void Run(IngestContext request, IngestEvent e)
    {
        var now = request.ReceivedAt;
        if (e.Raw.Timestamp is not { } ms)
        {
            e.Timestamp = now;
            return;
        }

        if (ms < now.Add(-IngestionLimits.MaxAge).ToUnixTimeMilliseconds())
        {
            e.Drop(DropReason.StaleTimestamp);
            return;
        }

        e.Timestamp = ms > now.Add(IngestionLimits.MaxClockSkewAhead).ToUnixTimeMilliseconds()
            ? now
            : DateTimeOffset.FromUnixTimeMilliseconds(ms);
    }
}
