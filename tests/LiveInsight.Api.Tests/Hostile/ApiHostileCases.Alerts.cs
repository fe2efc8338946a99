using System.Text;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Testing.Hostile;
using static LiveInsight.Testing.Hostile.HostileValues;

namespace LiveInsight.Api.Tests.Hostile;

/// <summary>Alert rules, report recipients, the delivery log and the unsubscribe link: credentials on every route, every
/// field with wrong types and hostile strings, bounds, hostile ids in the path, forged and malformed tokens.</summary>
public static partial class ApiHostileCases
{
    private static IEnumerable<HostileCase> Alerts(HostileTargets t)
    {
        var id = t.Admin.SiteId;
        const string ruleId = "0123456789abcdef";
        var endpoints = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Get, $"/api/sites/{id}/alerts"), (HttpMethod.Post, $"/api/sites/{id}/alerts"), (HttpMethod.Put, $"/api/sites/{id}/alerts/{ruleId}"),
            (HttpMethod.Delete, $"/api/sites/{id}/alerts/{ruleId}"), (HttpMethod.Get, $"/api/sites/{id}/alerts/deliveries"),
            (HttpMethod.Get, $"/api/sites/{id}/reports"), (HttpMethod.Post, $"/api/sites/{id}/reports"), (HttpMethod.Delete, $"/api/sites/{id}/reports/{ruleId}"),
        };
        foreach (var (method, path) in endpoints)
        {
            yield return new HostileCase("alerts: no credentials", method, path) { MustBeRefused = true };
            foreach (var (label, auth) in WrongAuthorizations)
            {
                yield return new HostileCase($"alerts: {label}", method, path) { Authorization = auth, MustBeRefused = true };
            }

            yield return new HostileCase("alerts: another site's secret key", method, path) { Authorization = "Bearer " + t.Other.SecretKey, MustBeRefused = true };
            yield return new HostileCase("alerts: admin token in the query", method, $"{path}?token={ApiFixture.AdminToken}") { MustBeRefused = true };
        }

        var rules = $"/api/sites/{id}/alerts";
        var good = new Dictionary<string, string>
        {
            ["kind"] = "\"goal\"", ["name"] = "\"Signups\"", ["enabled"] = "false", ["goal"] = "\"Signup\"", ["direction"] = "\"below\"", ["threshold"] = "1",
            ["window_hours"] = "24", ["quiet_hours"] = "{\"from\":22,\"to\":7}", ["emails"] = "[\"owner@example.com\"]",
            ["webhooks"] = "[{\"url\":\"https://hooks.example.com/x\",\"format\":\"slack\"}]",
        };
        foreach (var field in good.Keys)
        {
            foreach (var (label, json) in WrongTypes)
            {
                var body = Object(good.Select(f => f.Key == field ? new KeyValuePair<string, string>(field, json) : f));
                yield return new HostileCase($"alerts create: {field} = {label}", HttpMethod.Post, rules) { Authorization = t.AdminBearer }.WithJson(body);
                yield return new HostileCase($"alerts replace: {field} = {label}", HttpMethod.Put, $"{rules}/{ruleId}") { Authorization = t.AdminBearer }.WithJson(body);
            }
        }

        foreach (var field in new[] { "name", "goal", "kind", "direction" })
        {
            foreach (var (label, json) in HostileStrings)
            {
                var body = Object(good.Select(f => f.Key == field ? new KeyValuePair<string, string>(field, json) : f));
                yield return new HostileCase($"alerts create: {field} = {label}", HttpMethod.Post, rules) { Authorization = t.AdminBearer }.WithJson(body);
            }
        }

        foreach (var (label, json) in HostileStrings)
        {
            yield return new HostileCase($"alerts create: emails = [{label}]", HttpMethod.Post, rules) { Authorization = t.AdminBearer, MustBeRefused = true }
                .WithJson($"{{\"kind\":\"spike\",\"emails\":[{json}]}}");
            yield return new HostileCase($"alerts create: webhook url {label}", HttpMethod.Post, rules) { Authorization = t.AdminBearer, MustBeRefused = true }
                .WithJson($"{{\"kind\":\"spike\",\"webhooks\":[{{\"url\":{json}}}]}}");
        }

        foreach (var (label, json) in new (string, string)[]
                 {
                     ("11 e-mails", $"{{\"kind\":\"spike\",\"emails\":[{string.Join(",", Enumerable.Range(0, 11).Select(i => $"\"o{i}@example.com\""))}]}}"),
                     ("100,000 e-mails", $"{{\"kind\":\"spike\",\"emails\":[{string.Join(",", Enumerable.Repeat("\"o@example.com\"", 100_000))}]}}"),
                     ("6 webhooks", $"{{\"kind\":\"spike\",\"webhooks\":[{string.Join(",", Enumerable.Repeat("{\"url\":\"https://h.example/x\"}", 6))}]}}"),
                     ("webhook javascript:", "{\"kind\":\"spike\",\"webhooks\":[{\"url\":\"javascript:alert(1)\"}]}"),
                     ("webhook file:", "{\"kind\":\"spike\",\"webhooks\":[{\"url\":\"file:///etc/passwd\"}]}"),
                     ("webhook with credentials", "{\"kind\":\"spike\",\"webhooks\":[{\"url\":\"https://u:p@h.example/x\"}]}"),
                     ("webhook relative", "{\"kind\":\"spike\",\"webhooks\":[{\"url\":\"/hook\"}]}"),
                     ("webhook format xml", "{\"kind\":\"spike\",\"webhooks\":[{\"url\":\"https://h.example/x\",\"format\":\"xml\"}]}"),
                     ("webhook 3 KB URL", $"{{\"kind\":\"spike\",\"webhooks\":[{{\"url\":\"https://h.example/{new string('x', 3000)}\"}}]}}"),
                     ("e-mail with a display name", "{\"kind\":\"spike\",\"emails\":[\"Owner <o@example.com>\"]}"),
                     ("e-mail with a header break", "{\"kind\":\"spike\",\"emails\":[\"o@example.com\\r\\nBcc: x@evil.example\"]}"),
                     ("e-mail 300 chars", $"{{\"kind\":\"spike\",\"emails\":[\"{new string('o', 290)}@example.com\"]}}"),
                     ("spike factor 0.5", "{\"kind\":\"spike\",\"baseline_factor\":0.5}"), ("spike factor 1e308", "{\"kind\":\"spike\",\"baseline_factor\":1e308}"),
                     ("drop factor 2", "{\"kind\":\"drop\",\"baseline_factor\":2}"), ("drop silent 1 minute", "{\"kind\":\"drop\",\"silent_minutes\":1}"),
                     ("drop silent beyond int", "{\"kind\":\"drop\",\"silent_minutes\":99999999999}"), ("visitors -1", "{\"kind\":\"spike\",\"visitors_above\":-1}"),
                     ("visitors on a drop", "{\"kind\":\"drop\",\"visitors_above\":5}"), ("goal without a name", "{\"kind\":\"goal\",\"threshold\":1}"),
                     ("goal negative threshold", "{\"kind\":\"goal\",\"goal\":\"x\",\"threshold\":-1}"), ("goal window 10,000 h", "{\"kind\":\"goal\",\"goal\":\"x\",\"threshold\":1,\"window_hours\":10000}"),
                     ("goal 3 KB name", $"{{\"kind\":\"goal\",\"goal\":\"{new string('g', 3000)}\",\"threshold\":1}}"), ("goal fields on a spike", "{\"kind\":\"spike\",\"goal\":\"x\"}"),
                     ("quiet hours 24", "{\"kind\":\"spike\",\"quiet_hours\":{\"from\":24,\"to\":1}}"), ("quiet hours equal", "{\"kind\":\"spike\",\"quiet_hours\":{\"from\":3,\"to\":3}}"),
                     ("quiet hours missing to", "{\"kind\":\"spike\",\"quiet_hours\":{\"from\":3}}"), ("unknown kind", "{\"kind\":\"uptime\"}"), ("no kind", "{\"name\":\"x\"}"),
                     ("webhook_secret in body", "{\"kind\":\"spike\",\"webhook_secret\":\"mine\",\"id\":\"0123456789abcdef\",\"site_id\":\"other\"}"),
                 })
        {
            var mustRefuse = label is not "webhook_secret in body";
            yield return new HostileCase($"alerts create: {label}", HttpMethod.Post, rules) { Authorization = t.AdminBearer, MustBeRefused = mustRefuse }.WithJson(json);
        }

        var reports = $"/api/sites/{id}/reports";
        var goodReport = new Dictionary<string, string> { ["email"] = "\"r@example.com\"", ["frequency"] = "\"weekly\"", ["hour"] = "8" };
        foreach (var field in goodReport.Keys)
        {
            foreach (var (label, json) in WrongTypes.Concat(HostileStrings))
            {
                var body = Object(goodReport.Select(f => f.Key == field ? new KeyValuePair<string, string>(field, json) : f));
                yield return new HostileCase($"reports create: {field} = {label}", HttpMethod.Post, reports) { Authorization = t.AdminBearer }.WithJson(body);
            }
        }

        yield return new HostileCase("reports create: hour 24", HttpMethod.Post, reports) { Authorization = t.AdminBearer, MustBeRefused = true }
            .WithJson("{\"email\":\"r@example.com\",\"frequency\":\"weekly\",\"hour\":24}");
        yield return new HostileCase("reports create: daily", HttpMethod.Post, reports) { Authorization = t.AdminBearer, MustBeRefused = true }
            .WithJson("{\"email\":\"r@example.com\",\"frequency\":\"daily\"}");

        foreach (var (method, path) in new[] { (HttpMethod.Post, rules), (HttpMethod.Put, $"{rules}/{ruleId}"), (HttpMethod.Post, reports) })
        {
            foreach (var (label, body) in new (string, string)[]
                     {
                         ("empty", ""), ("null", "null"), ("array", "[]"), ("truncated", "{\"kind\":\"sp"), ("nested 1,000 deep", $"{{\"emails\":{Nested(1000)}}}"),
                         ("nested objects 5,000 deep", NestedObjects(5000)), ("2 MB", $"{{\"name\":\"{new string('n', 2 * 1024 * 1024)}\"}}"),
                         ("duplicate keys", "{\"kind\":\"spike\",\"kind\":\"drop\"}"),
                     })
            {
                yield return new HostileCase($"alerts: body {label}", method, path) { Authorization = t.AdminBearer }.WithJson(body);
            }

            foreach (var (label, bytes) in InvalidUtf8)
            {
                yield return new HostileCase($"alerts: invalid UTF-8 {label}", method, path)
                {
                    Authorization = t.AdminBearer, Body = Splice("{\"kind\":\"spike\",\"name\":\"a", bytes, "b\"}"), ContentType = "application/json",
                };
            }

            foreach (var contentType in BadContentTypes)
            {
                yield return new HostileCase($"alerts: Content-Type {contentType ?? "(none)"}", method, path)
                {
                    Authorization = t.AdminBearer, Body = Encoding.UTF8.GetBytes("<rule><kind>spike</kind></rule>"), ContentType = contentType,
                };
            }
        }

        foreach (var (label, value) in new (string, string)[]
                 {
                     ("unknown", "fedcba9876543210"), ("3 KB", new string('a', 3000)), ("control chars", "%01%1F"), ("bidi", "%E2%80%AEabc"),
                     ("invalid UTF-8", "%FF%FE"), ("encoded slash", "a%2F..%2Fb"), ("dot-dot", ".."), ("upper-case hex", "0123456789ABCDEF"),
                 })
        {
            yield return new HostileCase($"alerts: rule id {label}", HttpMethod.Put, $"{rules}/{value}") { Authorization = t.AdminBearer }.WithJson("{\"kind\":\"spike\"}");
            yield return new HostileCase($"alerts: rule id {label}", HttpMethod.Delete, $"{rules}/{value}") { Authorization = t.AdminBearer };
            yield return new HostileCase($"reports: id {label}", HttpMethod.Delete, $"{reports}/{value}") { Authorization = t.AdminBearer };
            yield return new HostileCase($"alerts: site id {label}", HttpMethod.Get, $"/api/sites/{value}/alerts") { Authorization = t.AdminBearer };
        }

        foreach (var (label, query) in QueryValues)
        {
            yield return new HostileCase($"alerts list: query {label}", HttpMethod.Get, $"{rules}?site_id={query}") { Authorization = t.AdminBearer };
        }

        foreach (var (label, token) in new (string, string)[]
                 {
                     ("missing", ""), ("empty", "?token="), ("garbage", "?token=garbage"), ("two dots", "?token=a.b.c"), ("bad base64", "?token=%25%25.%25%25"),
                     ("forged mac", "?token=djEKYWJjCm9AZXhhbXBsZS5jb20.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), ("3 KB", $"?token={new string('a', 3000)}.x"),
                     ("100 KB", $"?token={new string('a', 100_000)}"), ("twice", "?token=a.b&token=c.d"), ("control chars", "?token=%00%01.%1F"),
                     ("invalid UTF-8", "?token=%FF%FE.%C0%AF"),
                 })
        {
            yield return new HostileCase($"unsubscribe page: token {label}", HttpMethod.Get, "/api/unsubscribe" + token) { MustBeRefused = true };
            yield return new HostileCase($"unsubscribe: token {label}", HttpMethod.Post, "/api/unsubscribe" + token) { MustBeRefused = true }
                .WithJson("List-Unsubscribe=One-Click", "application/x-www-form-urlencoded");
        }

        yield return new HostileCase("unsubscribe: 2 MB body", HttpMethod.Post, "/api/unsubscribe?token=a.b") { MustBeRefused = true }
            .WithJson(new string('x', 2 * 1024 * 1024), "application/x-www-form-urlencoded");
    }
}
