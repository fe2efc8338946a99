using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;

namespace LiveInsight.Aggregator.Rollups;

/// <summary>Custom events by name: their count, and their unique visitors (a day sketch per name, under the same cap
/// of distinct names per site-day as the counts).</summary>
public sealed class EventRollup : IRollup
{
    public void Apply(StreamEvent e, RollupTarget target, RollupDeltas deltas)
    {
        if (e.EventType == "custom" && e.Name is { Length: > 0 } name)
        {
            deltas.Add(target, RollupLayout.Event, name, RollupLayout.Events);
            var value = deltas.Values.Value(target, RollupLayout.Event, name);
            if (deltas.ValuesOnly)
            {
                return;
            }

            deltas.VisitorSketches.Add((RollupLayout.ValueVisitorsHll(e.SiteId, target.DayBucket, RollupLayout.Event, value), e.VisitorId));
        }
    }
}
