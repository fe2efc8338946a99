using LiveInsight.Core.Stats;

namespace LiveInsight.Api.Stats;

/// <summary>One breakdown report: its route under <c>/api/stats/</c>, the rollup dimension it reads and how it ranks.
/// Session dimensions (<see cref="SortBy"/> = sessions) rank by unique visitors, then sessions, as Plausible does.</summary>
public sealed record BreakdownKind(string Route, string Dimension, string SortBy, string Summary)
{
    private const string ByVisitors = " by unique visitors, then sessions";

    public static readonly IReadOnlyList<BreakdownKind> All =
    [
        new("sources", RollupLayout.Source, RollupLayout.Sessions, "Traffic sources (Google, Direct, a referring site, …)" + ByVisitors),
        new("mediums", RollupLayout.Medium, RollupLayout.Sessions, "Traffic mediums (organic, referral, social, …)" + ByVisitors),
        new("referrers", RollupLayout.Referrer, RollupLayout.Sessions, "Referring hosts" + ByVisitors),
        new("utm-sources", RollupLayout.UtmSource, RollupLayout.Sessions, "utm_source values" + ByVisitors),
        new("utm-mediums", RollupLayout.UtmMedium, RollupLayout.Sessions, "utm_medium values" + ByVisitors),
        new("campaigns", RollupLayout.UtmCampaign, RollupLayout.Sessions, "utm_campaign values" + ByVisitors),
        new("browsers", RollupLayout.Browser, RollupLayout.Sessions, "Browsers" + ByVisitors),
        new("os", RollupLayout.Os, RollupLayout.Sessions, "Operating systems" + ByVisitors),
        new("devices", RollupLayout.Device, RollupLayout.Sessions, "Device classes (desktop, mobile, tablet)" + ByVisitors),
        new("countries", RollupLayout.Country, RollupLayout.Sessions, "Countries (ISO 3166-1 alpha-2)" + ByVisitors),
        new("entry-pages", RollupLayout.Page, RollupLayout.Entries, "Pages where sessions started"),
        new("exit-pages", RollupLayout.Page, RollupLayout.Exits, "Pages where sessions ended"),
        new("events", RollupLayout.Event, RollupLayout.Events, "Custom events by count, with their unique visitors"),
    ];

    /// <summary>Whether the rows carry unique visitors (session dimensions and events: their day sketches).</summary>
    public bool HasVisitors => SortBy is RollupLayout.Sessions or RollupLayout.Events;

    /// <summary>The row's fields in order (the JSON's <c>metrics</c>, the CSV and HTML columns after the value). New ones
    /// are appended, so a reader that counts columns keeps working.</summary>
    public IReadOnlyList<string> Metrics => SortBy switch
    {
        RollupLayout.Sessions => ["sessions", "pageviews", "bounce_rate", "avg_duration_seconds", "visitors", "views_per_visit"],
        RollupLayout.Entries => ["entries", "pageviews"],
        RollupLayout.Exits => ["exits", "pageviews"],
        _ => ["events", "visitors"],
    };

    public BreakdownRow Row(string value, Totals t, long visitors = 0) => SortBy switch
    {
        RollupLayout.Sessions => new BreakdownRow(value, Sessions: t.Sessions, Pageviews: t.Pageviews, BounceRate: t.BounceRate,
            AvgDurationSeconds: t.AvgDurationSeconds, Visitors: visitors, ViewsPerVisit: t.ViewsPerVisit),
        RollupLayout.Entries => new BreakdownRow(value, Pageviews: t.Pageviews, Entries: t[RollupLayout.Entries]),
        RollupLayout.Exits => new BreakdownRow(value, Pageviews: t.Pageviews, Exits: t[RollupLayout.Exits]),
        _ => new BreakdownRow(value, Events: t[RollupLayout.Events], Visitors: visitors),
    };
}
