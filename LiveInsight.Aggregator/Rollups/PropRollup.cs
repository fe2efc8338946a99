using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;

namespace LiveInsight.Aggregator.Rollups;

/// <summary>
/// Custom event props: each (event name, key, value) of a custom event counted as one value of the
/// <see cref="RollupLayout.Prop"/> dimension (<see cref="RollupLayout.PropValue"/>), so props outlive the raw Events
/// table's 24 hours. Bounds: ingestion keeps at most 30 props per event (key 50, value 500 characters, name 100), and
/// the per-site-day cap of distinct values (<see cref="ValueCap"/>) holds for this dimension like any other.
/// </summary>
public sealed class PropRollup : IRollup
{
    public void Apply(StreamEvent e, RollupTarget target, RollupDeltas deltas)
    {
        if (e.EventType != "custom" || e.Name is not { Length: > 0 } name || e.Props is not { Count: > 0 } props)
        {
            return;
        }

        foreach (var (key, value) in props)
        {
            deltas.Add(target, RollupLayout.Prop, RollupLayout.PropValue(name, key, value), RollupLayout.Events);
        }
    }
}
