using System.Globalization;
using System.Text.Json.Nodes;

namespace LiveInsight.Api.Query;

/// <summary>The comparison period's rows, and how Plausible states the change of each metric against them.</summary>
public sealed record QueryComparisonAnswer(QueryPeriod Period, List<object?[]> Rows)
{
    /// <summary>A metric of a row the comparison period does not have: nothing happened then.</summary>
    public static object? Empty(string metric) => metric is "time_on_page" or "scroll_depth" ? null : 0L;

    /// <summary>Plausible's change: rates (bounce_rate, conversion_rate) as the difference in points, every other
    /// metric as a whole percent of the old value (100 from nothing to something, 0 from nothing to nothing); null
    /// when either side has no number (or, for bounce_rate, the old period had no visits to bounce).</summary>
    public static JsonNode? Change(string metric, object? before, object? now)
    {
        if (before is null || now is null)
        {
            return null;
        }

        var (old, current) = (Convert.ToDouble(before, CultureInfo.InvariantCulture), Convert.ToDouble(now, CultureInfo.InvariantCulture));
        return metric switch
        {
            "conversion_rate" => JsonValue.Create(Math.Round(current - old, 1, MidpointRounding.AwayFromZero)),
            "bounce_rate" => old > 0 ? JsonValue.Create((long)Math.Round(current - old, MidpointRounding.AwayFromZero)) : null,
            _ when old == 0 => JsonValue.Create(current > 0 ? 100L : 0L),
            _ => JsonValue.Create((long)Math.Round((current - old) / old * 100, MidpointRounding.AwayFromZero)),
        };
    }
}
