using System.Globalization;
using System.Text.Json.Nodes;

namespace LiveInsight.Api.Query;

/// <summary>Turns a <c>date_range</c> into site-local days (the lake's <c>day</c> partitions) and UTC <c>ts</c> bounds.</summary>
public static class QueryPeriods
{
    public static readonly string[] Shortcuts = ["day", "7d", "28d", "30d", "91d", "month", "6mo", "12mo", "year", "all"];

    public static readonly DateOnly FirstDate = new(2000, 1, 1);
    public static readonly DateOnly LastDate = new(2999, 12, 31);

    /// <summary>Ten years of days: enough for any real range, and each day costs one directory probe.</summary>
    public const int MaxDays = 3_660;

    /// <param name="firstDay">The site's first day in the lake (for "all"), or null when it has none.</param>
    public static QueryPeriod Resolve(JsonNode range, TimeZoneInfo zone, DateTimeOffset now, Func<DateOnly?> firstDay)
    {
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, zone).DateTime);
        var month = new DateOnly(today.Year, today.Month, 1);
        var (first, last) = range is JsonArray pair
            ? (Date(pair[0]!.GetValue<string>()), Date(pair[1]!.GetValue<string>()))
            : range.GetValue<string>() switch
            {
                "day" => (today, today),
                "7d" => (today.AddDays(-6), today),
                "28d" => (today.AddDays(-27), today),
                "30d" => (today.AddDays(-29), today),
                "91d" => (today.AddDays(-90), today),
                "month" => (month, month.AddMonths(1).AddDays(-1)),
                "6mo" => (month.AddMonths(-5), month.AddMonths(1).AddDays(-1)),
                "12mo" => (month.AddMonths(-11), month.AddMonths(1).AddDays(-1)),
                "year" => (new DateOnly(today.Year, 1, 1), new DateOnly(today.Year, 12, 31)),
                _ => (Min(firstDay() ?? today, today), today), // "all"
            };
        var (from, to) = (MidnightUtc(first, zone), MidnightUtc(last.AddDays(1), zone));
        return new QueryPeriod(first, last, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(),
            zone.GetUtcOffset(from), zone.GetUtcOffset(to.AddSeconds(-1)));
    }

    public static bool TryDate(string text, out DateOnly date) =>
        DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out date);

    /// <summary>The instant a site-local day starts (a midnight skipped by a clock change starts at the first valid minute).</summary>
    public static DateTimeOffset MidnightUtc(DateOnly day, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(TimeOnly.MinValue, DateTimeKind.Unspecified);
        while (zone.IsInvalidTime(local))
        {
            local = local.AddMinutes(15);
        }

        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }

    /// <summary>Plausible echoes the range as local date-times with their offset.</summary>
    public static JsonArray Echo(QueryPeriod period) =>
    [
        period.First.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T00:00:00" + Offset(period.FirstOffset),
        period.Last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + "T23:59:59" + Offset(period.LastOffset),
    ];

    private static string Offset(TimeSpan offset) =>
        (offset < TimeSpan.Zero ? "-" : "+") + offset.Duration().ToString(@"hh\:mm", CultureInfo.InvariantCulture);

    private static DateOnly Date(string text) => TryDate(text, out var d) ? d : throw new QueryException("date_range must be two dates as YYYY-MM-DD.");

    private static DateOnly Min(DateOnly a, DateOnly b) => a < b ? a : b;
}
