using System.Text.Json.Serialization;
using LiveInsight.Api.Extensions;

namespace LiveInsight.Api.Stats;

public sealed record DailyStats(string SiteId, IReadOnlyList<DayStats> Days) : ITabular
{
    string ITabular.Report => "daily";

    IReadOnlyList<string> ITabular.Columns => ["date", "visitors", "pageviews", "sessions", "bounce_rate", "avg_duration_seconds"];

    IEnumerable<object?[]> ITabular.Rows() =>
        Days.Select(d => new object?[] { d.Date, d.Visitors, d.Pageviews, d.Sessions, d.BounceRate, d.AvgDurationSeconds });
}

public sealed record DayStats(string Date, long? Visitors, long Pageviews, long? Sessions, double? BounceRate, double? AvgDurationSeconds);

public sealed record PageStats(string SiteId, IReadOnlyList<PageStatsRow> Pages) : ITabular
{
    string ITabular.Report => "pages";

    IReadOnlyList<string> ITabular.Columns => ["path", "pageviews", "visitors", "entries", "exits", "time_on_page_seconds", "scroll_depth"];

    IEnumerable<object?[]> ITabular.Rows() =>
        Pages.Select(p => new object?[] { p.Path, p.Pageviews, p.Visitors, p.Entries, p.Exits, p.TimeOnPageSeconds, p.ScrollDepth });
}

/// <summary><see cref="TimeOnPageSeconds"/>: mean engaged (visible) time per page view that reported engagement;
/// <see cref="ScrollDepth"/>: mean of each page view's deepest scroll, in percent. Null when no page view reported one.</summary>
public sealed record PageStatsRow(string Path, long Pageviews, long Visitors, long Entries, long Exits, double? TimeOnPageSeconds, double? ScrollDepth);

/// <summary>A figure with the previous period's and the relative change (0.25 = +25 %; null when there was nothing before).</summary>
public sealed record Compared(double? Value, double? Previous, double? Change)
{
    public static Compared Of(double? value, double? previous) =>
        new(value, previous, value is null || previous is null or 0 ? null : Math.Round((value.Value - previous.Value) / previous.Value, 4));
}

public sealed record SummaryStats(
    string SiteId, string From, string To, string PreviousFrom, string PreviousTo,
    Compared Visitors, Compared Pageviews, Compared Sessions, Compared BounceRate, Compared AvgDurationSeconds, Compared ViewsPerVisit,
    Compared TimeOnPageSeconds, Compared ScrollDepth) : ITabular
{
    string ITabular.Report => "summary";

    IReadOnlyList<string> ITabular.Columns => ["metric", "value", "previous", "change"];

    IEnumerable<object?[]> ITabular.Rows() =>
        new (string, Compared)[]
        {
            ("visitors", Visitors), ("pageviews", Pageviews), ("sessions", Sessions), ("bounce_rate", BounceRate),
            ("avg_duration_seconds", AvgDurationSeconds), ("views_per_visit", ViewsPerVisit),
            ("time_on_page_seconds", TimeOnPageSeconds), ("scroll_depth", ScrollDepth),
        }.Select(m => new object?[] { m.Item1, m.Item2.Value, m.Item2.Previous, m.Item2.Change });
}

public sealed record Timeseries(string SiteId, string Interval, IReadOnlyList<TimeseriesPoint> Points) : ITabular
{
    string ITabular.Report => "timeseries";

    IReadOnlyList<string> ITabular.Columns => ["time", "visitors", "pageviews", "sessions", "bounce_rate", "avg_duration_seconds"];

    IEnumerable<object?[]> ITabular.Rows() =>
        Points.Select(p => new object?[] { p.Time, p.Visitors, p.Pageviews, p.Sessions, p.BounceRate, p.AvgDurationSeconds });
}

/// <summary><see cref="Time"/> is the bucket's start in the site's time zone (ISO 8601 with offset; a date for days).</summary>
public sealed record TimeseriesPoint(string Time, long? Visitors, long Pageviews, long? Sessions, double? BounceRate, double? AvgDurationSeconds);

public sealed record Breakdown(string SiteId, string Dimension, IReadOnlyList<string> Metrics, IReadOnlyList<BreakdownRow> Rows) : ITabular
{
    string ITabular.Report => Dimension;

    IReadOnlyList<string> ITabular.Columns => ["value", .. Metrics];

    IEnumerable<object?[]> ITabular.Rows() => Rows.Select(r => new object?[] { r.Value }.Concat(Metrics.Select(r.Get)).ToArray());
}

public sealed record BreakdownRow(
    string Value,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Sessions = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Pageviews = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? BounceRate = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? AvgDurationSeconds = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Entries = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Exits = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Events = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] long? Visitors = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? ViewsPerVisit = null)
{
    public object? Get(string metric) => metric switch
    {
        "sessions" => Sessions,
        "pageviews" => Pageviews,
        "bounce_rate" => BounceRate,
        "avg_duration_seconds" => AvgDurationSeconds,
        "entries" => Entries,
        "exits" => Exits,
        "events" => Events,
        "visitors" => Visitors,
        "views_per_visit" => ViewsPerVisit,
        _ => null,
    };
}

/// <summary>One custom event's props: each key (by events) with its top values. Values the per-site-day cap of
/// distinct values counted as "(other)" cannot be told apart by event, so they are not listed here.</summary>
public sealed record EventProps(string SiteId, string Name, IReadOnlyList<EventPropKey> Props) : ITabular
{
    string ITabular.Report => "event-props";

    IReadOnlyList<string> ITabular.Columns => ["key", "value", "events"];

    IEnumerable<object?[]> ITabular.Rows() => Props.SelectMany(k => k.Values.Select(v => new object?[] { k.Key, v.Value, v.Events }));
}

/// <summary>A prop key: the events that carried it, and its top values.</summary>
public sealed record EventPropKey(string Key, long Events, IReadOnlyList<EventPropValue> Values);

public sealed record EventPropValue(string Value, long Events);
