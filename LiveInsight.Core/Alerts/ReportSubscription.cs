using System.ComponentModel;

namespace LiveInsight.Core.Alerts;

public static class ReportFrequencies
{
    public const string Weekly = "weekly";
    public const string Monthly = "monthly";

    public static readonly IReadOnlyList<string> All = [Weekly, Monthly];
}

/// <summary>A recipient of a site's scheduled report: the previous week (Monday to Sunday) or month, sent on the first
/// day of the next one at <see cref="Hour"/> in the site's time zone.</summary>
[ImmutableObject(true)]
public sealed record ReportSubscription(string Id, string SiteId, string Email, string Frequency, int Hour, DateTimeOffset CreatedAt);

/// <summary>One attempt to deliver one message on one channel, as the delivery log shows it.</summary>
[ImmutableObject(true)]
public sealed record Delivery(
    DateTimeOffset At, string Channel, string Target, string Subject, string Outcome, int Attempt, int? Status, string? Error);

/// <summary>Outcomes in the delivery log.</summary>
public static class DeliveryOutcomes
{
    public const string Sent = "sent";
    public const string Failed = "failed";
    public const string Retrying = "retrying";
    public const string QuietHours = "suppressed:quiet_hours";
    public const string Throttled = "suppressed:limit";
    public const string Unsubscribed = "suppressed:unsubscribed";
}
