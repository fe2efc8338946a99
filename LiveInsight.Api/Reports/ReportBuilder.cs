using LiveInsight.Api.Stats;
using LiveInsight.Core.Alerts;
using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Reports;

/// <summary>A report's figures: the very <see cref="StatsService"/> answers the stats API gives for the same site-days.</summary>
public sealed record ReportModel(
    Site Site, string Frequency, DateOnly From, DateOnly To, SummaryStats Summary,
    IReadOnlyList<PageStatsRow> TopPages, IReadOnlyList<BreakdownRow> Sources, IReadOnlyList<BreakdownRow> Goals);

public sealed class ReportBuilder(StatsService stats)
{
    public const int TopRows = 10;

    /// <summary>The period a report sent on <paramref name="sendDay"/> (a site-local day) covers: the week (Monday to
    /// Sunday) or the month before it.</summary>
    public static (DateOnly From, DateOnly To) Period(string frequency, DateOnly sendDay) => frequency == ReportFrequencies.Monthly
        ? (new DateOnly(sendDay.Year, sendDay.Month, 1).AddMonths(-1), new DateOnly(sendDay.Year, sendDay.Month, 1).AddDays(-1))
        : (sendDay.AddDays(-7 - (((int)sendDay.DayOfWeek + 6) % 7)), sendDay.AddDays(-1 - (((int)sendDay.DayOfWeek + 6) % 7)));

    /// <summary>Whether <paramref name="localDay"/> is the day a report of this frequency goes out (Monday; the 1st).</summary>
    public static bool IsSendDay(string frequency, DateOnly localDay) =>
        frequency == ReportFrequencies.Monthly ? localDay.Day == 1 : localDay.DayOfWeek == DayOfWeek.Monday;

    public async Task<ReportModel> BuildAsync(Site site, string frequency, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var zone = SiteTimeZones.Of(site.TimeZone);
        var scope = new StatsScope(site.SiteId, zone, from, to, Filter: null, Limit: TopRows, Interval: null);
        var summary = await stats.SummaryAsync(scope, cancellationToken);
        var pages = await stats.PagesAsync(scope, cancellationToken);
        var sources = await stats.BreakdownAsync(scope, BreakdownKind.All.Single(k => k.Route == "sources"), cancellationToken);
        var goals = await stats.BreakdownAsync(scope, BreakdownKind.All.Single(k => k.Route == "events"), cancellationToken);
        return new ReportModel(site, frequency, from, to, summary, pages.Pages, sources.Rows, goals.Rows);
    }
}
