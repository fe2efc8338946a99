using System.Text;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Testing.Hostile;
using static LiveInsight.Testing.Hostile.HostileValues;

namespace LiveInsight.Api.Tests.Hostile;

/// <summary>Funnels: credentials on every endpoint, every field (and every step field) with wrong types and hostile
/// strings, hostile bounds, site and funnel ids, bodies and content types; the funnel query's bodies are judged before
/// the funnel is looked up, so they are aimed at an id no site has.</summary>
public static partial class ApiHostileCases
{
    private static IEnumerable<HostileCase> Funnels(HostileTargets t)
    {
        var site = t.Admin;
        var path = $"/api/sites/{site.SiteId}/funnels";
        var one = $"{path}/f_23456789";
        var key = "Bearer " + site.SecretKey;
        const string Good = "{\"name\":\"Hostile funnel\",\"steps\":[{\"kind\":\"page\",\"path\":\"/a\"},{\"kind\":\"event\",\"event_name\":\"Signup\"}]}";
        var endpoints = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Get, path, null), (HttpMethod.Post, path, Good), (HttpMethod.Put, one, Good), (HttpMethod.Delete, one, null),
            (HttpMethod.Post, $"{one}/query", "{\"date_range\":\"7d\"}"),
        };
        foreach (var (method, target, body) in endpoints)
        {
            HostileCase Case(string name, string? auth) =>
                body is null ? new HostileCase(name, method, target) { Authorization = auth, MustBeRefused = true }
                    : new HostileCase(name, method, target) { Authorization = auth, MustBeRefused = true }.WithJson(body);
            yield return Case($"funnels {method}: no credentials", null);
            foreach (var (label, auth) in WrongAuthorizations)
            {
                yield return Case($"funnels {method}: {label}", auth);
            }

            yield return Case($"funnels {method}: the public key as bearer", "Bearer " + site.PublicKey);
            yield return Case($"funnels {method}: another site's secret key", "Bearer " + t.Other.SecretKey);
        }

        HostileCase Create(string name, string json, bool refuse = true) =>
            new HostileCase($"funnels create: {name}", HttpMethod.Post, path) { Authorization = key, MustBeRefused = refuse }.WithJson(json);

        foreach (var (label, json) in WrongTypes)
        {
            yield return Create($"name = {label}", Good.Replace("\"Hostile funnel\"", json, StringComparison.Ordinal), refuse: json != "\"12\"");
            yield return Create($"steps = {label}", $"{{\"name\":\"F\",\"steps\":{json}}}");
            yield return Create($"window = {label}", Good.Replace("{\"name\"", $"{{\"window\":{json},\"name\"", StringComparison.Ordinal), refuse: json != "null");
            yield return Create($"a step = {label}", $"{{\"name\":\"F\",\"steps\":[{{\"kind\":\"page\",\"path\":\"/a\"}},{json}]}}");
            yield return Create($"step path = {label}", $"{{\"name\":\"F\",\"steps\":[{{\"kind\":\"page\",\"path\":{json}}},{{\"kind\":\"page\",\"path\":\"/b\"}}]}}");
        }

        foreach (var (label, json) in HostileStrings)
        {
            // Odd but visible text is a fine name or event name (stored as data): never a 5xx.
            yield return Create($"name {label}", Good.Replace("\"Hostile funnel\"", json, StringComparison.Ordinal), refuse: false);
            yield return Create($"step event_name {label}", Good.Replace("\"Signup\"", json, StringComparison.Ordinal), refuse: false);
            yield return Create($"step display_name {label}", Good.Replace("\"Signup\"}", $"\"Signup\",\"display_name\":{json}}}", StringComparison.Ordinal), refuse: false);
        }

        foreach (var (label, json) in new (string, string)[]
                 {
                     ("no steps", "{\"name\":\"F\"}"), ("one step", "{\"name\":\"F\",\"steps\":[{\"kind\":\"page\",\"path\":\"/a\"}]}"),
                     ("1,000 steps", $"{{\"name\":\"F\",\"steps\":[{string.Join(",", Enumerable.Repeat("{\"kind\":\"page\",\"path\":\"/a\"}", 1000))}]}}"),
                     ("window 2h", Good.Replace("{\"name\"", "{\"window\":\"2h\",\"name\"", StringComparison.Ordinal)),
                     ("window SESSION", Good.Replace("{\"name\"", "{\"window\":\"SESSION\",\"name\"", StringComparison.Ordinal)),
                     ("name 3 KB", Good.Replace("Hostile funnel", new string('n', 3000), StringComparison.Ordinal)),
                     ("name bidi", Good.Replace("Hostile funnel", "\\u202EHostile", StringComparison.Ordinal)),
                     ("name lone surrogate", Good.Replace("Hostile funnel", "\\ud800", StringComparison.Ordinal)),
                     ("step path ***", Good.Replace("/a", "/***", StringComparison.Ordinal)), ("step path without slash", Good.Replace("/a", "a", StringComparison.Ordinal)),
                     ("step path 3 KB", Good.Replace("/a", "/" + new string('p', 3000), StringComparison.Ordinal)),
                     ("step kind visit", Good.Replace("\"page\"", "\"visit\"", StringComparison.Ordinal)),
                     ("step prop key without value", Good.Replace("\"Signup\"}", "\"Signup\",\"prop_key\":\"plan\"}", StringComparison.Ordinal)),
                     ("step display name 3 KB", Good.Replace("\"Signup\"}", $"\"Signup\",\"display_name\":\"{new string('d', 3000)}\"}}", StringComparison.Ordinal)),
                 })
        {
            yield return Create(label, json);
        }

        yield return Create("an id in the body is ignored", Good.Replace("{\"name\"", "{\"id\":\"f_aaaaaaaa\",\"name\"", StringComparison.Ordinal)
            .Replace("Hostile funnel", "Ignored id", StringComparison.Ordinal), refuse: false);
        foreach (var (label, body) in new (string, string)[]
                 {
                     ("empty", ""), ("null", "null"), ("array", "[]"), ("truncated", "{\"name\":\"F"), ("nested 1,000 deep", $"{{\"steps\":{Nested(1000)}}}"),
                     ("nested objects 5,000 deep", NestedObjects(5000)), ("2 MB", $"{{\"name\":\"{new string('n', 2 * 1024 * 1024)}\"}}"),
                 })
        {
            yield return Create($"body {label}", body);
            yield return new HostileCase($"funnels replace: body {label}", HttpMethod.Put, one) { Authorization = key, MustBeRefused = true }.WithJson(body);
        }

        foreach (var (label, bytes) in InvalidUtf8)
        {
            yield return new HostileCase($"funnels create: name with invalid UTF-8 {label}", HttpMethod.Post, path)
            {
                Authorization = key, MustBeRefused = true, Body = Splice("{\"name\":\"a", bytes, "b\",\"steps\":[]}"), ContentType = "application/json",
            };
        }

        foreach (var contentType in BadContentTypes)
        {
            yield return new HostileCase($"funnels create: Content-Type {contentType ?? "(none)"}", HttpMethod.Post, path)
            {
                Authorization = key, MustBeRefused = true, Body = Encoding.UTF8.GetBytes("<funnel/>"), ContentType = contentType,
            };
            yield return new HostileCase($"funnel query: Content-Type {contentType ?? "(none)"}", HttpMethod.Post, $"{one}/query")
            {
                Authorization = key, MustBeRefused = true, Body = Encoding.UTF8.GetBytes("date_range=7d"), ContentType = contentType,
            };
        }

        foreach (var (label, siteId) in new (string, string)[]
                 {
                     ("unknown", "nosuchsite00"), ("3 KB", new string('s', 3000)), ("control chars", "%01%1F"), ("bidi", "%E2%80%AEsite"), ("invalid UTF-8", "%FF%FE"),
                     ("encoded slash", "a%2F..%2Fb"), ("another site's id", t.Other.SiteId),
                 })
        {
            yield return new HostileCase($"funnels: site id {label}", HttpMethod.Get, $"/api/sites/{siteId}/funnels") { Authorization = key, MustBeRefused = true };
            yield return new HostileCase($"funnels (admin token): site id {label}", HttpMethod.Post, $"/api/sites/{siteId}/funnels/f_23456789/query")
                { Authorization = t.AdminBearer, MustBeRefused = true }.WithJson("{\"date_range\":\"7d\"}");
        }

        foreach (var (label, funnelId) in new (string, string)[]
                 {
                     ("unknown", "f_23456789"), ("3 KB", new string('f', 3000)), ("control chars", "%01%1F"), ("bidi", "%E2%80%AEf_23456789"), ("invalid UTF-8", "%FF%FE"),
                     ("upper case", "F_23456789"), ("SQL-ish", "f_'%20OR%201=1"), ("a goal's id", "g_23456789"),
                 })
        {
            yield return new HostileCase($"funnels delete: id {label}", HttpMethod.Delete, $"{path}/{funnelId}") { Authorization = key, MustBeRefused = true };
            yield return new HostileCase($"funnels replace: id {label}", HttpMethod.Put, $"{path}/{funnelId}") { Authorization = key, MustBeRefused = true }.WithJson(Good);
            yield return new HostileCase($"funnel query: id {label}", HttpMethod.Post, $"{path}/{funnelId}/query") { Authorization = key, MustBeRefused = true }
                .WithJson("{\"date_range\":\"7d\"}");
        }

        // The query's body: the v2 parser's rules for date_range and filters, and the breakdown's own.
        HostileCase Query(string name, string json) =>
            new HostileCase($"funnel query: {name}", HttpMethod.Post, $"{one}/query") { Authorization = key, MustBeRefused = true }.WithJson(json);
        foreach (var (label, json) in WrongTypes)
        {
            yield return Query($"date_range = {label}", $"{{\"date_range\":{json}}}");
            if (json != "null")
            {
                yield return Query($"filters = {label}", $"{{\"date_range\":\"7d\",\"filters\":{json}}}");
                yield return Query($"breakdown = {label}", $"{{\"date_range\":\"7d\",\"breakdown\":{json}}}");
                yield return Query($"breakdown step = {label}", $"{{\"date_range\":\"7d\",\"breakdown\":{{\"step\":{json},\"by\":\"visit:source\"}}}}");
                yield return Query($"breakdown by = {label}", $"{{\"date_range\":\"7d\",\"breakdown\":{{\"step\":1,\"by\":{json}}}}}");
                if (json != "{}")
                {
                    yield return Query($"include = {label}", $"{{\"date_range\":\"7d\",\"include\":{json}}}"); // {} is an empty include: allowed
                }

                yield return Query($"comparisons mode = {label}", $"{{\"date_range\":\"7d\",\"include\":{{\"comparisons\":{{\"mode\":{json}}}}}}}");
            }
        }

        foreach (var (label, json) in new (string, string)[]
                 {
                     ("empty body", ""), ("array", "[]"), ("null", "null"), ("unknown key", "{\"date_range\":\"7d\",\"sql\":\"SELECT 1\"}"),
                     ("site_id", "{\"date_range\":\"7d\",\"site_id\":\"other\"}"), ("metrics", "{\"date_range\":\"7d\",\"metrics\":[\"visitors\"]}"),
                     ("date_range twice", "{\"date_range\":\"7d\",\"date_range\":\"day\"}"), ("date_range 20 years", "{\"date_range\":[\"2000-01-01\",\"2020-01-01\"]}"),
                     ("unknown filter dimension", "{\"date_range\":\"7d\",\"filters\":[[\"is\",\"visit:planet\",[\"x\"]]]}"),
                     ("filter 60 deep", $"{{\"date_range\":\"7d\",\"filters\":[{string.Concat(Enumerable.Repeat("[\"not\",", 60))}[\"is\",\"visit:source\",[\"x\"]]{new string(']', 60)}]}}"),
                     ("unknown goal", "{\"date_range\":\"7d\",\"filters\":[[\"is\",\"event:goal\",[\"No such goal\"]]]}"),
                     ("breakdown step 0", "{\"date_range\":\"7d\",\"breakdown\":{\"step\":0,\"by\":\"visit:source\"}}"),
                     ("breakdown step 9", "{\"date_range\":\"7d\",\"breakdown\":{\"step\":9,\"by\":\"visit:source\"}}"),
                     ("breakdown by browser", "{\"date_range\":\"7d\",\"breakdown\":{\"step\":1,\"by\":\"visit:browser\"}}"),
                     ("breakdown by SQL", "{\"date_range\":\"7d\",\"breakdown\":{\"step\":1,\"by\":\"v_source; DROP TABLE x\"}}"),
                     ("breakdown extra key", "{\"date_range\":\"7d\",\"breakdown\":{\"step\":1,\"by\":\"visit:source\",\"limit\":1000000}}"),
                     ("key lone surrogate", "{\"\\ud800\":1,\"date_range\":\"7d\"}"),
                     ("breakdown by lone surrogate", "{\"date_range\":\"7d\",\"breakdown\":{\"step\":1,\"by\":\"\\ud800\"}}"),
                     ("date_range lone surrogate", "{\"date_range\":\"\\ud800\"}"),
                     ("include total_rows", "{\"date_range\":\"7d\",\"include\":{\"total_rows\":true}}"),
                     ("comparison 20 years", "{\"date_range\":\"7d\",\"include\":{\"comparisons\":{\"mode\":\"custom\",\"date_range\":[\"2000-01-01\",\"2020-01-01\"]}}}"),
                     ("comparison dates reversed", "{\"date_range\":\"7d\",\"include\":{\"comparisons\":{\"mode\":\"custom\",\"date_range\":[\"2026-02-01\",\"2026-01-01\"]}}}"),
                     ("include twice", "{\"date_range\":\"7d\",\"include\":{},\"include\":{}}"),
                     ("100 KB body", $"{{\"date_range\":\"7d\",\"filters\":[[\"is\",\"visit:source\",[\"{new string('x', 100 * 1024)}\"]]]}}"),
                 })
        {
            yield return Query(label, json);
        }
    }
}
