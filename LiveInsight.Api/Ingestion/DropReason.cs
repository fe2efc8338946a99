namespace LiveInsight.Api.Ingestion;

/// <summary>Why an event was not kept. Counted in <c>liveinsight.ingest.events.dropped</c> and told to the client in
/// the <c>X-LiveInsight-Dropped</c> header (GoatCounter-style: a rejected hit explains itself).</summary>
public enum DropReason
{
    Bot,
    DoNotTrack,
    ExcludedPath,
    ExcludedIp,
    InvalidUrl,
    ForeignHost,
    UnknownEventType,
    InvalidEvent,
    StaleTimestamp,
    Duplicate,
}

public static class DropReasons
{
    public static string WireName(this DropReason reason) => reason switch
    {
        DropReason.Bot => "bot",
        DropReason.DoNotTrack => "dnt",
        DropReason.ExcludedPath => "excluded_path",
        DropReason.ExcludedIp => "excluded_ip",
        DropReason.InvalidUrl => "invalid_url",
        DropReason.ForeignHost => "foreign_host",
        DropReason.UnknownEventType => "unknown_event_type",
        DropReason.InvalidEvent => "invalid_event",
        DropReason.StaleTimestamp => "stale_timestamp",
        DropReason.Duplicate => "duplicate",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, null),
    };
}
