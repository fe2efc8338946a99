using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;

namespace LiveInsight.Aggregator.Rollups;

/// <summary>Per page: views, unique visitors (a sketch per page and day) and engagement (time on page, scroll
/// depth). Entries and exits are counted by the session rollup, which knows a session's first and last page.</summary>
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
            if (deltas.ValuesOnly)
            {
                return;
            }

            deltas.PageVisitors.Add((RollupLayout.PageVisitorsHll(e.SiteId, target.DayBucket, path), e.VisitorId));
        }
        else if (e.EventType == "engagement")
        {
            foreach (var (metric, delta) in Engagement(e))
            {
                deltas.Add(target, RollupLayout.Page, e.Path, metric, delta);
            }
        }
    }

    /// <summary>
    /// What one engagement event adds. The tracker sends several per page view (one each time the page is hidden):
    /// <c>engaged_ms</c> is the visible time since the previous one (a delta: summed), <c>scroll_depth</c> the
    /// deepest scroll so far and <c>previous_scroll_depth</c> what the previous one reported (absent on the first).
    /// So the first counts the page view once (<see cref="RollupLayout.EngagedViews"/>, and
    /// <see cref="RollupLayout.ScrollViews"/> when it has a depth), and each adds only the increase of the deepest
    /// scroll: over a page view the sum is its maximum, with no state kept between batches.
    /// </summary>
    public static IEnumerable<(string Metric, long Delta)> Engagement(StreamEvent e)
    {
        var first = e.PreviousScrollDepth is null;
        if (e.EngagedMs is > 0)
        {
            yield return (RollupLayout.EngagedMs, e.EngagedMs.Value);
        }

        if (first)
        {
            yield return (RollupLayout.EngagedViews, 1);
        }

        if (e.ScrollDepth is { } depth)
        {
            var gain = Math.Max(0, depth - (e.PreviousScrollDepth ?? 0));
            if (gain > 0)
            {
                yield return (RollupLayout.ScrollSum, gain);
            }

            if (first)
            {
                yield return (RollupLayout.ScrollViews, 1);
            }
        }
    }
}
