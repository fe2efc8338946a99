using System.Text.Json;
using System.Text.Json.Serialization;
using LiveInsight.Api.Ingestion;

namespace LiveInsight.Api.Compat;

/// <summary>
/// One <c>POST /api/event</c> as Plausible's Events API documents it (<c>name</c>, <c>url</c>, <c>domain</c>,
/// <c>referrer</c>, <c>props</c>, <c>revenue</c>, <c>interactive</c>) and as its script sends it, with one-letter keys
/// (<c>n</c>, <c>u</c>, <c>d</c>, <c>r</c>, <c>p</c>, <c>$</c>, <c>i</c>, <c>h</c>, and for engagement <c>e</c>,
/// <c>sd</c>; older builds also <c>m</c> (props as a JSON string) and <c>w</c> (screen width)). The short key wins when
/// both are present. <c>v</c> (the script's version) is read and ignored, as is any unknown key.
/// </summary>
public sealed class PlausibleEvent
{
    /// <summary>At most this many sites per event (Plausible's <c>domain</c> may list several, comma-separated).</summary>
    public const int MaxDomains = 10;

    [JsonPropertyName("n")] public string? N { get; set; }
    [JsonPropertyName("name")] public string? Name { get; set; }
    [JsonPropertyName("u")] public string? U { get; set; }
    [JsonPropertyName("url")] public string? Url { get; set; }
    [JsonPropertyName("d")] public string? D { get; set; }
    [JsonPropertyName("domain")] public string? Domain { get; set; }
    [JsonPropertyName("r")] public string? R { get; set; }
    [JsonPropertyName("referrer")] public string? Referrer { get; set; }

    [JsonPropertyName("p"), JsonConverter(typeof(PlausiblePropsConverter))]
    public Dictionary<string, JsonElement>? P { get; set; }

    [JsonPropertyName("props"), JsonConverter(typeof(PlausiblePropsConverter))]
    public Dictionary<string, JsonElement>? Props { get; set; }

    [JsonPropertyName("m"), JsonConverter(typeof(PlausiblePropsConverter))]
    public Dictionary<string, JsonElement>? M { get; set; }

    [JsonPropertyName("meta"), JsonConverter(typeof(PlausiblePropsConverter))]
    public Dictionary<string, JsonElement>? Meta { get; set; }

    [JsonPropertyName("$")] public JsonElement? Dollar { get; set; }
    [JsonPropertyName("revenue")] public JsonElement? Revenue { get; set; }
    [JsonPropertyName("i")] public JsonElement? I { get; set; }
    [JsonPropertyName("interactive")] public JsonElement? Interactive { get; set; }
    [JsonPropertyName("h")] public JsonElement? H { get; set; }
    [JsonPropertyName("hashMode")] public JsonElement? HashMode { get; set; }
    [JsonPropertyName("w")] public int? W { get; set; }
    [JsonPropertyName("e")] public long? E { get; set; }
    [JsonPropertyName("sd")] public int? Sd { get; set; }
    [JsonPropertyName("v")] public JsonElement? V { get; set; }

    /// <summary>Parses and checks the body; the error names what is missing or malformed (a 400).</summary>
    public static (PlausibleEvent? Event, IngestError? Error) Parse(ReadOnlySpan<byte> body)
    {
        PlausibleEvent? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(body, CompatJsonContext.Default.PlausibleEvent);
        }
        catch (JsonException e)
        {
            return (null, CompatBody.Invalid($"The body is not a Plausible event: {e.Message}"));
        }

        if (parsed is null)
        {
            return (null, CompatBody.Invalid("The body must be a JSON object."));
        }

        if (string.IsNullOrWhiteSpace(parsed.EventName))
        {
            return (null, CompatBody.Invalid("\"name\" (or \"n\") is required: \"pageview\", \"engagement\" or a custom event's name."));
        }

        if (string.IsNullOrWhiteSpace(parsed.PageUrl))
        {
            return (null, CompatBody.Invalid("\"url\" (or \"u\") is required: the page's absolute URL."));
        }

        var domains = parsed.Domains;
        if (domains.Count == 0)
        {
            return (null, CompatBody.Invalid("\"domain\" (or \"d\") is required: the site's domain as set in LiveInsight."));
        }

