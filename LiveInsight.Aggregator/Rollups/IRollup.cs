using LiveInsight.Core.Events;

namespace LiveInsight.Aggregator.Rollups;

/// <summary>One rollup: turns an event into counter deltas. Rollups are small and independent (GoatCounter's
/// cron/tasks style); the batch processor runs all of them over every event.</summary>
public interface IRollup
{
    void Apply(StreamEvent e, RollupTarget target, RollupDeltas deltas);
}
