using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;

namespace LiveInsight.Aggregator.Rollups;

/// <summary>Site totals: page views, custom events, engagement (see <see cref="PageRollup.Engagement"/>). (Sessions,
/// bounces and duration come from the session rollup; visitors from the HyperLogLogs ingestion keeps.)</summary>
public sealed class SummaryRollup : IRollup
{
    public void Apply(StreamEvent e, RollupTarget target, RollupDeltas deltas)
    {
        switch (e.EventType)
        {
            case "page_view":
                deltas.Add(target, RollupLayout.Summary, "", RollupLayout.Pageviews);
                break;
            case "custom":
                deltas.Add(target, RollupLayout.Summary, "", RollupLayout.Events);
                break;
            case "engagement":
                foreach (var (metric, delta) in PageRollup.Engagement(e))
                {
                    deltas.Add(target, RollupLayout.Summary, "", metric, delta);
                }

                break;
        }
    }
}
