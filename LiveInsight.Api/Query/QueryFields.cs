namespace LiveInsight.Api.Query;

/// <summary>
/// The allow-list: every metric, dimension and SQL fragment a query may name. A name the client sends is only ever
/// looked up here; what reaches SQL text is the fragment beside it, never the client's string.
/// </summary>
public static class QueryFields
{
    public const string PropsPrefix = "event:props:";

    /// <summary>The site's goals by display name: a row per (event, goal it converts), see <c>QuerySql.Goals</c>.</summary>
    public const string Goal = "event:goal";

    /// <summary>Columns a goal reads: page goals the path, event goals the name and the props.</summary>
    public static readonly string[] GoalColumns = ["path", "name", "props"];

    public static readonly string[] Metrics =
        ["visitors", "visits", "pageviews", "views_per_visit", "bounce_rate", "visit_duration", "events", "percentage", "conversion_rate", "time_on_page", "scroll_depth"];

    /// <summary>Plausible metrics this slice does not compute yet: named in the 400.</summary>
    public static readonly string[] MetricsNotYet =
        ["group_conversion_rate", "average_revenue", "total_revenue"];

    /// <summary>Metrics of whole sessions: Plausible refuses them beside an event dimension, and so do we.</summary>
    public static readonly string[] SessionMetrics = ["views_per_visit", "bounce_rate", "visit_duration"];

    /// <summary>Event dimensions: an expression over one event's columns.</summary>
    public static readonly IReadOnlyDictionary<string, string> EventDimensions = new Dictionary<string, string>
    {
        ["event:page"] = "coalesce(path, '(none)')",
        ["event:hostname"] = "coalesce(hostname, '(none)')",
        ["event:name"] = "CASE WHEN type = 'page_view' THEN 'pageview' ELSE coalesce(name, '(none)') END",
    };

    /// <summary>Visit dimensions: a column of the session (named here) and its expression over the session's stamps
    /// (<see cref="Core.Lake.LakeLayout.SessionColumns"/>: what the session's first event said, its first page view for
    /// the entry page, as Plausible). The exit page is not stamped (it moves while the session goes on): it is computed
    /// per session from the query's events into <c>x_exit_page</c>.</summary>
    public static readonly IReadOnlyDictionary<string, (string Column, string Expression)> VisitDimensions =
        new Dictionary<string, (string, string)>
        {
            ["visit:source"] = ("v_source", "coalesce(s_source, 'Direct / None')"),
            ["visit:referrer"] = ("v_referrer", "coalesce(s_referrer, 'Direct / None')"),
            ["visit:utm_medium"] = ("v_utm_medium", "coalesce(s_utm_medium, '(not set)')"),
            ["visit:utm_source"] = ("v_utm_source", "coalesce(s_utm_source, '(not set)')"),
            ["visit:utm_campaign"] = ("v_utm_campaign", "coalesce(s_utm_campaign, '(not set)')"),
            ["visit:utm_content"] = ("v_utm_content", "coalesce(s_utm_content, '(not set)')"),
            ["visit:utm_term"] = ("v_utm_term", "coalesce(s_utm_term, '(not set)')"),
            ["visit:country"] = ("v_country", "coalesce(s_country, '(not set)')"),
            ["visit:country_name"] = ("v_country_name", "coalesce(cn_name, s_country, '(not set)')"),
            ["visit:device"] = ("v_device", "coalesce(s_device, '(not set)')"),
            ["visit:browser"] = ("v_browser", "coalesce(s_browser, '(not set)')"),
            ["visit:browser_version"] = ("v_browser_version", "coalesce(s_browser_version, '(not set)')"),
            ["visit:os"] = ("v_os", "coalesce(s_os, '(not set)')"),
            ["visit:os_version"] = ("v_os_version", "coalesce(s_os_version, '(not set)')"),
            ["visit:entry_page"] = ("v_entry_page", "coalesce(s_entry_page, '(none)')"),
            ["visit:exit_page"] = ("v_exit_page", "coalesce(x_exit_page, '(none)')"),
            ["visit:channel"] = ("v_channel", Channel),
        };

