using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using LiveInsight.Api.Ingestion;

namespace LiveInsight.Api.Compat;

/// <summary>
/// One <c>POST /api/send</c> as Umami's tracker and its Node client (<c>@umami/node</c>) send it:
/// <c>{"type": "event", "payload": {website, hostname, url, referrer, title, screen, language, name, data}}</c>.
/// <c>type: "identify"</c> (session data) is accepted and ignored; unknown keys are ignored.
/// </summary>
public sealed class UmamiSend
{
    public string? Type { get; set; }
    public UmamiPayload? Payload { get; set; }

    public static (UmamiSend? Send, IngestError? Error) Parse(ReadOnlySpan<byte> body)
    {
        UmamiSend? parsed;
        try
        {
            parsed = JsonSerializer.Deserialize(body, CompatJsonContext.Default.UmamiSend);
        }
        catch (JsonException e)
        {
            return (null, CompatBody.Invalid($"The body is not an Umami event: {e.Message}"));
        }

        if (parsed is null)
        {
            return (null, CompatBody.Invalid("The body must be a JSON object."));
        }

        if (parsed.Type is not ("event" or "identify"))
        {
            return (null, CompatBody.Invalid("\"type\" must be \"event\" or \"identify\"."));
        }

        if (parsed.Payload is null)
        {
            return (null, CompatBody.Invalid("\"payload\" is required: {\"website\": \"<website id>\", \"url\": …}."));
        }

        if (!Core.Sites.SiteKeys.IsWellFormedUmamiWebsiteId(parsed.Payload.Website))
        {
            return (null, CompatBody.Invalid("\"payload.website\" must be the site's Umami website id (a lower-case UUID), shown in its settings."));
        }

        return (parsed, null);
    }

    /// <summary>
    /// Our event: no <c>name</c> → <c>page_view</c>; a name → <c>custom</c> with <c>data</c> as props. The page is
    /// <c>url</c> when absolute, else <c>https://{hostname}{url}</c>; an event with neither (what
    /// <c>umami.track('signup')</c> sends from a server) is booked on <paramref name="defaultHost"/>'s home page.
    /// </summary>
    public IncomingEvent ToIncomingEvent(string defaultHost)
    {
        var p = Payload!;
        var name = string.IsNullOrWhiteSpace(p.Name) ? null : p.Name;
        return new IncomingEvent
        {
            EventType = name is null ? "page_view" : "custom",
            Name = name,
            PageUrl = PageUrl(p.Url, p.Hostname, defaultHost),
            Referrer = p.Referrer,
            Title = p.Title,
            ScreenWidth = ScreenWidth(p.Screen),
            Props = name is null ? null : p.Data,
        };
    }

    private static string PageUrl(string? url, string? hostname, string defaultHost)
    {
        if (Uri.TryCreate(url, UriKind.Absolute, out var absolute) && absolute.Scheme is "http" or "https")
        {
            return url!;
        }

        var host = string.IsNullOrWhiteSpace(hostname) ? defaultHost : hostname.Trim();
        var path = string.IsNullOrEmpty(url) ? "/" : url.StartsWith('/') ? url : "/" + url;
        return $"https://{host}{path}";
    }

    /// <summary>Umami's <c>screen</c> is "1920x1080"; the width is what device classes need.</summary>
    private static int? ScreenWidth(string? screen)
    {
        if (screen is null)
        {
            return null;
        }

        var x = screen.IndexOf('x', StringComparison.Ordinal);
        return int.TryParse(x < 0 ? screen : screen[..x], NumberStyles.None, CultureInfo.InvariantCulture, out var width) ? width : null;
    }
}

public sealed class UmamiPayload
{
    public string? Website { get; set; }
    public string? Hostname { get; set; }
    public string? Url { get; set; }
    public string? Referrer { get; set; }
    public string? Title { get; set; }
    public string? Screen { get; set; }
    public string? Language { get; set; }
    public string? Name { get; set; }

    [JsonConverter(typeof(VisitorPropsConverter))]
    public Dictionary<string, JsonElement>? Data { get; set; }
}

/// <summary>Umami's answer: a cache token its tracker sends back as <c>x-umami-cache</c> (we never read it).</summary>
public sealed record UmamiAnswer([property: JsonPropertyName("cache")] string Cache);