        if (domains.Count > MaxDomains)
        {
            return (null, CompatBody.Invalid($"\"domain\" lists {domains.Count} sites; at most {MaxDomains} are accepted."));
        }

        return (parsed, null);
    }

    public string? EventName => N ?? Name;

    public string? PageUrl => U ?? Url;

    /// <summary>The distinct, non-empty names of <c>domain</c> (a comma-separated list), in order.</summary>
    public IReadOnlyList<string> Domains => (D ?? Domain ?? "")
        .Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
        .Distinct(StringComparer.OrdinalIgnoreCase)
        .ToList();

    public bool HashRouting => IsTrue(H ?? HashMode);

    /// <summary>
    /// Our event: <c>pageview</c> → <c>page_view</c>, <c>engagement</c> → <c>engagement</c> (engaged ms, scroll
    /// depth), any other name → <c>custom</c> with the props. Revenue becomes two props (<c>revenue_amount</c>,
    /// <c>revenue_currency</c>): there is no revenue metric yet. No id: <see cref="Ingestion.Pipeline.PutEventFields"/>
    /// generates one, as for any server-side sender.
    /// </summary>
    public IncomingEvent ToIncomingEvent()
    {
        var name = EventName!.Trim();
        var type = name switch
        {
            "pageview" => "page_view",
            "engagement" => "engagement",
            _ => "custom",
        };
        var props = P ?? Props ?? M ?? Meta;
        if ((Dollar ?? Revenue) is { ValueKind: JsonValueKind.Object } revenue)
        {
            props = props is null ? [] : new Dictionary<string, JsonElement>(props);
            if (revenue.TryGetProperty("amount", out var amount))
            {
                props["revenue_amount"] = amount;
            }

            if (revenue.TryGetProperty("currency", out var currency))
            {
                props["revenue_currency"] = currency;
            }
        }

        return new IncomingEvent
        {
            EventType = type,
            Name = type == "custom" ? name : null,
            PageUrl = PageUrl,
            Referrer = R ?? Referrer,
            ScreenWidth = W,
            Props = type == "engagement" ? null : props,
            EngagedMs = type == "engagement" ? E : null,
            ScrollDepth = type == "engagement" ? Sd : null,
            Interactive = type == "custom" && IsFalse(I ?? Interactive) ? false : null,
        };
    }

    private static bool IsFalse(JsonElement? value) => value is { } v
        && (v.ValueKind == JsonValueKind.False || (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n == 0));

    private static bool IsTrue(JsonElement? value) => value is { } v
        && (v.ValueKind == JsonValueKind.True || (v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var n) && n == 1));
}

/// <summary>
/// Plausible's props: an object (what the script sends) or, from older scripts and the <c>m</c>/<c>meta</c> keys, a
/// string holding a JSON object. Either way read through <see cref="VisitorPropsConverter"/> (lone surrogates become
/// U+FFFD instead of throwing); <c>null</c> is no props; anything else is a 400.
/// </summary>
public sealed class PlausiblePropsConverter : JsonConverter<Dictionary<string, JsonElement>>
{
    private static readonly VisitorPropsConverter Inner = new();

    public override Dictionary<string, JsonElement>? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            var text = VisitorJsonText.Read(ref reader);
            if (string.IsNullOrWhiteSpace(text))
            {
                return null;
            }

            var nested = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(text), new JsonReaderOptions { MaxDepth = 16 });
            if (!nested.Read())
            {
                throw new JsonException("props is an empty string.");
            }

            return Inner.Read(ref nested, typeToConvert, options);
        }

        return Inner.Read(ref reader, typeToConvert, options);
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, JsonElement> value, JsonSerializerOptions options) =>
        Inner.Write(writer, value, options);
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    NumberHandling = JsonNumberHandling.AllowReadingFromString,
    Converters = [typeof(VisitorStringConverter)],
    MaxDepth = 16)]
[JsonSerializable(typeof(PlausibleEvent))]
[JsonSerializable(typeof(UmamiSend))]
[JsonSerializable(typeof(UmamiAnswer))]
internal sealed partial class CompatJsonContext : JsonSerializerContext;
