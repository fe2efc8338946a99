using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using LiveInsight.Core.Alerts;
using LiveInsight.Core.Sites;

namespace LiveInsight.Aggregator.Alerts;

/// <summary>An alert's opening ("firing") or end ("resolved"), as every channel renders it.</summary>
public sealed record AlertMessage(Site Site, AlertRule Rule, string State, AlertReading Reading, DateTimeOffset StartedAt, DateTimeOffset At)
{
    public const string Firing = "firing";
    public const string Resolved = "resolved";

    /// <summary>The same for the opening and the end of one episode, so a receiver can pair them.</summary>
    public string EpisodeId => $"{Site.SiteId}:{Rule.Id}:{StartedAt.ToUnixTimeMilliseconds()}";

    public string Title => $"{(State == Firing ? "" : "Resolved: ")}{KindTitle} on {Clean(Site.Name)}{(Rule.Name.Length > 0 ? $" ({Clean(Rule.Name)})" : "")}";

    private string KindTitle => Rule.Kind switch
    {
        AlertKinds.Spike => "Traffic spike",
        AlertKinds.Drop => "Traffic drop",
        _ => "Goal alert",
    };

    public string Text(string dashboardUrl) =>
        $"{Title}\n\n{Clean(Reading.Summary)}\nStarted {StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC" +
        (State == Resolved ? $", ended {At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} UTC" : "") + $"\n\n{dashboardUrl}";

    public string Html(string dashboardUrl, string unsubscribeUrl)
    {
        var e = HtmlEncoder.Default;
        return $"""
            <!doctype html><html><head><meta charset="utf-8"><title>{e.Encode(Title)}</title></head>
            <body style="font-family:Arial,Helvetica,sans-serif;color:#18181b">
            <h1 style="font-size:18px">{e.Encode(Title)}</h1>
            <p>{e.Encode(Reading.Summary)}</p>
            <p style="color:#52525b">Started {e.Encode(StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))} UTC{(State == Resolved ? $", ended {e.Encode(At.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture))} UTC" : "")}</p>
            <p style="font-size:12px;color:#71717a"><a href="{e.Encode(dashboardUrl)}">Open the dashboard</a> · <a href="{e.Encode(unsubscribeUrl)}">Unsubscribe</a></p>
            </body></html>
            """;
    }

    /// <summary>The webhook body: LiveInsight's schema (<see cref="WebhookPayload"/>, stable: fields are only ever
    /// added), or Slack's <c>text</c> / Discord's <c>content</c>.</summary>
    public string WebhookBody(string format, string dashboardUrl) => format switch
    {
        WebhookFormats.Slack => JsonSerializer.Serialize(new SlackBody(Text(dashboardUrl)), WebhookJson.Default.SlackBody),
        WebhookFormats.Discord => JsonSerializer.Serialize(new DiscordBody(Text(dashboardUrl)[..Math.Min(Text(dashboardUrl).Length, 2000)]), WebhookJson.Default.DiscordBody),
        _ => JsonSerializer.Serialize(new WebhookPayload(
            WebhookPayload.SchemaName, EpisodeId, State, Rule.Kind, new WebhookSite(Site.SiteId, Site.Name), new WebhookRule(Rule.Id, Rule.Name),
            Reading.Summary, Reading.Value, Reading.Threshold, Reading.Baseline, StartedAt, At, dashboardUrl), WebhookJson.Default.WebhookPayload),
    };

    private static string Clean(string text) => new(text.Select(c => char.IsControl(c) ? ' ' : c).ToArray());
}

public sealed record WebhookPayload(
    string Schema, string Id, string State, string Kind, WebhookSite Site, WebhookRule Rule, string Summary, double Value, double? Threshold,
    double? Baseline, DateTimeOffset StartedAt, DateTimeOffset At, string DashboardUrl)
{
    public const string SchemaName = "liveinsight.alert.v1";
}

public sealed record WebhookSite(string Id, string Name);

public sealed record WebhookRule(string Id, string Name);

public sealed record SlackBody(string Text);

public sealed record DiscordBody(string Content);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(WebhookPayload))]
[JsonSerializable(typeof(SlackBody))]
[JsonSerializable(typeof(DiscordBody))]
internal sealed partial class WebhookJson : JsonSerializerContext;
