using System.Text.Json.Serialization;

namespace LiveInsight.Core.Events;

/// <summary>
/// One accepted, enriched event as it travels through the Redis stream from the Api to the Aggregator.
/// It holds no IP address (raw or masked) and no full referrer URL: only what analytics needs.
/// </summary>
public sealed record StreamEvent
{
    public required string SiteId { get; init; }
    public required string EventId { get; init; }
    public required string EventType { get; init; }
    public string? Name { get; init; }

    /// <summary>Unix milliseconds (after the future-clamp rule).</summary>
    public required long Ts { get; init; }

    public string? SessionId { get; init; }
    public required string VisitorId { get; init; }
    public string? Host { get; init; }
    public string? Path { get; init; }
    public string? Title { get; init; }
    public string? ReferrerHost { get; init; }
    public string? Source { get; init; }
    public string? Medium { get; init; }
    public string? UtmSource { get; init; }
    public string? UtmMedium { get; init; }
    public string? UtmCampaign { get; init; }
    public string? UtmTerm { get; init; }
    public string? UtmContent { get; init; }
    public string? Browser { get; init; }
    public string? BrowserVersion { get; init; }
    public string? Os { get; init; }
    public string? OsVersion { get; init; }
    public string? Device { get; init; }
    public string? Country { get; init; }
    public int? ScreenWidth { get; init; }
    public Dictionary<string, string>? Props { get; init; }
    public long? EngagedMs { get; init; }
    public int? ScrollDepth { get; init; }

    /// <summary>Engagement: the scroll depth this page view's previous engagement event reported; null on its first
    /// (so the rollups count the page view once and add only the increase of its deepest scroll).</summary>
    public int? PreviousScrollDepth { get; init; }

    /// <summary>A custom event sent with <c>interactive: false</c> (Plausible's option, also accepted by
    /// <c>/api/events</c>): it is counted, but does not make its session a non-bounce. Null (absent) otherwise.</summary>
    public bool? NonInteractive { get; init; }

    /// <summary>An identified user (<c>liveinsight.identify</c> on a site with identify enabled):
    /// <see cref="Sites.Identify.Hash"/> of the id, never the id. Null (absent) otherwise.</summary>
    public string? UserHash { get; init; }
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StreamEvent))]
public sealed partial class StreamEventJsonContext : JsonSerializerContext;
