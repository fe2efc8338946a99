namespace LiveInsight.Api.Ingestion;

/// <summary>
/// Caps on what a visitor can send. Whole-request limits answer 4xx; per-field limits truncate (the event is kept,
/// the excess is cut), so one oversized title never costs the other events of a batch.
/// </summary>
public static class IngestionLimits
{
    public const int MaxBodyBytes = 64 * 1024;
    public const int MaxEventsPerBatch = 50;
    public const int MaxUrlLength = 2000;
    public const int MaxTitleLength = 500;
    public const int MaxNameLength = 100;
    public const int MaxProps = 30;
    public const int MaxPropKeyLength = 50;
    public const int MaxPropValueLength = 500;
    public const int MaxIdLength = 64;
    public const int MaxScreenWidth = 20_000;
    public const long MaxEngagedMs = 24L * 60 * 60 * 1000;

    /// <summary>A timestamp further ahead than this is a wrong client clock: it is replaced by the server's time.</summary>
    public static readonly TimeSpan MaxClockSkewAhead = TimeSpan.FromMinutes(5);

    /// <summary>An event older than this is dropped (<c>stale_timestamp</c>): the day it belongs to may be closed.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromHours(24);

    public static string? CapUrl(string? url) => url is { Length: > MaxUrlLength } ? url[..MaxUrlLength] : url;
}
