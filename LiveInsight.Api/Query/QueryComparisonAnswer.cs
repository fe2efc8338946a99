using System.Globalization;
using System.Text.Json.Nodes;

namespace LiveInsight.Api.Query;

/// <summary>The comparison period's rows, and how Plausible states the change of each metric against them.</summary>
public sealed record QueryComparisonAnswer(QueryPeriod Period, List<object?[]> Rows)
{
    /// <summary>
    /// Where a time bucket sits in its period: the Nth hour, day, week or month from the period's first day. With a time
    /// dimension the Nth bucket of the answer compares with the Nth bucket of the comparison period (Plausible's
    /// alignment: the 3rd day of this week against the 3rd day of last week). Null for anything not a bucket label.
    /// </summary>
    public static int? BucketIndex(string dimension, string value, DateOnly first)
    {
        if (!DateTime.TryParseExact(value, dimension == "time:hour" ? "yyyy-MM-dd HH:mm:ss" : "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var at))
        {
            return null;
        }

        var day = DateOnly.FromDateTime(at);
        return dimension switch
        {
            "time:hour" => (day.DayNumber - first.DayNumber) * 24 + at.Hour,
            "time:day" => day.DayNumber - first.DayNumber,
            "time:week" => (day.DayNumber - Monday(first).DayNumber) / 7,
            "time:month" => (day.Year * 12 + day.Month) - (first.Year * 12 + first.Month),
            _ => null,
        };
    }

    /// <summary>The label of the <paramref name="index"/>th bucket of a period starting on <paramref name="first"/>
    /// (as DuckDB writes it: weeks start on Monday, months on the 1st).</summary>
    public static string BucketLabel(string dimension, int index, DateOnly first) => dimension switch
    {
        "time:hour" => first.ToDateTime(TimeOnly.MinValue).AddHours(index).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        "time:day" => first.AddDays(index).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        "time:week" => Monday(first).AddDays(7 * index).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        _ => new DateOnly(first.Year, first.Month, 1).AddMonths(index).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    private static DateOnly Monday(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

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
