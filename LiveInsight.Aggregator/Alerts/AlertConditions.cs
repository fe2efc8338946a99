using System.Globalization;
using LiveInsight.Core.Alerts;

namespace LiveInsight.Aggregator.Alerts;

/// <summary>Where a rule stands this minute: whether its condition holds, and the figures behind it (for messages).</summary>
public sealed record AlertReading(bool Firing, string Summary, double Value, double? Threshold, double? Baseline);

/// <summary>One method per kind of rule; each reads only what its rule needs.</summary>
public sealed class AlertConditions(AlertSignals signals)
{
    public Task<AlertReading> ReadAsync(AlertRule rule, DateTimeOffset now, CancellationToken cancellationToken) => rule.Kind switch
    {
        AlertKinds.Spike => SpikeAsync(rule, now, cancellationToken),
        AlertKinds.Drop => DropAsync(rule, now, cancellationToken),
        AlertKinds.Goal => GoalAsync(rule, now, cancellationToken),
        _ => Task.FromResult(new AlertReading(false, "unknown rule kind", 0, null, null)),
    };

    private async Task<AlertReading> SpikeAsync(AlertRule rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (rule.VisitorsAbove is { } limit)
        {
            var current = await signals.CurrentVisitorsAsync(rule.SiteId, now);
            if (current > limit || rule.BaselineFactor is null)
            {
                return new AlertReading(current > limit, $"{N(current)} current visitors (alert above {N(limit)})", current, limit, null);
            }
        }

        var hour = AlertSignals.HourOf(now);
        var pageviews = await signals.HourPageviewsAsync(rule.SiteId, hour, cancellationToken);
        var baseline = await signals.BaselineAsync(rule.SiteId, hour, cancellationToken);
        var threshold = rule.BaselineFactor!.Value * baseline;
        return new AlertReading(baseline > 0 && pageviews > threshold,
            $"{N(pageviews)} page views this hour, usually {N(baseline)} (alert above {N(threshold)})", pageviews, threshold, baseline);
    }

    private async Task<AlertReading> DropAsync(AlertRule rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (rule.SilentMinutes is { } minutes)
        {
            var baseline = await signals.BaselineAsync(rule.SiteId, AlertSignals.HourOf(now), cancellationToken);
            var newest = await signals.NewestActivityAsync(rule.SiteId);
            if (newest is null)
            {
                await signals.StartWatchingAsync(rule.SiteId, now);
            }

            var silent = newest is { } ms ? (now - DateTimeOffset.FromUnixTimeMilliseconds(ms)).TotalMinutes : 0;
            var firing = baseline >= AlertDefaults.NormalTrafficPageviews && silent >= minutes;
            if (firing || rule.BaselineFactor is null)
            {
                return new AlertReading(firing,
                    $"No events for {N(Math.Floor(silent))} minutes in an hour that usually has {N(baseline)} page views (alert after {minutes})", silent, minutes, baseline);
            }
        }

        // The last full hour: the current one is still filling, and would be "below" its baseline every morning.
        var hour = AlertSignals.HourOf(now).AddHours(-1);
        var pageviews = await signals.HourPageviewsAsync(rule.SiteId, hour, cancellationToken);
        var usual = await signals.BaselineAsync(rule.SiteId, hour, cancellationToken);
        var threshold = rule.BaselineFactor!.Value * usual;
        return new AlertReading(usual >= AlertDefaults.NormalTrafficPageviews && pageviews < threshold,
            $"{N(pageviews)} page views in the last hour, usually {N(usual)} (alert below {N(threshold)})", pageviews, threshold, usual);
    }

    private async Task<AlertReading> GoalAsync(AlertRule rule, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var hours = rule.WindowHours ?? AlertDefaults.WindowHours;
        var first = AlertSignals.HourOf(now).AddHours(1 - hours);
        var counts = await Task.WhenAll(Enumerable.Range(0, hours).Select(h => signals.HourEventsAsync(rule.SiteId, first.AddHours(h), rule.Goal!, cancellationToken)));
        var total = counts.Sum();
        var threshold = rule.Threshold ?? 0;
        var above = rule.Direction != "below";
        return new AlertReading(above ? total > threshold : total < threshold,
            $"{N(total)} conversions of \"{rule.Goal}\" in the last {hours} h (alert {(above ? "above" : "below")} {N(threshold)})", total, threshold, null);
    }

    private static string N(double value) => value.ToString(value % 1 == 0 ? "N0" : "N1", CultureInfo.InvariantCulture);
}
