using System.Net;
using LiveInsight.Api.Ingestion.Enrichment;
using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Ingestion;

/// <summary>What is known about the request as a whole: the same for every event of the batch.</summary>
public sealed class IngestContext(
    Site site,
    DateTimeOffset receivedAt,
    IPAddress? clientIp,
    string? userAgent,
    bool doNotTrack,
    bool hashRouting,
    IReadOnlyDictionary<DateOnly, byte[]> salts)
{
    public Site Site { get; } = site;
    public DateTimeOffset ReceivedAt { get; } = receivedAt;
    public IPAddress? ClientIp { get; } = clientIp;
    public string? UserAgent { get; } = userAgent;
    public bool DoNotTrack { get; } = doNotTrack;
    public bool HashRouting { get; } = hashRouting;

    /// <summary>Today's and yesterday's (UTC) visitor-id salts.</summary>
    public IReadOnlyDictionary<DateOnly, byte[]> Salts { get; } = salts;

    /// <summary>Filled by the user-agent step, once per request.</summary>
    public UserAgentInfo? UserAgentInfo { get; set; }

    /// <summary>Filled by the country step, once per request.</summary>
    public string? Country { get; set; }

    /// <summary>Per-request memo of work that is the same for most events of a batch (device class by screen
    /// width, visitor id by UTC day), so a 20-event batch costs one classification and one HMAC, not twenty.</summary>
    public (int? ScreenWidth, string Device)? LastDevice { get; set; }

    public (DateOnly Day, string VisitorId)? LastVisitorId { get; set; }

    public (string UserId, string Hash)? LastUserHash { get; set; }
}

/// <summary>One event on its way through the pipeline: the raw input, the enrichment so far, or a drop reason.</summary>
public sealed class IngestEvent(IncomingEvent raw)
{
    public IncomingEvent Raw { get; } = raw;
    public DropReason? Dropped { get; private set; }

    public string EventId { get; set; } = "";
    public string EventType { get; set; } = "";
    public string? Name { get; set; }
    public string? Title { get; set; }
    public string? SessionId { get; set; }
    public DateTimeOffset Timestamp { get; set; }
    public PageUrl? Page { get; set; }
    public TrafficSource? Source { get; set; }
    public string? Device { get; set; }
    public string VisitorId { get; set; } = "";
    public Dictionary<string, string>? Props { get; set; }

    /// <summary>The raw numbers, clamped by <see cref="Pipeline.PutLimits"/>.</summary>
    public int? ScreenWidth { get; set; }

    public long? EngagedMs { get; set; }

    public int? ScrollDepth { get; set; }

    public int? PreviousScrollDepth { get; set; }

    /// <summary><see cref="LiveInsight.Core.Sites.Identify.Hash"/> of the identified user, when kept (<see cref="Pipeline.PutUserHash"/>).</summary>
    public string? UserHash { get; set; }

    public void Drop(DropReason reason) => Dropped ??= reason;
}
