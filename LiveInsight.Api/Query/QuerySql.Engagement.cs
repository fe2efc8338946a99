using System.Text;

namespace LiveInsight.Api.Query;

/// <summary>
/// <c>time_on_page</c> and <c>scroll_depth</c>, defined as the rollups' <c>/api/stats/pages</c> defines them: the
/// tracker sends engagement events per page view (engaged ms since the last one, deepest scroll so far), so a page
/// view's engaged time is the sum of its events' and its depth their maximum; <c>time_on_page</c> is the mean engaged
/// seconds over page views that reported engagement, <c>scroll_depth</c> the mean depth over those that reported one
/// (both to one decimal, null when none did). The lake has no page-view id, so an engagement event belongs to the
/// latest page view of its path in its session before it (<c>views</c>).
/// </summary>
public sealed partial class QuerySql
{
    public static readonly string[] EngagementMetrics = ["time_on_page", "scroll_depth"];

    /// <summary>Appends <c>eng</c>, <c>views</c> and <c>pe</c> (engagement per answer row); returns the join.</summary>
    private string EngagementViews(string source, QueryPeriod period, StatsQuery query, IReadOnlyList<string> visits,
        StringBuilder text, Func<int, string> outDim)
    {
        text.Append(",\neng AS MATERIALIZED (SELECT DISTINCT ON (event_id) event_id, ts, local_ts, session_id, type, path, engaged_ms, scroll_depth ")
            .Append($"FROM {source} WHERE ts >= {Param(period.FromMs)} AND ts < {Param(period.ToMs)} AND type IN ('page_view', 'engagement')),\n");
        // A page view sorts before an engagement event of the same millisecond ('page_view' > 'engagement').
        text.Append("views AS MATERIALIZED (SELECT session_id, path, min(local_ts) FILTER (WHERE type = 'engagement') AS local_ts, ")
            .Append("sum(greatest(coalesce(engaged_ms, 0), 0)) FILTER (WHERE type = 'engagement') AS engaged, ")
            .Append("max(scroll_depth) FILTER (WHERE type = 'engagement') AS depth FROM (SELECT *, ")
            .Append("sum(CASE WHEN type = 'page_view' THEN 1 ELSE 0 END) OVER (PARTITION BY session_id, path ORDER BY ts, type DESC ROWS UNBOUNDED PRECEDING) AS view_no ")
            .Append("FROM eng) GROUP BY session_id, path, view_no HAVING count(*) FILTER (WHERE type = 'engagement') > 0),\n");
        var columns = visits.Select(v => QueryFields.VisitDimensions[v].Column).ToList();
        if (columns.Count > 0)
        {
            text.Append($"sattr AS (SELECT session_id{string.Concat(columns.Select(c => $", any_value({c}) AS {c}"))} FROM srcv GROUP BY session_id),\n");
        }

        var scope = columns.Count == 0
            ? "SELECT * FROM views"
            : $"SELECT views.*{string.Concat(columns.Select(c => $", sattr.{c}"))} FROM views JOIN sattr USING (session_id)";
        var regexes = new List<string>();
        var filter = query.Filters.Count == 0 ? "true" : string.Join(" AND ", query.Filters.Select(f => Filter(f, regexes)));
        var dims = Dimensions.Select(RowExpression).ToList();
        text.Append("pe AS (SELECT ").Append(string.Concat(dims.Select((d, i) => $"{d} AS d{i}, ")))
            .Append("count(*) AS views, sum(engaged) AS engaged_ms, count(depth) AS scroll_views, sum(depth) AS scroll_sum ")
            .Append($"FROM ({scope}) WHERE {filter}{(dims.Count == 0 ? "" : " GROUP BY ALL")})");
        var on = dims.Count == 0 ? "true" : string.Join(" AND ", dims.Select((_, i) => $"{outDim(i)} IS NOT DISTINCT FROM p.d{i}"));
        return $" LEFT JOIN pe p ON {on}";
    }

    /// <summary>Whether an engagement metric can be answered with this dimension or filter: the page, the visit's
    /// attributes and time are known per page view; an event's name, props or goal are not.</summary>
    public static bool EngagementAllows(string dimension) =>
        dimension == "event:page" || QueryFields.IsTime(dimension) || QueryFields.VisitDimensions.ContainsKey(dimension);
}
