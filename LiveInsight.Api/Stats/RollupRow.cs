using LiveInsight.Core.Stats;

namespace LiveInsight.Api.Stats;

/// <summary>
/// One dimension value in one bucket: its counters, where it was read from, and (from the Stats table) its visitor
/// sketch when asked for and intact. Redis rows have no sketch here: their HyperLogLog is a key of its own.
/// <see cref="Imported"/> rows come from an import (<see cref="ImportLayout"/>): their visitors are a count, not a sketch.
/// </summary>
public sealed record RollupRow(
    string Bucket, string Value, IReadOnlyDictionary<string, long> Metrics, bool FromRedis, byte[]? Sketch = null, bool Imported = false)
{
    public long this[string metric] => Metrics.GetValueOrDefault(metric);
}

/// <summary>Sums of the additive counters of several rows (visitors are not additive: see <see cref="VisitorCounter"/>).</summary>
public sealed class Totals
{
    private readonly Dictionary<string, long> _sums = [];

    public static Totals Of(IEnumerable<RollupRow> rows)
    {
        var totals = new Totals();
        foreach (var row in rows)
        {
            foreach (var (metric, value) in row.Metrics)
            {
                totals._sums[metric] = totals._sums.GetValueOrDefault(metric) + value;
            }
        }

        return totals;
    }

    public long this[string metric] => _sums.GetValueOrDefault(metric);

    public long Pageviews => this[RollupLayout.Pageviews];

    public long Sessions => this[RollupLayout.Sessions];

    public double BounceRate => Ratio(this[RollupLayout.Bounces], Sessions, 4);

    public double AvgDurationSeconds => Ratio(this[RollupLayout.DurationMs], Sessions * 1000L, 1);

    public double ViewsPerVisit => Ratio(Pageviews, Sessions, 2);

    /// <summary>Mean engaged time per page view that reported engagement, in seconds; null when none did.</summary>
    public double? TimeOnPageSeconds =>
        this[RollupLayout.EngagedViews] == 0 ? null : Ratio(this[RollupLayout.EngagedMs], this[RollupLayout.EngagedViews] * 1000L, 1);

    /// <summary>Mean of each page view's deepest scroll (percent) over those that reported one; null when none did.</summary>
    public double? ScrollDepth =>
        this[RollupLayout.ScrollViews] == 0 ? null : Ratio(this[RollupLayout.ScrollSum], this[RollupLayout.ScrollViews], 1);

    public static double Ratio(long numerator, long denominator, int digits) =>
        denominator == 0 ? 0 : Math.Round((double)numerator / denominator, digits, MidpointRounding.AwayFromZero);
}
