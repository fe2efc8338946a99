using System.Text.Json;
using System.Text.Json.Serialization;

namespace LiveInsight.Api.Ingestion;

/// <summary>The body of <c>POST /api/events</c> as the contract (ARCHITECTURE.md) fixes it.</summary>
public sealed class IncomingBatch
{
    public string? Key { get; set; }
    public List<IncomingEvent>? Events { get; set; }

    /// <summary>Set by the tracker when the site routes with the URL fragment (<c>data-hash</c>).</summary>
    public bool HashRouting { get; set; }
}

public sealed class IncomingEvent
{
    public string? Id { get; set; }
    public string? EventType { get; set; }
    public string? Name { get; set; }
    public string? PageUrl { get; set; }
    public string? Referrer { get; set; }
    public string? Title { get; set; }
    public string? SessionId { get; set; }
    public long? Timestamp { get; set; }
    public int? ScreenWidth { get; set; }
    [JsonConverter(typeof(VisitorPropsConverter))]
    public Dictionary<string, JsonElement>? Props { get; set; }
    public long? EngagedMs { get; set; }
    public int? ScrollDepth { get; set; }

    /// <summary>The <c>scroll_depth</c> this page view's previous engagement event carried; absent on its first.</summary>
    public int? PreviousScrollDepth { get; set; }

    /// <summary><c>false</c> on a custom event that should not count as the visitor interacting (a bounce stays a
    /// bounce), as Plausible's <c>interactive</c>; absent or true otherwise.</summary>
    public bool? Interactive { get; set; }

    /// <summary>The id the page gave <c>liveinsight.identify</c>; kept only as a keyed hash, and only when the site
    /// enabled identify (<see cref="Pipeline.PutUserHash"/>).</summary>
    public string? Uid { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, Converters = [typeof(VisitorStringConverter)])]
[JsonSerializable(typeof(IncomingBatch))]
internal sealed partial class IncomingJsonContext : JsonSerializerContext;
