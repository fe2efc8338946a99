using System.Text;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Testing.Hostile;
using static LiveInsight.Testing.Hostile.HostileValues;

namespace LiveInsight.Api.Tests.Hostile;

/// <summary>The data lifecycle (delete, reset, erase, export): credentials, confirmations that are not the site's exact
/// name (never one a hostile rename could have given the site), periods and user ids that are not one, hostile site
/// ids, bodies and content types. None may delete or erase anything.</summary>
public static partial class ApiHostileCases
{
    private static IEnumerable<HostileCase> Lifecycle(HostileTargets t)
    {
        var id = t.Admin.SiteId;
        var endpoints = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Delete, $"/api/sites/{id}?confirm=Test%20site"), (HttpMethod.Post, $"/api/sites/{id}/reset?confirm=Test%20site"),
            (HttpMethod.Post, $"/api/sites/{id}/erase"), (HttpMethod.Get, $"/api/sites/{id}/export"),
        };
        foreach (var (method, path) in endpoints)
        {
            yield return Json(new HostileCase("lifecycle: no credentials", method, path), path);
            foreach (var (label, auth) in WrongAuthorizations)
            {
                yield return Json(new HostileCase($"lifecycle: {label}", method, path) { Authorization = auth }, path);
            }

            yield return Json(new HostileCase("lifecycle: a site's secret key", method, path) { Authorization = "Bearer " + t.Admin.SecretKey }, path);
            yield return Json(new HostileCase("lifecycle: another site's secret key", method, path) { Authorization = "Bearer " + t.Other.SecretKey }, path);
            yield return Json(new HostileCase("lifecycle: admin token in the query", method, $"{path}{(path.Contains('?') ? '&' : '?')}token={ApiFixture.AdminToken}"), path);
        }

        foreach (var (label, confirm) in new (string, string)[]
                 {
                     ("absent", ""), ("empty", "?confirm="), ("upper case", "?confirm=TEST%20SITE"), ("trailing space", "?confirm=Test%20site%20"),
                     ("wildcard", "?confirm=*"), ("NUL", "?confirm=Test%00site"), ("3,000 chars", "?confirm=" + new string('c', 3000)),
                     ("the site id", $"?confirm={id}"), ("twice, one wrong", "?confirm=x&confirm=y"), ("bidi", "?confirm=%E2%80%AETest%20site"),
                     ("invalid UTF-8", "?confirm=%FF%FE"),
                 })
        {
            yield return new HostileCase($"lifecycle delete: confirm {label}", HttpMethod.Delete, $"/api/sites/{id}{confirm}") { Authorization = t.AdminBearer };
            yield return new HostileCase($"lifecycle reset: confirm {label}", HttpMethod.Post, $"/api/sites/{id}/reset{confirm}") { Authorization = t.AdminBearer };
        }

        foreach (var field in new[] { "from", "to" })
        {
            foreach (var (label, json) in WrongTypes.Concat(HostileStrings))
            {
                var body = field == "from" ? $"{{\"from\":{json},\"to\":\"2026-01-01\"}}" : $"{{\"from\":\"2026-01-01\",\"to\":{json}}}";
                yield return new HostileCase($"lifecycle erase: {field} = {label}", HttpMethod.Post, $"/api/sites/{id}/erase") { Authorization = t.AdminBearer }.WithJson(body);
            }
        }

        // A string is a user id: only those no user id can be (empty, control characters, over the cap) are hostile.
        foreach (var (label, json) in WrongTypes.Where(w => !w.Json.StartsWith('"') || w.Json == "\"\"")
                     .Concat([("NUL and control chars", "\"a\\u0000b\""), ("3 KB", $"\"{new string('u', 3000)}\""), ("CRLF", "\"a\\r\\nb\"")]))
        {
            yield return new HostileCase($"lifecycle erase: user_id = {label}", HttpMethod.Post, $"/api/sites/{id}/erase") { Authorization = t.AdminBearer }
                .WithJson($"{{\"user_id\":{json}}}");
        }

        foreach (var (label, json) in new (string, string)[]
                 {
                     ("both a period and a user", "{\"from\":\"2026-01-01\",\"to\":\"2026-01-01\",\"user_id\":\"u\"}"),
                     ("to before from", "{\"from\":\"2026-01-02\",\"to\":\"2026-01-01\"}"), ("11 years", "{\"from\":\"2015-01-01\",\"to\":\"2026-01-01\"}"),
                     ("a time of day", "{\"from\":\"2026-01-01T00:00:00Z\",\"to\":\"2026-01-01\"}"), ("a US date", "{\"from\":\"01/02/2026\",\"to\":\"2026-01-01\"}"),
                     ("empty", ""), ("null", "null"), ("array", "[]"), ("truncated", "{\"from\":\"2026"), ("nested 1,000 deep", $"{{\"from\":{Nested(1000)}}}"),
                     ("2 MB", $"{{\"user_id\":\"{new string('n', 2 * 1024 * 1024)}\"}}"), ("site_id in body", $"{{\"site_id\":\"{t.Other.SiteId}\"}}"),
                 })
        {
            yield return new HostileCase($"lifecycle erase: {label}", HttpMethod.Post, $"/api/sites/{id}/erase") { Authorization = t.AdminBearer }.WithJson(json);
        }

        foreach (var (label, bytes) in InvalidUtf8)
        {
            yield return new HostileCase($"lifecycle erase: user_id with invalid UTF-8 {label}", HttpMethod.Post, $"/api/sites/{id}/erase")
            {
                Authorization = t.AdminBearer, Body = Splice("{\"user_id\":\"a", bytes, "b\"}"), ContentType = "application/json",
            };
        }

        foreach (var contentType in BadContentTypes)
        {
            yield return new HostileCase($"lifecycle erase: Content-Type {contentType ?? "(none)"}", HttpMethod.Post, $"/api/sites/{id}/erase")
            {
                Authorization = t.AdminBearer, Body = Encoding.UTF8.GetBytes("from=2026-01-01&to=2026-01-01"), ContentType = contentType,
            };
        }

        foreach (var (label, query) in QueryValues)
        {
            yield return new HostileCase($"lifecycle export: format {label}", HttpMethod.Get, $"/api/sites/{id}/export?format={query}") { Authorization = t.AdminBearer };
            yield return new HostileCase($"lifecycle export: from {label}", HttpMethod.Get, $"/api/sites/{id}/export?from={query}") { Authorization = t.AdminBearer };
            yield return new HostileCase($"lifecycle export: to {label}", HttpMethod.Get, $"/api/sites/{id}/export?to={query}") { Authorization = t.AdminBearer };
        }

        foreach (var (label, siteId) in new (string, string)[]
                 {
                     ("unknown", "nosuchsite00"), ("3 KB", new string('s', 3000)), ("control chars", "%01%1F"), ("bidi", "%E2%80%AEsite"), ("invalid UTF-8", "%FF%FE"),
                     ("encoded slash", "a%2F..%2Fb"), ("another site's key", t.Other.PublicKey),
                 })
        {
            yield return new HostileCase($"lifecycle: site id {label}", HttpMethod.Delete, $"/api/sites/{siteId}?confirm=Test%20site") { Authorization = t.AdminBearer };
            yield return new HostileCase($"lifecycle: site id {label}", HttpMethod.Post, $"/api/sites/{siteId}/reset?confirm=Test%20site") { Authorization = t.AdminBearer };
            yield return new HostileCase($"lifecycle: site id {label}", HttpMethod.Post, $"/api/sites/{siteId}/erase") { Authorization = t.AdminBearer }
                .WithJson("{\"from\":\"2026-01-01\",\"to\":\"2026-01-01\"}");
            yield return new HostileCase($"lifecycle: site id {label}", HttpMethod.Get, $"/api/sites/{siteId}/export") { Authorization = t.AdminBearer };
        }
    }

    /// <summary>An erasure needs a body to be judged on its credentials alone (a good one, so only the credentials are wrong).</summary>
    private static HostileCase Json(HostileCase c, string path) =>
        path.EndsWith("/erase", StringComparison.Ordinal) ? c.WithJson("{\"from\":\"2026-01-01\",\"to\":\"2026-01-01\"}") : c;
}
