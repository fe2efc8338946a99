using LiveInsight.Core.Alerts;

namespace LiveInsight.Api.Alerts;

public sealed record QuietHoursRequest(int? From, int? To);

public sealed record WebhookRequest(string? Url, string? Format);

/// <summary>A rule as the owner submits it (create, or replace whole). Absent thresholds get <see cref="AlertDefaults"/>.</summary>
public sealed record AlertRuleRequest(
    string? Kind,
    string? Name = null,
    bool? Enabled = null,
    int? VisitorsAbove = null,
    double? BaselineFactor = null,
    int? SilentMinutes = null,
    string? Goal = null,
    string? Direction = null,
    long? Threshold = null,
    int? WindowHours = null,
    QuietHoursRequest? QuietHours = null,
    IReadOnlyList<string>? Emails = null,
    IReadOnlyList<WebhookRequest>? Webhooks = null);

/// <summary>A rule as the API shows it: everything but the webhook secret.</summary>
public sealed record AlertRuleView(
    string Id, string Kind, string Name, bool Enabled, int? VisitorsAbove, double? BaselineFactor, int? SilentMinutes,
    string? Goal, string? Direction, long? Threshold, int? WindowHours, QuietHours? QuietHours,
    IReadOnlyList<string> Emails, IReadOnlyList<Webhook> Webhooks, DateTimeOffset CreatedAt)
{
    public static AlertRuleView Of(AlertRule r) => new(
        r.Id, r.Kind, r.Name, r.Enabled, r.VisitorsAbove, r.BaselineFactor, r.SilentMinutes, r.Goal, r.Direction, r.Threshold,
        r.WindowHours, r.QuietHours, r.Emails, r.Webhooks, r.CreatedAt);
}

/// <summary>The only response that holds the webhook secret (the receiver checks <c>X-LiveInsight-Signature</c> with it).</summary>
public sealed record CreatedAlertRule(AlertRuleView Rule, string WebhookSecret);

public sealed record AlertRuleList(string SiteId, IReadOnlyList<AlertRuleView> Rules, AlertRuleDefaults Defaults);

/// <summary>What the settings form offers for a new rule.</summary>
public sealed record AlertRuleDefaults(double SpikeFactor, double DropFactor, int SilentMinutes, int WindowHours, int MaxRules)
{
    public static readonly AlertRuleDefaults Current = new(
        AlertDefaults.SpikeFactor, AlertDefaults.DropFactor, AlertDefaults.SilentMinutes, AlertDefaults.WindowHours, AlertLimits.MaxRulesPerSite);
}

public sealed record DeliveryList(string SiteId, IReadOnlyList<Delivery> Deliveries);

public sealed record ReportRequest(string? Email, string? Frequency, int? Hour);

public sealed record ReportList(string SiteId, IReadOnlyList<ReportSubscription> Reports);
