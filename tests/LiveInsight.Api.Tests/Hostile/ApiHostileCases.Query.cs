using System.Text;
using LiveInsight.Testing.Hostile;
using static LiveInsight.Testing.Hostile.HostileValues;

namespace LiveInsight.Api.Tests.Hostile;

/// <summary>POST /api/v2/query: credentials, bodies, then every key of a query with wrong types, SQL-ish strings, huge
/// lists, deep nesting, unknown names and bad dates. Values that are merely odd may be answered (200, as data);
/// anything the query language does not allow must be refused.</summary>
public static partial class ApiHostileCases
{
    private const string QueryPath = "/api/v2/query";

    /// <summary>Strings that would change a query if they ever became SQL text.</summary>
    public static readonly string[] SqlIsh =
    [
        "visitors; DROP TABLE events; --", "' OR 1=1 --", "\") FROM read_csv('/etc/passwd') --", "x' UNION SELECT * FROM duckdb_settings() --",
        "$1", "?", "\\'; COPY (SELECT 1) TO '/tmp/pwn.csv'; --", "path) FROM read_text('/etc/passwd') --", "INSTALL httpfs; LOAD httpfs;",
        "*/ SELECT 1 /*", "\u0000", "d0", "m0 DESC, (SELECT 1)",
    ];

