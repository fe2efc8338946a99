using System.ComponentModel;

namespace LiveInsight.Core.Alerts;

/// <summary>What an alert rule watches.</summary>
public static class AlertKinds
{
    /// <summary>Current visitors above <see cref="AlertRule.VisitorsAbove"/>, or this hour's page views above
    /// <see cref="AlertRule.BaselineFactor"/> × the same hour's average over the last four weeks.</summary>
    public const string Spike = "spike";

    /// <summary>No events for <see cref="AlertRule.SilentMinutes"/> in an hour that normally has traffic, or the last full
    /// hour's page views below <see cref="AlertRule.BaselineFactor"/> × that hour's baseline.</summary>
    public const string Drop = "drop";

    /// <summary>Conversions of <see cref="AlertRule.Goal"/> (a custom event) in the last <see cref="AlertRule.WindowHours"/>
    /// hours above or below <see cref="AlertRule.Threshold"/>.</summary>
    public const string Goal = "goal";

    public static readonly IReadOnlyList<string> All = [Spike, Drop, Goal];
}

/// <summary>How a webhook's body is shaped: LiveInsight's own schema, or what Slack and Discord incoming webhooks take.</summary>
public static class WebhookFormats
{
    public const string Json = "json";
    public const string Slack = "slack";
    public const string Discord = "discord";

    public static readonly IReadOnlyList<string> All = [Json, Slack, Discord];
}

[ImmutableObject(true)]
public sealed record Webhook(string Url, string Format);

/// <summary>Hours of the site's day (from inclusive, to exclusive; may wrap past midnight) in which no alert is sent.</summary>
[ImmutableObject(true)]
public sealed record QuietHours(int From, int To)
{
    public bool Contains(int hour) => From <= To ? hour >= From && hour < To : hour >= From || hour < To;
}

/// <summary>
/// One alert rule of one site. Off until the owner turns it on (<see cref="Enabled"/>); thresholds the owner leaves out
/// get <see cref="AlertDefaults"/>. The webhook secret signs every webhook body (HMAC-SHA256); it is shown once, when
/// the rule is created, and never read back through the API.
/// </summary>
[ImmutableObject(true)]
public sealed record AlertRule
{
    public required string Id { get; init; }

    public required string SiteId { get; init; }

    public required string Kind { get; init; }

    public string Name { get; init; } = "";

    public bool Enabled { get; init; }

    public int? VisitorsAbove { get; init; }

    public double? BaselineFactor { get; init; }

    public int? SilentMinutes { get; init; }

    public string? Goal { get; init; }

    /// <summary><c>above</c> or <c>below</c> (goal rules).</summary>
    public string? Direction { get; init; }

    public long? Threshold { get; init; }

    public int? WindowHours { get; init; }

    public QuietHours? QuietHours { get; init; }

    public IReadOnlyList<string> Emails { get; init; } = [];

    public IReadOnlyList<Webhook> Webhooks { get; init; } = [];

    public string WebhookSecret { get; init; } = "";

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>The thresholds a new rule gets for what its owner leaves out.</summary>
public static class AlertDefaults
{
    public const double SpikeFactor = 3.0;
    public const double DropFactor = 0.25;
    public const int SilentMinutes = 30;
    public const int WindowHours = 1;

    /// <summary>An hour "normally has traffic" when its four-week average has at least this many page views.</summary>
    public const double NormalTrafficPageviews = 1.0;

    public static AlertRule Apply(AlertRule rule) => rule.Kind switch
    {
        AlertKinds.Spike when rule.VisitorsAbove is null && rule.BaselineFactor is null => rule with { BaselineFactor = SpikeFactor },
        AlertKinds.Drop when rule.SilentMinutes is null && rule.BaselineFactor is null => rule with { SilentMinutes = SilentMinutes },
        AlertKinds.Goal => rule with { WindowHours = rule.WindowHours ?? WindowHours, Direction = rule.Direction ?? "above" },
        _ => rule,
    };
}

/// <summary>Bounds on what one site can store (everything here grows per owner input, so everything has a cap).</summary>
public static class AlertLimits
{
    public const int MaxRulesPerSite = 20;
    public const int MaxReportsPerSite = 20;
    public const int MaxEmailsPerRule = 10;
    public const int MaxWebhooksPerRule = 5;
    public const int MaxNameLength = 100;
    public const int MaxGoalLength = 200;
    public const int MaxUrlLength = 2000;
    public const int MaxEmailLength = 254;
    public const int MaxWindowHours = 168;
    public const int MaxSilentMinutes = 24 * 60;

    /// <summary>Delivery log entries kept (each also expires after <see cref="DeliveryRetention"/>).</summary>
    public const int MaxDeliveriesRead = 100;

    public static readonly TimeSpan DeliveryRetention = TimeSpan.FromDays(30);
}
