using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;

namespace LiveInsight.Aggregator.Rollups;

/// <summary>Custom events by name.</summary>
public sealed class EventRollup : IRollup
{
    public void Apply(StreamEvent e, RollupTarget target, RollupDeltas deltas)
    {
        if (e.EventType == "custom" && e.Name is { Length: > 0 } name)
        {
            deltas.Add(target, RollupLayout.Event, name, RollupLayout.Events);
        }
    }
}