    /// <summary>Visit dimensions computed from a session's own events instead of its stamps (an aggregate per
    /// <c>session_id</c> over the event columns <see cref="LakeColumn"/> names): for SQL that groups sessions itself
    /// (funnels, cohorts). The same values as <see cref="VisitDimensions"/>' stamps when the session's events are all read;
    /// <c>visit:country_name</c> is a 400 there (its names come from a join only <see cref="QuerySql"/> makes).</summary>
    public static (string Column, string Aggregate) VisitAggregate(string dimension)
    {
        var (column, expression) = VisitDimensions[dimension];
        return (column, dimension switch
        {
            "visit:entry_page" => "coalesce(arg_min(path, ts) FILTER (WHERE type = 'page_view'), '(none)')",
            "visit:exit_page" => "coalesce(arg_max(path, ts) FILTER (WHERE type = 'page_view'), '(none)')",
            "visit:country_name" => throw new QueryException("visit:country_name is answered by /api/v2/query only; filter funnels and cohorts by visit:country (the ISO code)."),
            // arg_min_null: the first event's value even when it is NULL (arg_min would skip to the first non-NULL one).
            _ => $"arg_min_null({System.Text.RegularExpressions.Regex.Replace(expression, @"\bs_([a-z_]+)", "$1")}, ts)",
        });
    }

    /// <summary>Columns <c>visit:channel</c> reads from events (<see cref="VisitAggregate"/>).</summary>
    public static readonly string[] ChannelColumns = ["source", "medium", "utm_source", "utm_medium", "utm_campaign"];

    /// <summary>The session stamps a visit dimension reads (none for the exit page, computed per query).</summary>
    public static IReadOnlyList<string> StampsOf(string dimension) => dimension switch
    {
        "visit:channel" => ["s_source", "s_medium", "s_utm_source", "s_utm_medium", "s_utm_campaign"],
        "visit:exit_page" => [],
        "visit:country_name" => ["s_country"],
        _ => ["s_" + dimension["visit:".Length..]],
    };

    /// <summary>The event column a stamp is computed from (<see cref="Core.Lake.LakeLayout.SessionAggregate"/>).</summary>
    public static string StampSource(string stamp) => stamp switch
    {
        "s_entry_page" => "path",
        "s_start" => "ts",
        _ => stamp[2..],
    };

    /// <summary>
    /// Plausible's acquisition channels (after GA4's default channel grouping), from the visit's source, medium and UTM
    /// tags. <c>{search}</c> and <c>{social}</c> stand for the known search engines' and social networks' source names,
    /// given as parameters (a tagged visit's medium is its utm_medium, so "google"/"cpc" is known as search by its name).
    /// Order matters: the first rule that holds names the channel.
    /// </summary>
    private const string Channel =
        "CASE " +
        "WHEN contains(lower(coalesce(s_utm_campaign, '')), 'cross-network') THEN 'Cross-network' " +
        "WHEN (list_contains({search}, s_source) OR s_medium = 'search') AND regexp_matches(lower(coalesce(s_utm_medium, '')), '^(.*cp.*|ppc|retargeting|paid.*)$') THEN 'Paid Search' " +
        "WHEN (list_contains({social}, s_source) OR s_medium = 'social') AND regexp_matches(lower(coalesce(s_utm_medium, '')), '^(.*cp.*|ppc|retargeting|paid.*)$') THEN 'Paid Social' " +
        "WHEN lower(coalesce(s_utm_medium, '')) IN ('display', 'banner', 'expandable', 'interstitial', 'cpm') THEN 'Display' " +
        "WHEN regexp_matches(lower(coalesce(s_utm_medium, '')), '^(.*cp.*|ppc|retargeting|paid.*)$') THEN 'Paid Other' " +
        "WHEN list_contains({search}, s_source) OR s_medium = 'search' THEN 'Organic Search' " +
        "WHEN list_contains({social}, s_source) OR s_medium = 'social' OR lower(coalesce(s_utm_medium, '')) IN ('social', 'social-network', 'social-media', 'sm', 'social network', 'social media') THEN 'Organic Social' " +
        "WHEN s_medium = 'email' OR regexp_matches(lower(coalesce(s_utm_medium, '') || ' ' || coalesce(s_utm_source, '')), 'e[-_ ]?mail|newsletter') THEN 'Email' " +
        "WHEN lower(coalesce(s_utm_medium, '')) = 'affiliate' THEN 'Affiliates' " +
        "WHEN lower(coalesce(s_utm_medium, '')) = 'audio' THEN 'Audio' " +
        "WHEN lower(coalesce(s_utm_medium, '')) = 'sms' OR lower(coalesce(s_utm_source, '')) = 'sms' THEN 'SMS' " +
        "WHEN regexp_matches(lower(coalesce(s_utm_medium, '')), '(push$|mobile|notification)') THEN 'Mobile Push Notifications' " +
        "WHEN s_source IS NULL OR s_medium IN ('direct', 'internal') THEN 'Direct' " +
        "ELSE 'Referral' END";

