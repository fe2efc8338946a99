using System.Text;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Testing.Hostile;
using static LiveInsight.Testing.Hostile.HostileValues;

namespace LiveInsight.Api.Tests.Hostile;

/// <summary>POST /api/sites/{siteId}/cohorts/query on the control site (identify on): credentials, hostile site ids,
/// bodies and content types, every key with wrong types, SQL-ish periods and filter values. Values that are merely odd
/// inside a filter may be answered (200, as data); anything else must be refused.</summary>
public static partial class ApiHostileCases
{
    private static IEnumerable<HostileCase> Cohorts(HostileTargets t)
    {
        var site = t.Control;
        var path = $"/api/sites/{site.SiteId}/cohorts/query";
        var key = "Bearer " + site.SecretKey;
        const string good = "{\"date_range\":\"30d\",\"period\":\"week\"}";
        HostileCase Cohort(string name, string json, bool refuse = true) =>
            new HostileCase("cohorts: " + name, HttpMethod.Post, path) { Authorization = key, MustBeRefused = refuse }.WithJson(json);

        yield return new HostileCase("cohorts: no credentials", HttpMethod.Post, path) { MustBeRefused = true }.WithJson(good);
        foreach (var (label, auth) in WrongAuthorizations)
        {
            yield return new HostileCase($"cohorts: {label}", HttpMethod.Post, path) { Authorization = auth, MustBeRefused = true }.WithJson(good);
        }

        yield return new HostileCase("cohorts: the public key as bearer", HttpMethod.Post, path) { Authorization = "Bearer " + site.PublicKey, MustBeRefused = true }.WithJson(good);
        yield return new HostileCase("cohorts: another site's secret key", HttpMethod.Post, path) { Authorization = "Bearer " + t.Other.SecretKey, MustBeRefused = true }.WithJson(good);
        foreach (var (label, siteId) in new (string, string)[]
                 {
                     ("unknown", "nosuchsite00"), ("3 KB", new string('s', 3000)), ("control chars", "%01%1F"), ("bidi", "%E2%80%AEsite"), ("invalid UTF-8", "%FF%FE"),
                     ("encoded slash", "a%2F..%2Fb"), ("SQL-ish", "x'%20OR%201=1"), ("another site's id", t.Other.SiteId),
                 })
        {
            yield return new HostileCase($"cohorts: site id {label}", HttpMethod.Post, $"/api/sites/{siteId}/cohorts/query") { Authorization = key, MustBeRefused = true }.WithJson(good);
            yield return new HostileCase($"cohorts (admin token): site id {label}", HttpMethod.Post, $"/api/sites/{siteId}/cohorts/query")
                { Authorization = t.AdminBearer, MustBeRefused = true }.WithJson(good);
        }

        // A site without identify: refused however good the query.
        yield return new HostileCase("cohorts: a site without identify", HttpMethod.Post, $"/api/sites/{t.Other.SiteId}/cohorts/query")
            { Authorization = "Bearer " + t.Other.SecretKey, MustBeRefused = true }.WithJson(good);

        foreach (var (label, json) in new (string, string)[]
                 {
                     ("empty body", ""), ("not JSON", "period=week"), ("array", "[]"), ("string", "\"x\""), ("null", "null"), ("half an object", "{\"period\":"),
                     ("trailing garbage", good + "x"), ("deep arrays", "{\"filters\":" + Nested(5000) + "}"), ("deep objects", NestedObjects(5000)),
                     ("100 KB body", $"{{\"date_range\":\"30d\",\"period\":\"week\",\"x\":\"{new string('x', 100 * 1024)}\"}}"),
                     ("unknown key", "{\"date_range\":\"30d\",\"period\":\"week\",\"sql\":\"SELECT 1\"}"),
                     ("site_id in the body", $"{{\"site_id\":\"{t.Other.SiteId}\",\"date_range\":\"30d\",\"period\":\"week\"}}"),
                     ("period given twice", "{\"date_range\":\"30d\",\"period\":\"week\",\"period\":\"day\"}"),
                     ("missing period", "{\"date_range\":\"30d\"}"), ("missing date_range", "{\"period\":\"week\"}"),
                     ("366 daily periods", "{\"date_range\":[\"2025-01-01\",\"2025-12-31\"],\"period\":\"day\"}"),
                     ("dates reversed", "{\"date_range\":[\"2026-12-31\",\"2026-01-01\"],\"period\":\"week\"}"),
                     ("year 0001", "{\"date_range\":[\"0001-01-01\",\"0001-02-01\"],\"period\":\"week\"}"),
                     ("unknown goal filter", "{\"date_range\":\"30d\",\"period\":\"week\",\"filters\":[[\"is\",\"event:goal\",[\"Signup\"]]]}"),
                     ("time filter", "{\"date_range\":\"30d\",\"period\":\"week\",\"filters\":[[\"is\",\"time:day\",[\"2026-01-01\"]]]}"),
                     ("unknown filter dimension", "{\"date_range\":\"30d\",\"period\":\"week\",\"filters\":[[\"is\",\"event:user_hash\",[\"x\"]]]}"),
                     ("bad regex", "{\"date_range\":\"30d\",\"period\":\"week\",\"filters\":[[\"matches\",\"event:page\",[\"(\"]]]}"),
                     ("51 filters", "{\"date_range\":\"30d\",\"period\":\"week\",\"filters\":[" + string.Join(",", Enumerable.Repeat("[\"is\",\"event:page\",[\"/\"]]", 51)) + "]}"),
                 })
        {
            yield return Cohort(label, json);
        }

        foreach (var (label, json) in WrongTypes.Concat(HostileStrings).Concat(SqlIsh.Select(s => ("SQL-ish " + s, System.Text.Json.JsonSerializer.Serialize(s)))))
        {
            yield return Cohort($"period {label}", $"{{\"date_range\":\"30d\",\"period\":{json}}}");
            yield return Cohort($"date_range {label}", $"{{\"date_range\":{json},\"period\":\"week\"}}");
            // No filters at all is a fine query.
            yield return Cohort($"filters {label}", $"{{\"date_range\":\"30d\",\"period\":\"week\",\"filters\":{json}}}", refuse: json != "[]");
        }

        // A filter value is data: SQL-ish or hostile text is matched as text and may be answered.
        foreach (var value in SqlIsh)
        {
            yield return Cohort($"filter value {value}",
                $"{{\"date_range\":\"30d\",\"period\":\"week\",\"filters\":[[\"is\",\"visit:country\",[{System.Text.Json.JsonSerializer.Serialize(value)}]]]}}", refuse: false);
            yield return Cohort($"prop key {value}",
                $"{{\"date_range\":\"30d\",\"period\":\"week\",\"filters\":[[\"is\",{System.Text.Json.JsonSerializer.Serialize("event:props:" + value)},[\"x\"]]]}}", refuse: false);
        }

        foreach (var contentType in BadContentTypes)
        {
            yield return new HostileCase($"cohorts: Content-Type {contentType ?? "none"}", HttpMethod.Post, path)
            {
                Body = Encoding.UTF8.GetBytes(good), ContentType = contentType, Authorization = key, MustBeRefused = true,
            };
        }

        foreach (var (label, bytes) in InvalidUtf8)
        {
            yield return new HostileCase($"cohorts: invalid UTF-8 {label}", HttpMethod.Post, path)
            {
                Body = Splice("{\"date_range\":\"30d\",\"period\":\"week\",\"filters\":[[\"is\",\"event:page\",[\"", bytes, "\"]]]}"),
                ContentType = "application/json", Authorization = key, MustBeRefused = true,
            };
        }
    }
}
