using System.Globalization;
using LiveInsight.Api.Extensions;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Stats;

namespace LiveInsight.Api.Stats;

/// <summary>
/// Every stats answer, computed from rollups only (never raw events) and cached 30 s. A filter selects one value of
/// its own dimension instead of the summary row; visitors exist only where sketches do (the summary per hour and day;
/// pages, session dimensions and custom events per day), so an hourly series with a filter has none.
/// </summary>
public sealed class StatsService(RollupReader reader, VisitorCounter visitors, ReadCache cache)
{
    public ValueTask<DailyStats> DailyAsync(StatsScope scope, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(ReadArea.Stats, scope.CacheKey("daily"), async ct =>
        {
            var points = await SeriesAsync(scope, Granularity.Day, scope.DayBuckets, ct);
            return new DailyStats(scope.SiteId, points.Select(p => new DayStats(
                p.Bucket, p.Visitors, p.Totals.Pageviews, Sessions(scope, p.Totals), BounceRate(scope, p.Totals), Duration(scope, p.Totals))).ToList());
        }, cancellationToken, scope.SiteId);

    public ValueTask<Timeseries> TimeseriesAsync(StatsScope scope, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(ReadArea.Stats, scope.CacheKey("timeseries"), async ct =>
        {
            var interval = scope.Interval ?? (scope.Days <= 2 ? "hour" : "day");
            if (interval == "day")
            {
                var days = await SeriesAsync(scope, Granularity.Day, scope.DayBuckets, ct);
                return new Timeseries(scope.SiteId, interval, days.Select(p => Point(scope, p.Bucket, p)).ToList());
            }

            var hours = scope.Hours;
            var buckets = hours.Select(h => h.UtcDateTime.ToString("yyyyMMddHH", CultureInfo.InvariantCulture)).ToList();
            var points = await SeriesAsync(scope, Granularity.Hour, buckets, ct);
            return new Timeseries(scope.SiteId, interval, points.Select((p, i) => Point(
                scope, TimeZoneInfo.ConvertTime(hours[i], scope.Zone).ToString("yyyy-MM-dd'T'HH:mmzzz", CultureInfo.InvariantCulture), p)).ToList());
        }, cancellationToken, scope.SiteId);

    public ValueTask<SummaryStats> SummaryAsync(StatsScope scope, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(ReadArea.Stats, scope.CacheKey("summary"), async ct =>
        {
            var previous = scope.Previous;
            var (dimension, value) = Selected(scope);
            // Unfiltered, settled whole weeks are read pre-merged (Core/Stats/SummaryWeeks): ~4 items a month, not 30.
            var rows = scope.Filter is null
                ? await reader.ReadSummaryAsync(scope.SiteId, [scope.DayBuckets, previous.DayBuckets], ct)
                : await Task.WhenAll(
                    reader.ReadValuesAsync(scope.SiteId, Granularity.Day, scope.DayBuckets, dimension, [value], withSketches: true, ct),
                    reader.ReadValuesAsync(scope.SiteId, Granularity.Day, previous.DayBuckets, dimension, [value], withSketches: true, ct));
            var groups = rows.Select(r => VisitorGroup.For(scope.SiteId, Granularity.Day, dimension, r)).ToList();
            var counts = groups[0] is null ? null : await visitors.CountAsync(scope.SiteId, [groups[0]!, groups[1]!]);
            var (now, before) = (Totals.Of(rows[0]), Totals.Of(rows[1]));
            var sessionsKnown = Sessions(scope, now) is not null;
            return new SummaryStats(
                scope.SiteId, Date(scope.From), Date(scope.To), Date(previous.From), Date(previous.To),
                Compared.Of(counts?[0], counts?[1]),
                Compared.Of(now.Pageviews, before.Pageviews),
                Compared.Of(Sessions(scope, now), Sessions(scope, before)),
                Compared.Of(BounceRate(scope, now), BounceRate(scope, before)),
                Compared.Of(Duration(scope, now), Duration(scope, before)),
                sessionsKnown ? Compared.Of(now.ViewsPerVisit, before.ViewsPerVisit) : Compared.Of(null, null),
                Compared.Of(now.TimeOnPageSeconds, before.TimeOnPageSeconds),
                Compared.Of(now.ScrollDepth, before.ScrollDepth));
        }, cancellationToken, scope.SiteId);

    public ValueTask<PageStats> PagesAsync(StatsScope scope, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(ReadArea.Stats, scope.CacheKey("pages"), async ct =>
        {
            // One Query with the (small, sparse) page sketches beats a second round of BatchGetItem for the top pages.
            var rows = await reader.ReadDimensionAsync(scope.SiteId, Granularity.Day, scope.DayBuckets, RollupLayout.Page, ct, withSketches: true);
            var top = Top(rows, scope.Limit, RollupLayout.Pageviews);
            var paths = top.Select(t => t.Value).ToList();
            var byPath = rows.ToLookup(r => r.Value);
            var groups = paths.Select(p => VisitorGroup.For(scope.SiteId, Granularity.Day, RollupLayout.Page, byPath[p].ToList())!).ToList();
            var counts = await visitors.CountAsync(scope.SiteId, groups);
            return new PageStats(scope.SiteId, top.Select((t, i) => new PageStatsRow(
                t.Value, t.Totals.Pageviews, counts[i], t.Totals[RollupLayout.Entries], t.Totals[RollupLayout.Exits],
                t.Totals.TimeOnPageSeconds, t.Totals.ScrollDepth)).ToList());
        }, cancellationToken, scope.SiteId);

    public ValueTask<Breakdown> BreakdownAsync(StatsScope scope, BreakdownKind kind, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(ReadArea.Stats, scope.CacheKey(kind.Route), async ct =>
        {
            // One Query with the stored day sketches of the dimension (small and sparse for most values), as for pages.
            var rows = await reader.ReadDimensionAsync(scope.SiteId, Granularity.Day, scope.DayBuckets, kind.Dimension, ct, withSketches: kind.HasVisitors);
            var byValue = rows.ToLookup(r => r.Value, StringComparer.Ordinal);
            if (kind.SortBy == RollupLayout.Sessions)
            {
                var ranked = await TopByVisitorsAsync(scope, kind.Dimension, byValue);
                return new Breakdown(scope.SiteId, kind.Route, kind.Metrics, ranked.Select(r => kind.Row(r.Value, r.Totals, r.Visitors)).ToList());
            }

            var top = Top(rows, scope.Limit, kind.SortBy);
            var counts = kind.HasVisitors ? await CountAsync(scope, kind.Dimension, byValue, top.Select(t => t.Value).ToList()) : null;
            return new Breakdown(scope.SiteId, kind.Route, kind.Metrics, top.Select((t, i) => kind.Row(t.Value, t.Totals, counts?[i] ?? 0)).ToList());
        }, cancellationToken, scope.SiteId);

    /// <summary>
    /// The values of a session dimension with sessions, ranked by unique visitors, then sessions, then value. A value's
    /// visitors never exceed its sessions (each session adds one visitor to its start day's sketch), so values are
    /// counted in order of sessions, a chunk at a time, until no value left could reach the limit-th count so far
    /// (allowing HyperLogLog's estimate to exceed sessions by its error): usually one round trip, never every value.
    /// </summary>
    private async Task<List<(string Value, Totals Totals, long Visitors)>> TopByVisitorsAsync(
        StatsScope scope, string dimension, ILookup<string, RollupRow> byValue)
    {
        var candidates = byValue.Select(g => (Value: g.Key, Totals: Totals.Of(g)))
            .Where(c => c.Totals.Sessions > 0)
            .OrderByDescending(c => c.Totals.Sessions)
            .ThenBy(c => c.Value, StringComparer.Ordinal)
            .ToList();
        var counted = new List<(string Value, Totals Totals, long Visitors)>();
        var chunk = Math.Max(scope.Limit * 2, 50);
        for (var next = 0; next < candidates.Count; next += chunk)
        {
            if (counted.Count >= scope.Limit)
            {
                var threshold = counted.Select(c => c.Visitors).OrderDescending().ElementAt(scope.Limit - 1);
                if (MostVisitors(candidates[next].Totals.Sessions) < threshold)
                {
                    break;
                }
            }

            var batch = candidates.Skip(next).Take(chunk).ToList();
            var counts = await CountAsync(scope, dimension, byValue, batch.Select(c => c.Value).ToList());
            counted.AddRange(batch.Select((c, i) => (c.Value, c.Totals, counts[i])));
        }

        return counted
            .OrderByDescending(c => c.Visitors)
            .ThenByDescending(c => c.Totals.Sessions)
            .ThenBy(c => c.Value, StringComparer.Ordinal)
            .Take(scope.Limit)
            .ToList();
    }

    /// <summary>An upper bound of the visitors a value with this many sessions can show: HyperLogLog's standard error is
    /// 0.81 %, so 2 % (and one) is well beyond it.</summary>
    private static long MostVisitors(long sessions) => sessions + (sessions / 50) + 1;

    private Task<long[]> CountAsync(StatsScope scope, string dimension, ILookup<string, RollupRow> byValue, List<string> values) =>
        visitors.CountAsync(scope.SiteId, values.Select(v => VisitorGroup.For(scope.SiteId, Granularity.Day, dimension, byValue[v].ToList())!).ToList());

    /// <summary>The most keys one event's props answer lists (ingestion keeps at most 30 per event; keys vary between
    /// events, and the rollup's cap of distinct values bounds them too).</summary>
    public const int MaxPropKeys = 100;

    /// <summary>One custom event's props over the range: per key, its events and its top <c>limit</c> values.</summary>
    public ValueTask<EventProps> EventPropsAsync(StatsScope scope, string name, CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(ReadArea.Stats, scope.CacheKey("event-props:#" + BearerTokens.Hash(name)), async ct =>
        {
            var rows = await reader.ReadDimensionAsync(scope.SiteId, Granularity.Day, scope.DayBuckets, RollupLayout.Prop, ct);
            var counts = new Dictionary<(string Key, string Value), long>();
            foreach (var row in rows)
            {
                if (RollupLayout.ParsePropValue(row.Value) is { } prop && prop.EventName == name && row[RollupLayout.Events] > 0)
                {
                    counts[(prop.Key, prop.Value)] = counts.GetValueOrDefault((prop.Key, prop.Value)) + row[RollupLayout.Events];
                }
            }

            var keys = counts.GroupBy(c => c.Key.Key, StringComparer.Ordinal)
                .Select(g => new EventPropKey(
                    g.Key,
                    g.Sum(c => c.Value),
                    g.OrderByDescending(c => c.Value).ThenBy(c => c.Key.Value, StringComparer.Ordinal)
                        .Take(scope.Limit).Select(c => new EventPropValue(c.Key.Value, c.Value)).ToList()))
                .OrderByDescending(k => k.Events)
                .ThenBy(k => k.Key, StringComparer.Ordinal)
                .Take(MaxPropKeys)
                .ToList();
            return new EventProps(scope.SiteId, name, keys);
        }, cancellationToken, scope.SiteId);

    private static List<(string Value, Totals Totals)> Top(List<RollupRow> rows, int limit, string metric) =>
        rows.GroupBy(r => r.Value, StringComparer.Ordinal)
            .Select(g => (Value: g.Key, Totals: Totals.Of(g)))
            .Where(t => t.Totals[metric] > 0)
            .OrderByDescending(t => t.Totals[metric])
            .ThenBy(t => t.Value, StringComparer.Ordinal)
            .Take(limit)
            .ToList();

    private sealed record SeriesPoint(string Bucket, long? Visitors, Totals Totals);

    /// <summary>One point per bucket (zeros where nothing happened), with each bucket's own visitors.</summary>
    private async Task<List<SeriesPoint>> SeriesAsync(StatsScope scope, Granularity granularity, IReadOnlyList<string> buckets, CancellationToken ct)
    {
        var (dimension, value) = Selected(scope);
        var rows = (await reader.ReadValuesAsync(scope.SiteId, granularity, buckets, dimension, [value], withSketches: false, ct)).ToLookup(r => r.Bucket);
        var groups = buckets.Select(b => VisitorGroup.For(scope.SiteId, granularity, dimension, rows[b].ToList())).ToList();
        var counts = groups.All(g => g is not null) ? await visitors.CountAsync(scope.SiteId, groups!) : null;
        return buckets.Select((b, i) => new SeriesPoint(b, counts?[i], Totals.Of(rows[b]))).ToList();
    }

    private static TimeseriesPoint Point(StatsScope scope, string time, SeriesPoint p) =>
        new(time, p.Visitors, p.Totals.Pageviews, Sessions(scope, p.Totals), BounceRate(scope, p.Totals), Duration(scope, p.Totals));

    private static (string Dimension, string Value) Selected(StatsScope scope) =>
        scope.Filter is { } f ? (f.Dimension, f.Value) : (RollupLayout.Summary, "");

    // A page filter has no sessions of its own (pages count views, entries and exits): say unknown rather than 0.
    private static long? Sessions(StatsScope scope, Totals t) => scope.Filter?.Dimension == RollupLayout.Page ? null : t.Sessions;

    private static double? BounceRate(StatsScope scope, Totals t) => Sessions(scope, t) is null ? null : t.BounceRate;

    private static double? Duration(StatsScope scope, Totals t) => Sessions(scope, t) is null ? null : t.AvgDurationSeconds;

    private static string Date(DateOnly day) => RollupLayout.DayBucket(day);
}
