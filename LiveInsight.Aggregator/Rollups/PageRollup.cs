using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;

namespace LiveInsight.Aggregator.Rollups;

/// <summary>Per page: views, unique visitors (a sketch per page and day) and engaged time. Entries and exits are
/// counted by the session rollup, which knows a session's first and last page.</summary>
public sealed class PageRollup : IRollup
{
    public void Apply(StreamEvent e, RollupTarget target, RollupDeltas deltas)
    {
        if (e.Path is null)
        {
            return;
        }

        if (e.EventType == "page_view")
        {
            deltas.Add(target, RollupLayout.Page, e.Path, RollupLayout.Pageviews);
            var path = deltas.Values.Value(target, RollupLayout.Page, e.Path);
            deltas.PageVisitors.Add((RollupLayout.PageVisitorsHll(e.SiteId, target.DayBucket, path), e.VisitorId));
        }
        else if (e.EventType == "engagement" && e.EngagedMs is > 0)
        {
            deltas.Add(target, RollupLayout.Page, e.Path, RollupLayout.EngagedMs, e.EngagedMs.Value);
        }
    }
}
