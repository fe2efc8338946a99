using System.Text;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Testing.Hostile;
using static LiveInsight.Testing.Hostile.HostileValues;

namespace LiveInsight.Api.Tests.Hostile;

/// <summary>Goals: credentials on every endpoint (a site's secret key reads and changes only its own site's goals), every
/// field with wrong types and hostile strings, hostile site and goal ids, bodies and content types.</summary>
public static partial class ApiHostileCases
{
    /// <summary>Which wrong-typed goal fields must be refused: every non-string and the empty string; "12" is a fine event
    /// name, display name or property, and null leaves an optional field out (with prop_key, its partner is refused).</summary>
    private static bool MustRefuse(string field, string json) => json switch
    {
        "null" => field is "kind" or "path" or "event_name" or "prop_key" or "prop_value",
        "\"12\"" => field is "kind" or "path",
        _ => true,
    };

    private static IEnumerable<HostileCase> Goals(HostileTargets t)
    {
        var site = t.Admin;
        var path = $"/api/sites/{site.SiteId}/goals";
        var key = "Bearer " + site.SecretKey;
        var endpoints = new (HttpMethod Method, string Path, string? Body)[]
        {
            (HttpMethod.Get, path, null), (HttpMethod.Post, path, "{\"kind\":\"page\",\"path\":\"/hostile-goal\"}"), (HttpMethod.Delete, $"{path}/g_23456789", null),
        };
        foreach (var (method, target, body) in endpoints)
        {
            HostileCase Case(string name, string? auth) =>
                body is null ? new HostileCase(name, method, target) { Authorization = auth, MustBeRefused = true }
                    : new HostileCase(name, method, target) { Authorization = auth, MustBeRefused = true }.WithJson(body);
            yield return Case("goals: no credentials", null);
            foreach (var (label, auth) in WrongAuthorizations)
            {
                yield return Case($"goals: {label}", auth);
            }

            yield return Case("goals: the public key as bearer", "Bearer " + site.PublicKey);
            yield return Case("goals: another site's secret key", "Bearer " + t.Other.SecretKey);
            yield return Case("goals: admin token with a prefix", "Bearer x" + ApiFixture.AdminToken);
        }

        HostileCase Create(string name, string json, bool refuse = true) =>
            new HostileCase($"goals create: {name}", HttpMethod.Post, path) { Authorization = key, MustBeRefused = refuse }.WithJson(json);

        var page = new Dictionary<string, string> { ["kind"] = "\"page\"", ["path"] = "\"/signup/**\"", ["display_name"] = "\"Visit signup\"" };
        var evt = new Dictionary<string, string> { ["kind"] = "\"event\"", ["event_name"] = "\"Signup\"", ["prop_key"] = "\"plan\"", ["prop_value"] = "\"pro\"" };
        foreach (var (kind, good) in new[] { ("page", page), ("event", evt) })
        {
            foreach (var field in good.Keys)
            {
                foreach (var (label, json) in WrongTypes)
                {
                    yield return Create($"{kind} goal {field} = {label}",
                        Object(good.Select(f => f.Key == field ? new KeyValuePair<string, string>(field, json) : f)), refuse: MustRefuse(field, json));
                }

                foreach (var (label, json) in HostileStrings)
                {
                    // Odd but visible text is a fine name (stored as data); the answer may be 201, never 5xx.
                    yield return Create($"{kind} goal {field} = {label}",
                        Object(good.Select(f => f.Key == field ? new KeyValuePair<string, string>(field, json) : f)), refuse: false);
                }
            }
        }

        foreach (var (label, json) in new (string, string)[]
                 {
                     ("no kind", "{\"path\":\"/x\"}"), ("kind visit", "{\"kind\":\"visit\",\"path\":\"/x\"}"), ("kind PAGE", "{\"kind\":\"PAGE\",\"path\":\"/x\"}"),
                     ("page without path", "{\"kind\":\"page\"}"), ("path without slash", "{\"kind\":\"page\",\"path\":\"signup\"}"),
                     ("path ***", "{\"kind\":\"page\",\"path\":\"/***\"}"), ("path 3 KB", $"{{\"kind\":\"page\",\"path\":\"/{new string('p', 3000)}\"}}"),
                     ("path with NUL", "{\"kind\":\"page\",\"path\":\"/a\\u0000\"}"), ("page with event_name", "{\"kind\":\"page\",\"path\":\"/x\",\"event_name\":\"Signup\"}"),
                     ("event without name", "{\"kind\":\"event\"}"), ("event name empty", "{\"kind\":\"event\",\"event_name\":\"\"}"),
                     ("event name spaces", "{\"kind\":\"event\",\"event_name\":\"   \"}"), ("event name 3 KB", $"{{\"kind\":\"event\",\"event_name\":\"{new string('e', 3000)}\"}}"),
                     ("event name bidi", "{\"kind\":\"event\",\"event_name\":\"\\u202ESignup\"}"), ("event with path", "{\"kind\":\"event\",\"event_name\":\"S\",\"path\":\"/x\"}"),
                     ("prop key without value", "{\"kind\":\"event\",\"event_name\":\"S\",\"prop_key\":\"plan\"}"),
                     ("prop value 3 KB", $"{{\"kind\":\"event\",\"event_name\":\"S\",\"prop_key\":\"k\",\"prop_value\":\"{new string('v', 3000)}\"}}"),
                     ("display name 3 KB", $"{{\"kind\":\"event\",\"event_name\":\"S\",\"display_name\":\"{new string('d', 3000)}\"}}"),
                     ("display name zero-width", "{\"kind\":\"event\",\"event_name\":\"S\",\"display_name\":\"Sign\\u200Bup\"}"),
                     ("display name lone surrogate", "{\"kind\":\"event\",\"event_name\":\"S\",\"display_name\":\"\\ud800\"}"),
                 })
        {
            yield return Create(label, json);
        }

        yield return Create("an id in the body is ignored", "{\"id\":\"g_aaaaaaaa\",\"kind\":\"page\",\"path\":\"/ignored-id\"}", refuse: false);
        foreach (var (label, body) in new (string, string)[]
                 {
                     ("empty", ""), ("null", "null"), ("array", "[]"), ("truncated", "{\"kind\":\"pa"), ("nested 1,000 deep", $"{{\"kind\":{Nested(1000)}}}"),
                     ("nested objects 5,000 deep", NestedObjects(5000)), ("2 MB", $"{{\"kind\":\"event\",\"event_name\":\"{new string('n', 2 * 1024 * 1024)}\"}}"),
                 })
        {
            yield return Create($"body {label}", body);
        }

        foreach (var (label, bytes) in InvalidUtf8)
        {
            yield return new HostileCase($"goals create: event_name with invalid UTF-8 {label}", HttpMethod.Post, path)
            {
                Authorization = key, MustBeRefused = true, Body = Splice("{\"kind\":\"event\",\"event_name\":\"a", bytes, "b\"}"), ContentType = "application/json",
            };
        }

        foreach (var contentType in BadContentTypes)
        {
            yield return new HostileCase($"goals create: Content-Type {contentType ?? "(none)"}", HttpMethod.Post, path)
            {
                Authorization = key, MustBeRefused = true, Body = Encoding.UTF8.GetBytes("<goal kind=\"page\"/>"), ContentType = contentType,
            };
        }

        foreach (var (label, siteId) in new (string, string)[]
                 {
                     ("unknown", "nosuchsite00"), ("3 KB", new string('s', 3000)), ("control chars", "%01%1F"), ("bidi", "%E2%80%AEsite"), ("invalid UTF-8", "%FF%FE"),
                     ("encoded slash", "a%2F..%2Fb"), ("another site's id", t.Other.SiteId),
                 })
        {
            yield return new HostileCase($"goals: site id {label}", HttpMethod.Get, $"/api/sites/{siteId}/goals") { Authorization = key, MustBeRefused = true };
            yield return new HostileCase($"goals (admin token): site id {label}", HttpMethod.Delete, $"/api/sites/{siteId}/goals/g_23456789")
                { Authorization = t.AdminBearer, MustBeRefused = true };
        }

        foreach (var (label, goalId) in new (string, string)[]
                 {
                     ("unknown", "g_23456789"), ("3 KB", new string('g', 3000)), ("control chars", "%01%1F"), ("bidi", "%E2%80%AEg_23456789"), ("invalid UTF-8", "%FF%FE"),
                     ("upper case", "G_23456789"), ("SQL-ish", "g_'%20OR%201=1"),
                 })
        {
            yield return new HostileCase($"goals delete: goal id {label}", HttpMethod.Delete, $"{path}/{goalId}") { Authorization = key, MustBeRefused = true };
        }

        foreach (var (label, query) in QueryValues)
        {
            yield return new HostileCase($"goals list: query {label}", HttpMethod.Get, $"{path}?site_id={query}") { Authorization = key };
        }
    }
}