    private static IEnumerable<HostileCase> Queries(HostileTargets t)
    {
        var site = t.Control;
        var key = "Bearer " + site.SecretKey;
        string Body(string rest) => $"{{\"site_id\":\"{site.SiteId}\",{rest}}}";
        var good = Body("\"metrics\":[\"visitors\"],\"date_range\":\"7d\"");
        HostileCase Query(string name, string json, bool refuse = true) =>
            Post("query: " + name, QueryPath).WithJson(json) with { Authorization = key, MustBeRefused = refuse };

        // Credentials and site ids.
        yield return Post("query: no credentials", QueryPath).WithJson(good) with { MustBeRefused = true };
        foreach (var (label, auth) in WrongAuthorizations)
        {
            yield return Post($"query: {label}", QueryPath).WithJson(good) with { Authorization = auth, MustBeRefused = true };
        }

        yield return Post("query: the public key as bearer", QueryPath).WithJson(good) with { Authorization = "Bearer " + site.PublicKey, MustBeRefused = true };
        yield return Post("query: another site's secret key", QueryPath).WithJson(good) with { Authorization = "Bearer " + t.Other.SecretKey, MustBeRefused = true };
        foreach (var (label, json) in WrongTypes.Concat(HostileStrings).Append(("SQL-ish", "\"x' OR 1=1 --\"")).Append(("path traversal", "\"../../etc\"")))
        {
            var body = $"{{\"site_id\":{json},\"metrics\":[\"visitors\"],\"date_range\":\"7d\"}}";
            yield return Query($"site_id {label}", body);
            yield return Post($"query (admin token): site_id {label}", QueryPath).WithJson(body) with { Authorization = t.AdminBearer, MustBeRefused = true };
        }

        yield return Query("site_id given twice", $"{{\"site_id\":\"{site.SiteId}\",\"site_id\":\"{t.Other.SiteId}\",\"metrics\":[\"visitors\"],\"date_range\":\"7d\"}}");
        yield return Query("site_id in another spelling", $"{{\"Site_Id\":\"{t.Other.SiteId}\",\"site_id\":\"{site.SiteId}\",\"metrics\":[\"visitors\"],\"date_range\":\"7d\"}}");

        // Bodies.
        foreach (var (label, json) in new (string, string)[]
                 {
                     ("empty body", ""), ("not JSON", "metrics=visitors"), ("array", "[]"), ("string", "\"x\""), ("null", "null"),
                     ("half an object", Body("\"metrics\":[")), ("trailing garbage", good + "x"), ("deep arrays", Body("\"x\":" + Nested(5000) + "}")),
                     ("deep objects", Body("\"x\":" + NestedObjects(5000) + "}")), ("unknown key", Body("\"metrics\":[\"visitors\"],\"date_range\":\"7d\",\"sql\":\"SELECT 1\"")),
                     ("100 KB body", Body($"\"metrics\":[\"visitors\"],\"date_range\":\"7d\",\"x\":\"{new string('x', 100 * 1024)}\"")),
                     ("missing metrics", Body("\"date_range\":\"7d\"")), ("missing date_range", Body("\"metrics\":[\"visitors\"]")),
                 })
        {
            yield return Query(label, json);
        }

        foreach (var contentType in BadContentTypes)
        {
            yield return Post($"query: Content-Type {contentType ?? "none"}", QueryPath) with
            {
                Body = Encoding.UTF8.GetBytes(good), ContentType = contentType, Authorization = key, MustBeRefused = true,
            };
        }

        foreach (var (label, bytes) in InvalidUtf8)
        {
            yield return Post($"query: invalid UTF-8 {label}", QueryPath) with
            {
                Body = Splice(Body("\"metrics\":[\"visitors\"],\"date_range\":\"7d\",\"dimensions\":[\"event:props:"), bytes, "\"]}"),
                ContentType = "application/json", Authorization = key, MustBeRefused = true,
            };
        }

        // Metrics.
        foreach (var (label, json) in WrongTypes.Where(w => w.Label != "empty array").Concat(HostileStrings))
        {
            yield return Query($"metrics {label}", Body($"\"metrics\":{json},\"date_range\":\"7d\""));
            yield return Query($"metrics [{label}]", Body($"\"metrics\":[{json}],\"date_range\":\"7d\""));
        }

        foreach (var sql in SqlIsh)
        {
            yield return Query($"metric {Shorten(sql)}", Body($"\"metrics\":[{Str(sql)}],\"date_range\":\"7d\""));
            yield return Query($"dimension {Shorten(sql)}", Body($"\"metrics\":[\"visitors\"],\"date_range\":\"7d\",\"dimensions\":[{Str(sql)}]"));
            yield return Query($"order_by {Shorten(sql)}", Body($"\"metrics\":[\"visitors\"],\"date_range\":\"7d\",\"order_by\":[[{Str(sql)},\"desc\"]]"));
            yield return Query($"order direction {Shorten(sql)}", Body($"\"metrics\":[\"visitors\"],\"date_range\":\"7d\",\"order_by\":[[\"visitors\",{Str(sql)}]]"));
            yield return Query($"filter operator {Shorten(sql)}", Body($"\"metrics\":[\"visitors\"],\"date_range\":\"7d\",\"filters\":[[{Str(sql)},\"event:page\",[\"/\"]]]"));
            yield return Query($"date_range {Shorten(sql)}", Body($"\"metrics\":[\"visitors\"],\"date_range\":{Str(sql)}"));
            // Values are data: answered (zeros), never run as SQL.
            yield return Query($"filter clause {Shorten(sql)}", Body($"\"metrics\":[\"visitors\"],\"date_range\":\"7d\",\"filters\":[[\"is\",\"visit:source\",[{Str(sql)}]],[\"contains\",\"event:page\",[{Str(sql)}]]]"), refuse: false);
            yield return Query($"prop key {Shorten(sql)}", Body($"\"metrics\":[\"visitors\"],\"date_range\":\"7d\",\"dimensions\":[{Str("event:props:" + sql)}]"), refuse: false);
        }

        foreach (var (label, rest) in new (string, string)[]
                 {
                     ("10,000 metrics", $"\"metrics\":[{string.Join(",", Enumerable.Repeat("\"visitors\"", 10_000))}]"),
                     ("metric twice", "\"metrics\":[\"visitors\",\"visitors\"]"), ("no metric", "\"metrics\":[]"),
                     ("conversion_rate without a goal", "\"metrics\":[\"conversion_rate\"]"), ("time_on_page by event name", "\"metrics\":[\"time_on_page\"],\"dimensions\":[\"event:name\"]"),
                     ("scroll_depth filtered by a prop", "\"metrics\":[\"scroll_depth\"],\"filters\":[[\"is\",\"event:props:x\",[\"y\"]]]"),
                     ("percentage without dimensions", "\"metrics\":[\"percentage\"]"), ("metric in another case", "\"metrics\":[\"Visitors\"]"),
                 })
        {
            yield return Query(label, Body(rest + ",\"date_range\":\"7d\""));
        }

        // Date ranges.
        foreach (var (label, json) in new (string, string)[]
                 {
                     ("bogus shortcut", "\"forever\""), ("empty", "\"\""), ("one date", "[\"2026-11-01\"]"), ("three dates", "[\"2026-11-01\",\"2026-11-02\",\"2026-11-03\"]"),
                     ("reversed", "[\"2026-11-30\",\"2026-11-01\"]"), ("2026-02-30", "[\"2026-02-30\",\"2026-03-01\"]"), ("month 13", "[\"2026-13-01\",\"2026-13-02\"]"),
                     ("year 0001", "[\"0001-01-01\",\"0001-01-31\"]"), ("year 9999", "[\"9999-12-01\",\"9999-12-31\"]"), ("20 years", "[\"2000-01-01\",\"2019-12-31\"]"),
                     ("date-times", "[\"2026-11-01T00:00:00+02:00\",\"2026-11-01T23:59:59+02:00\"]"), ("numbers", "[20261101,20261130]"),
                     ("3,000-char date", $"[\"{new string('2', 3000)}\",\"2026-11-01\"]"), ("signed year", "[\"+002026-01-01\",\"2026-01-02\"]"),
                     ("object", "{\"from\":\"2026-11-01\"}"), ("null", "null"), ("nested", "[[\"2026-11-01\"],[\"2026-11-02\"]]"),
                 })
        {
            yield return Query($"date_range {label}", Body($"\"metrics\":[\"visitors\"],\"date_range\":{json}"));
        }

        // Dimensions, filters, order, include, pagination.
        foreach (var (label, rest) in new (string, string)[]
                 {
                     ("6 dimensions", "\"dimensions\":[\"visit:source\",\"visit:country\",\"visit:device\",\"visit:os\",\"visit:browser\",\"event:page\"]"),
                     ("10,000 dimensions", $"\"dimensions\":[{string.Join(",", Enumerable.Repeat("\"event:page\"", 10_000))}]"),
                     ("unknown dimension", "\"dimensions\":[\"visit:password\"]"), ("goal nobody made", "\"filters\":[[\"is\",\"event:goal\",[\"Nope\"]]]"),
                     ("goal as a regex", "\"filters\":[[\"matches\",\"event:goal\",[\".*\"]]]"),
                     ("goal SQL-ish", "\"filters\":[[\"is\",\"event:goal\",[\"' OR 1=1 --\"]]]"),
                     ("conversion_rate with the goal inside not", "\"metrics\":[\"conversion_rate\"],\"filters\":[[\"not\",[\"is\",\"event:goal\",[\"x\"]]]]"),
                     ("session metric by goal", "\"dimensions\":[\"event:goal\"],\"metrics\":[\"visit_duration\"]"),
                     ("two time dimensions", "\"dimensions\":[\"time:day\",\"time:hour\"]"), ("prop without key", "\"dimensions\":[\"event:props:\"]"),
                     ("prop key 10 KB", $"\"dimensions\":[\"event:props:{new string('k', 10_000)}\"]"),
                     ("session metric by page", "\"dimensions\":[\"event:page\"],\"metrics\":[\"bounce_rate\"]"),
                     ("filters not a list", "\"filters\":{\"is\":1}"), ("filter of 1 element", "\"filters\":[[\"is\"]]"),
                     ("filter without clauses", "\"filters\":[[\"is\",\"event:page\",[]]]"), ("clause not a string", "\"filters\":[[\"is\",\"event:page\",[1]]]"),
                     ("101 clauses", $"\"filters\":[[\"is\",\"event:page\",[{string.Join(",", Enumerable.Repeat("\"/\"", 101))}]]]"),
                     ("clause 60 KB", $"\"filters\":[[\"contains\",\"event:page\",[\"{new string('c', 60_000)}\"]]]"),
                     ("10,000 filters", $"\"filters\":[{string.Join(",", Enumerable.Repeat("[\"is\",\"event:page\",[\"/\"]]", 2_000))}]"),
                     ("deep not", "\"filters\":[" + string.Concat(Enumerable.Repeat("[\"not\",", 30)) + "[\"is\",\"event:page\",[\"/\"]]" + new string(']', 30) + "]"),
                     ("deep and", "\"filters\":[" + string.Concat(Enumerable.Repeat("[\"and\",[", 20)) + "[\"is\",\"event:page\",[\"/\"]]" + string.Concat(Enumerable.Repeat("]]", 20)) + "]"),
                     ("empty and", "\"filters\":[[\"and\",[]]]"), ("or of a string", "\"filters\":[[\"or\",\"x\"]]"), ("not of two", "\"filters\":[[\"not\",[\"is\",\"event:page\",[\"/\"]],[\"is\",\"event:page\",[\"/\"]]]]"),
                     ("filter on time", "\"filters\":[[\"is\",\"time:day\",[\"2026-11-01\"]]]"), ("filter on unknown", "\"filters\":[[\"is\",\"event:secret\",[\"x\"]]]"),
                     ("segment", "\"filters\":[[\"is\",\"segment\",[1]]]"), ("has_done", "\"filters\":[[\"has_done\",[\"is\",\"event:name\",[\"Signup\"]]]]"),
                     ("bad regex", "\"filters\":[[\"matches\",\"event:page\",[\"(unclosed\"]]]"), ("regex repetition bomb", "\"filters\":[[\"matches\",\"event:page\",[\"a{1000}{1000}\"]]]"),
                     ("regex 300 chars", $"\"filters\":[[\"matches\",\"event:page\",[\"{new string('a', 300)}\"]]]"),
                     ("regex with backreference", "\"filters\":[[\"matches\",\"event:page\",[\"(a)\\\\1\"]]]"),
                     ("modifier unknown", "\"filters\":[[\"is\",\"event:page\",[\"/\"],{\"collate\":\"x\"}]]"), ("modifier on matches", "\"filters\":[[\"matches\",\"event:page\",[\"/\"],{\"case_sensitive\":false}]]"),
                     ("order_by unknown", "\"order_by\":[[\"pageviews\",\"desc\"]]"), ("order_by sideways", "\"order_by\":[[\"visitors\",\"sideways\"]]"),
                     ("order_by not pairs", "\"order_by\":[\"visitors\"]"), ("order_by 11 entries", $"\"order_by\":[{string.Join(",", Enumerable.Repeat("[\"visitors\",\"desc\"]", 11))}]"),
                     ("comparisons unknown mode", "\"include\":{\"comparisons\":{\"mode\":\"forever\"}}"),
                     ("comparisons as a string", "\"include\":{\"comparisons\":\"previous_period\"}"), ("comparisons custom without dates", "\"include\":{\"comparisons\":{\"mode\":\"custom\"}}"),
                     ("comparisons custom 20 years", "\"include\":{\"comparisons\":{\"mode\":\"custom\",\"date_range\":[\"2000-01-01\",\"2019-12-31\"]}}"),
                     ("comparisons custom SQL-ish date", "\"include\":{\"comparisons\":{\"mode\":\"custom\",\"date_range\":[\"2026-01-01' --\",\"2026-01-02\"]}}"),
                     ("comparisons with an unknown key", "\"include\":{\"comparisons\":{\"mode\":\"previous_period\",\"sql\":1}}"),
                     ("comparisons by day on weekdays", "\"dimensions\":[\"time:day\"],\"include\":{\"comparisons\":{\"mode\":\"previous_period\",\"match_day_of_week\":true}}"), ("include time_labels", "\"include\":{\"time_labels\":true}"),
                     ("include unknown", "\"include\":{\"sql\":true}"), ("include total_rows as string", "\"include\":{\"total_rows\":\"yes\"}"),
                     ("limit 0", "\"pagination\":{\"limit\":0}"), ("limit 10,001", "\"pagination\":{\"limit\":10001}"), ("limit -1", "\"pagination\":{\"limit\":-1}"),
                     ("limit beyond int", "\"pagination\":{\"limit\":99999999999999}"), ("limit 1.5", "\"pagination\":{\"limit\":1.5}"),
                     ("offset -1", "\"pagination\":{\"offset\":-1}"), ("offset huge", "\"pagination\":{\"offset\":2000000000}"), ("pagination unknown", "\"pagination\":{\"page\":2}"),
                 })
        {
            var metrics = rest.Contains("\"metrics\"", StringComparison.Ordinal) ? "" : "\"metrics\":[\"visitors\"],";
            yield return Query(label, Body($"{metrics}\"date_range\":\"7d\",{rest}"));
        }

        yield return Query("allowed: engagement by page, source and week", Body("\"metrics\":[\"time_on_page\",\"scroll_depth\",\"visitors\"],\"date_range\":\"30d\",\"dimensions\":[\"event:page\",\"visit:source\",\"time:week\"],\"filters\":[[\"contains\",\"event:page\",[\"/\"]]]"), refuse: false);
        yield return Query("allowed: year over year by source", Body("\"metrics\":[\"visitors\",\"bounce_rate\"],\"date_range\":\"12mo\",\"dimensions\":[\"visit:source\"],\"include\":{\"comparisons\":{\"mode\":\"year_over_year\"},\"total_rows\":true}"), refuse: false);
        yield return Query("allowed: goals of a site without goals", Body("\"metrics\":[\"visitors\",\"events\",\"conversion_rate\"],\"date_range\":\"7d\",\"dimensions\":[\"event:goal\"]"), refuse: false);
        yield return Query("allowed: goal contains SQL-ish", Body("\"metrics\":[\"visitors\"],\"date_range\":\"7d\",\"filters\":[[\"contains\",\"event:goal\",[\"' OR 1=1 --\"]]]"), refuse: false);

        // A heavy but allowed query: every visit dimension's filter at once, five dimensions, a year.
        yield return Query("allowed: the heaviest shape", Body(
            "\"metrics\":[\"visitors\",\"visits\",\"pageviews\",\"bounce_rate\",\"visit_duration\",\"views_per_visit\",\"events\",\"percentage\"],\"date_range\":\"12mo\"," +
            "\"dimensions\":[\"visit:source\",\"visit:country\",\"visit:device\",\"visit:browser\",\"time:week\"]," +
            "\"filters\":[[\"or\",[[\"matches\",\"visit:entry_page\",[\"^/a.*b$\"]],[\"contains_not\",\"visit:referrer\",[\"x\"],{\"case_sensitive\":false}]]]],\"include\":{\"total_rows\":true}"), refuse: false);
    }

    private static string Str(string text) => System.Text.Json.JsonSerializer.Serialize(text);

    private static string Shorten(string text) => HostileCase.Shorten(text.Replace("\u0000", "NUL", StringComparison.Ordinal), 30);
}