    /// <summary>Time dimensions: a format of a site-local timestamp column (<c>{0}</c>).</summary>
    public static readonly IReadOnlyDictionary<string, string> TimeDimensions = new Dictionary<string, string>
    {
        ["time:hour"] = "strftime(date_trunc('hour', {0}), '%Y-%m-%d %H:%M:%S')",
        ["time:day"] = "strftime({0}, '%Y-%m-%d')",
        ["time:week"] = "strftime(date_trunc('week', {0}), '%Y-%m-%d')",
        ["time:month"] = "strftime(date_trunc('month', {0}), '%Y-%m-%d')",
    };

    /// <summary>Plausible dimensions this slice does not answer yet: named in the 400.</summary>
    public static readonly string[] DimensionsNotYet =
    [
        "visit:region", "visit:city", "visit:region_name", "visit:city_name",
    ];

    /// <summary>The event column a dimension reads (time reads <c>local_ts</c>, always read; a visit dimension its
    /// event column, which <see cref="VisitAggregate"/> need; <see cref="QuerySql"/> reads stamps for them instead): a
    /// query reads only the columns it needs, so Parquet skips the rest.</summary>
    public static string? LakeColumn(string dimension) => dimension switch
    {
        "event:page" or "visit:exit_page" => "path",
        "event:hostname" => "hostname",
        "event:name" => "name",
        _ when dimension.StartsWith(PropsPrefix, StringComparison.Ordinal) => "props",
        "visit:entry_page" => "path",
        "visit:country_name" => "country",
        _ when dimension.StartsWith("visit:", StringComparison.Ordinal) => dimension["visit:".Length..],
        _ => null,
    };

    /// <summary>Columns every query reads.</summary>
    public static readonly string[] BaseColumns = ["event_id", "ts", "local_ts", "visitor_id", "session_id", "type"];

    public static bool IsTime(string dimension) => dimension == "time" || TimeDimensions.ContainsKey(dimension);

    public static bool IsEventLevel(string dimension) =>
        EventDimensions.ContainsKey(dimension) || dimension == Goal || dimension.StartsWith(PropsPrefix, StringComparison.Ordinal);

    public static bool IsKnownDimension(string dimension) =>
        IsTime(dimension) || VisitDimensions.ContainsKey(dimension) || IsEventLevel(dimension);

    /// <summary>The bucket Plausible's plain <c>time</c> dimension picks for a period of this many days.</summary>
    public static string TimeFor(int days) => days <= 1 ? "time:hour" : days <= 40 ? "time:day" : "time:month";

}
