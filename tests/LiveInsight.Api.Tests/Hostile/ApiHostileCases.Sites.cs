using System.Text;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Testing.Hostile;
using static LiveInsight.Testing.Hostile.HostileValues;

namespace LiveInsight.Api.Tests.Hostile;

/// <summary>Site administration: credentials on every endpoint, every field of a site with wrong types and hostile
/// strings, hostile site ids in the path, grace periods, bodies and content types.</summary>
public static partial class ApiHostileCases
{
    private static IEnumerable<HostileCase> Sites(HostileTargets t)
    {
        var id = t.Admin.SiteId;
        var endpoints = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Get, "/api/sites"), (HttpMethod.Post, "/api/sites"), (HttpMethod.Patch, $"/api/sites/{id}"),
            (HttpMethod.Post, $"/api/sites/{id}/rotate-keys"), (HttpMethod.Delete, $"/api/sites/{id}/retired-keys"),
        };
        foreach (var (method, path) in endpoints)
        {
            yield return new HostileCase("sites: no credentials", method, path);
            foreach (var (label, auth) in WrongAuthorizations)
            {
                yield return new HostileCase($"sites: {label}", method, path) { Authorization = auth };
            }

            yield return new HostileCase("sites: a site's secret key", method, path) { Authorization = "Bearer " + t.Admin.SecretKey };
            yield return new HostileCase("sites: admin token with a prefix", method, path) { Authorization = "Bearer x" + ApiFixture.AdminToken };
            yield return new HostileCase("sites: admin token in the query", method, $"{path}?token={ApiFixture.AdminToken}");
        }

        var good = new Dictionary<string, string>
        {
            ["name"] = "\"Hostile\"", ["domains"] = "[\"hostile-admin.example\"]", ["time_zone"] = "\"UTC\"", ["honor_dnt"] = "true",
            ["excluded_paths"] = "[\"/admin/**\"]", ["excluded_ip_ranges"] = "[\"203.0.113.0/24\"]", ["rate_limit_per_minute"] = "1000",
            ["allow_subdomains"] = "false", ["identify_enabled"] = "false",
        };
        foreach (var field in good.Keys)
        {
            foreach (var (label, json) in WrongTypes)
            {
                var body = Object(good.Select(f => f.Key == field ? new KeyValuePair<string, string>(field, json) : f));
                yield return new HostileCase($"sites create: {field} = {label}", HttpMethod.Post, "/api/sites") { Authorization = t.AdminBearer }.WithJson(body);
                // A change sends the one field alone, as the settings form does.
                yield return new HostileCase($"sites change: {field} = {label}", HttpMethod.Patch, $"/api/sites/{id}") { Authorization = t.AdminBearer }
                    .WithJson($"{{\"{field}\":{json}}}");
            }
        }

        foreach (var (label, json) in WrongTypes)
        {
            yield return new HostileCase($"sites change: reset_identify_secret = {label}", HttpMethod.Patch, $"/api/sites/{id}") { Authorization = t.AdminBearer }
                .WithJson($"{{\"reset_identify_secret\":{json}}}");
        }

        foreach (var field in new[] { "name", "time_zone" })
        {
            foreach (var (label, json) in HostileStrings)
            {
                yield return new HostileCase($"sites change: {field} = {label}", HttpMethod.Patch, $"/api/sites/{id}") { Authorization = t.AdminBearer }
                    .WithJson($"{{\"{field}\":{json}}}");
            }
        }

        foreach (var field in new[] { "domains", "excluded_paths", "excluded_ip_ranges" })
        {
            foreach (var (label, json) in HostileStrings)
            {
                yield return new HostileCase($"sites change: {field} = [{label}]", HttpMethod.Patch, $"/api/sites/{id}") { Authorization = t.AdminBearer }
                    .WithJson($"{{\"{field}\":[{json}]}}");
            }

            yield return new HostileCase($"sites change: {field} with 51 entries", HttpMethod.Patch, $"/api/sites/{id}") { Authorization = t.AdminBearer }
                .WithJson($"{{\"{field}\":[{string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"/p{i}\""))}]}}");
            yield return new HostileCase($"sites change: {field} with 100,000 entries", HttpMethod.Patch, $"/api/sites/{id}") { Authorization = t.AdminBearer }
                .WithJson($"{{\"{field}\":[{string.Join(",", Enumerable.Repeat("\"x\"", 100_000))}]}}");
        }

        foreach (var (label, json) in new (string, string)[]
                 {
                     ("a URL", "[\"https://example.com/x\"]"), ("a port", "[\"example.com:8080\"]"), ("a 3 KB host", $"[\"{new string('d', 3000)}.example\"]"),
                     ("a wildcard", "[\"*.example.com\"]"), ("an IPv6 literal", "[\"[::1]\"]"), ("a bidi host", "[\"exa\\u202Emple.com\"]"),
                 })
        {
            yield return new HostileCase($"sites create: domains {label}", HttpMethod.Post, "/api/sites") { Authorization = t.AdminBearer }
                .WithJson(Object(good.Select(f => f.Key == "domains" ? new KeyValuePair<string, string>("domains", json) : f)));
        }

        foreach (var (label, json) in new (string, string)[]
                 {
                     ("time_zone path traversal", "{\"time_zone\":\"../../../etc/localtime\"}"), ("time_zone 3 KB", $"{{\"time_zone\":\"{new string('z', 3000)}\"}}"),
                     ("excluded path ***", "{\"excluded_paths\":[\"/***\"]}"), ("excluded path without slash", "{\"excluded_paths\":[\"admin\"]}"),
                     ("excluded IP range /999", "{\"excluded_ip_ranges\":[\"10.0.0.0/999\"]}"), ("rate limit beyond int", "{\"rate_limit_per_minute\":99999999999}"),
                     ("unknown field", "{\"secret_key_hash\":\"x\",\"site_id\":\"other\"}"), ("site_id in body", $"{{\"site_id\":\"{t.Other.SiteId}\",\"name\":\"Hijack\"}}"),
                 })
        {
            yield return new HostileCase($"sites change: {label}", HttpMethod.Patch, $"/api/sites/{id}") { Authorization = t.AdminBearer }.WithJson(json);
        }

        foreach (var (method, path) in endpoints.Where(e => e.Method == HttpMethod.Post || e.Method == HttpMethod.Patch))
        {
            foreach (var (label, body) in new (string, string)[]
                     {
                         ("empty", ""), ("null", "null"), ("array", "[]"), ("truncated", "{\"name\":\"x"), ("nested 1,000 deep", $"{{\"name\":{Nested(1000)}}}"),
                         ("nested objects 5,000 deep", NestedObjects(5000)), ("2 MB", $"{{\"name\":\"{new string('n', 2 * 1024 * 1024)}\"}}"),
                         ("duplicate keys", "{\"name\":\"a\",\"name\":\"b\",\"domains\":[\"a.example\"]}"),
                     })
            {
                yield return new HostileCase($"sites: body {label}", method, path) { Authorization = t.AdminBearer }.WithJson(body);
            }

            foreach (var (label, bytes) in InvalidUtf8)
            {
                yield return new HostileCase($"sites: name with invalid UTF-8 {label}", method, path)
                {
                    Authorization = t.AdminBearer, Body = Splice("{\"name\":\"a", bytes, "b\",\"domains\":[\"utf8.example\"]}"), ContentType = "application/json",
                };
            }

            foreach (var contentType in BadContentTypes)
            {
                yield return new HostileCase($"sites: Content-Type {contentType ?? "(none)"}", method, path)
                {
                    Authorization = t.AdminBearer, Body = Encoding.UTF8.GetBytes("<site><name>x</name></site>"), ContentType = contentType,
                };
            }
        }

        foreach (var (label, siteId) in new (string, string)[]
                 {
                     ("unknown", "nosuchsite00"), ("3 KB", new string('s', 3000)), ("control chars", "%01%1F"), ("bidi", "%E2%80%AEsite"), ("invalid UTF-8", "%FF%FE"),
                     ("encoded slash", "a%2F..%2Fb"), ("dot-dot", ".."), ("another site's key", t.Other.PublicKey),
                 })
        {
            foreach (var (method, suffix, body) in new (HttpMethod, string, string?)[]
                     {
                         (HttpMethod.Patch, "", "{\"name\":\"x\"}"), (HttpMethod.Post, "/rotate-keys", null), (HttpMethod.Delete, "/retired-keys", null),
                     })
            {
                var c = new HostileCase($"sites: site id {label}", method, $"/api/sites/{siteId}{suffix}") { Authorization = t.AdminBearer };
                yield return body is null ? c : c.WithJson(body);
            }
        }

        foreach (var (label, query) in new (string, string)[]
                 {
                     ("-1", "-1"), ("31 days", "2678400"), ("beyond int", "99999999999"), ("abc", "abc"), ("1.5", "1.5"), ("empty", ""),
                     ("twice", "0&grace_seconds=86400"), ("3,000 chars", new string('9', 3000)),
                 })
        {
            yield return new HostileCase($"sites rotate: grace_seconds {label}", HttpMethod.Post, $"/api/sites/{id}/rotate-keys?grace_seconds={query}")
                { Authorization = t.AdminBearer };
        }

        foreach (var (label, query) in QueryValues)
        {
            yield return new HostileCase($"sites list: query {label}", HttpMethod.Get, $"/api/sites?site_id={query}") { Authorization = t.AdminBearer };
        }
    }

    /// <summary>Health, unknown routes, wrong methods: the rest of what a scanner tries.</summary>
    private static IEnumerable<HostileCase> Elsewhere(HostileTargets t)
    {
        foreach (var path in new[] { "/health", "/alive" })
        {
            foreach (var (label, query) in QueryValues)
            {
                yield return Get($"health: query {label}", $"{path}?x={query}");
            }

            yield return new HostileCase("health: POST", HttpMethod.Post, path).WithJson("{}");
        }

        foreach (var (method, path) in new (HttpMethod, string)[]
                 {
                     (HttpMethod.Get, "/api/events"), (HttpMethod.Put, "/api/events"), (HttpMethod.Delete, "/api/sites"), (HttpMethod.Post, "/liveinsight.js"),
                     (HttpMethod.Post, "/api/stats/daily"), (HttpMethod.Get, "/api/stats/" + new string('x', 3000)), (HttpMethod.Get, "/api/%01"),
                     (HttpMethod.Get, "/openapi/v1.json"), (HttpMethod.Post, "/bench/parse"), (HttpMethod.Get, "/api/realtime/users/../../../etc/passwd"),
                     (new HttpMethod("PROPFIND"), "/api/events"), (HttpMethod.Trace, "/api/sites"),
                 })
        // A NUL in the path is not here: Kestrel refuses it with 400 before the app, and TestServer cannot send it.
        {
            yield return new HostileCase("elsewhere: wrong method or unknown route", method, path) { Authorization = t.AdminBearer };
        }
    }
}
