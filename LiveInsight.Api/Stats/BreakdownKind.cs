using LiveInsight.Core.Stats;

namespace LiveInsight.Api.Stats;

/// <summary>One breakdown report: its route under <c>/api/stats/</c>, the rollup dimension it reads and how it ranks.</summary>
public sealed record BreakdownKind(string Route, string Dimension, string SortBy, string Summary)
{
    public static readonly IReadOnlyList<BreakdownKind> All =
    [
        new("sources", RollupLayout.Source, RollupLayout.Sessions, "Traffic sources (Google, Direct, a referring site, …) by sessions"),
        new("mediums", RollupLayout.Medium, RollupLayout.Sessions, "Traffic mediums (organic, referral, social, …) by sessions"),
        new("referrers", RollupLayout.Referrer, RollupLayout.Sessions, "Referring hosts by sessions"),
        new("utm-sources", RollupLayout.UtmSource, RollupLayout.Sessions, "utm_source values by sessions"),
        new("utm-mediums", RollupLayout.UtmMedium, RollupLayout.Sessions, "utm_medium values by sessions"),
        new("campaigns", RollupLayout.UtmCampaign, RollupLayout.Sessions, "utm_campaign values by sessions"),
        new("browsers", RollupLayout.Browser, RollupLayout.Sessions, "Browsers by sessions"),
        new("os", RollupLayout.Os, RollupLayout.Sessions, "Operating systems by sessions"),
        new("devices", RollupLayout.Device, RollupLayout.Sessions, "Device classes (desktop, mobile, tablet) by sessions"),
        new("countries", RollupLayout.Country, RollupLayout.Sessions, "Countries (ISO 3166-1 alpha-2) by sessions"),
        new("entry-pages", RollupLayout.Page, RollupLayout.Entries, "Pages where sessions started"),
        new("exit-pages", RollupLayout.Page, RollupLayout.Exits, "Pages where sessions ended"),
        new("events", RollupLayout.Event, RollupLayout.Events, "Custom events by count"),
    ];

    public IReadOnlyList<string> Metrics => SortBy switch
    {
        RollupLayout.Sessions => ["sessions", "pageviews", "bounce_rate", "avg_duration_seconds"],
        RollupLayout.Entries => ["entries", "pageviews"],
        RollupLayout.Exits => ["exits", "pageviews"],
        _ => ["events"],
    };

    public BreakdownRow Row(string value, Totals t) => SortBy switch
    {
        RollupLayout.Sessions => new BreakdownRow(value, Sessions: t.Sessions, Pageviews: t.Pageviews, BounceRate: t.BounceRate, AvgDurationSeconds: t.AvgDurationSeconds),
        RollupLayout.Entries => new BreakdownRow(value, Pageviews: t.Pageviews, Entries: t[RollupLayout.Entries]),
        RollupLayout.Exits => new BreakdownRow(value, Pageviews: t.Pageviews, Exits: t[RollupLayout.Exits]),
        _ => new BreakdownRow(value, Events: t[RollupLayout.Events]),
    };
}
