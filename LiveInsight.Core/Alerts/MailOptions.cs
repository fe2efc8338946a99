using System.ComponentModel.DataAnnotations;

namespace LiveInsight.Core.Alerts;

/// <summary>The SMTP server alerts and reports go through (<c>Mail</c> section). Locally the AppHost points it at maildev;
/// in AWS, SES's SMTP interface (DEPLOY.md). No host: mail is off, and what would have been sent is logged as failed.</summary>
public sealed class MailOptions
{
    public const string SectionName = "Mail";

    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 587;

    /// <summary><c>starttls</c> (the default: required), <c>tls</c> (TLS from the first byte, port 465), <c>auto</c>
    /// (STARTTLS when offered) or <c>none</c> (a local test server only).</summary>
    [RegularExpression("^(starttls|tls|auto|none)$")]
    public string Security { get; set; } = "starttls";

    public string? UserName { get; set; }

    public string? Password { get; set; }

    [Required]
    public string From { get; set; } = "LiveInsight <alerts@liveinsight.local>";
}

/// <summary>Alerts and reports (<c>Alerts</c> section), shared by the aggregator (alerts) and the Api (reports, unsubscribe).</summary>
public sealed class AlertsOptions
{
    public const string SectionName = "Alerts";

    /// <summary>Signs unsubscribe links (HMAC-SHA256). The same value on every Api and aggregator replica; at least 32
    /// characters. Empty: a random one per process, so links break on restart (development only).</summary>
    public string SigningKey { get; set; } = "";

    /// <summary>Where the Api is reachable from a mail reader (unsubscribe links point there).</summary>
    public string PublicApiUrl { get; set; } = "http://localhost:5080";

    /// <summary>Where the dashboard is (links in messages).</summary>
    public string DashboardUrl { get; set; } = "http://localhost:5090";

    /// <summary>At most this many alert messages per site per UTC hour; more are logged as suppressed.</summary>
    [Range(1, 1000)]
    public int MaxMessagesPerSiteHour { get; set; } = 10;

    /// <summary>How many times a webhook is tried in all, and the first wait (doubled after each failure).</summary>
    [Range(1, 10)]
    public int WebhookAttempts { get; set; } = 4;

    [Range(0, 600_000)]
    public int WebhookFirstBackoffMs { get; set; } = 2000;

    [Range(100, 60_000)]
    public int WebhookTimeoutMs { get; set; } = 5000;

    /// <summary>Let webhooks reach loopback and private addresses (a receiver on the developer's machine, tests). Off in
    /// production: a rule's URL must not reach the installation's own network.</summary>
    public bool AllowPrivateWebhookTargets { get; set; }
}
