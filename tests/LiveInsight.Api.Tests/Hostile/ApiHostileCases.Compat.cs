using System.Text;
using LiveInsight.Testing.Hostile;
using static LiveInsight.Testing.Hostile.HostileValues;

namespace LiveInsight.Api.Tests.Hostile;

/// <summary>
/// Issue 20: Plausible's <c>POST /api/event</c> and Umami's <c>POST /api/send</c>, each with well over 100 hostile
/// requests: every field missing and of every wrong type, hostile strings, whole bodies broken, foreign origins. The
/// target site takes what may be kept; the control site only gets requests that must be refused whole.
/// </summary>
public static partial class ApiHostileCases
{
    /// <summary>A page view as Plausible's script sends it (short keys), as raw JSON fields.</summary>
    public static Dictionary<string, string> GoodPlausibleFields(string domain, string path = "/hostile") => new()
    {
        ["n"] = "\"pageview\"",
        ["u"] = $"\"https://{domain}{path}\"",
        ["d"] = $"\"{domain}\"",
        ["r"] = "\"https://www.google.com/\"",
        ["p"] = "{\"plan\":\"pro\"}",
        ["v"] = "36",
        ["h"] = "1",
        ["i"] = "true",
        ["$"] = "{\"amount\":\"10\",\"currency\":\"EUR\"}",
        ["e"] = "1200",
        ["sd"] = "50",
        ["w"] = "1920",
        ["m"] = "\"{\\\"old\\\":\\\"meta\\\"}\"",
        ["name"] = "\"Signup\"",
        ["url"] = $"\"https://{domain}{path}\"",
        ["domain"] = $"\"{domain}\"",
        ["referrer"] = "\"https://www.google.com/\"",
        ["props"] = "{\"plan\":\"pro\"}",
        ["revenue"] = "{\"amount\":10,\"currency\":\"EUR\"}",
        ["interactive"] = "false",
    };

    /// <summary>A page view as Umami's tracker sends it.</summary>
    public static string GoodUmami(string websiteId, string domain, Dictionary<string, string>? replace = null, string? remove = null)
    {
        var payload = new Dictionary<string, string>
        {
            ["website"] = $"\"{websiteId}\"",
            ["hostname"] = $"\"{domain}\"",
            ["url"] = "\"/hostile\"",
            ["referrer"] = "\"https://www.google.com/\"",
            ["title"] = "\"Hostile\"",
            ["screen"] = "\"1920x1080\"",
            ["language"] = "\"en-US\"",
            ["name"] = "\"Signup\"",
            ["data"] = "{\"plan\":\"pro\"}",
        };
        foreach (var (field, json) in replace ?? [])
        {
            payload[field] = json;
        }

        if (remove is not null)
        {
            payload.Remove(remove);
        }

        return $"{{\"type\":\"event\",\"payload\":{Object(payload)}}}";
    }

    private static IEnumerable<HostileCase> Compat(HostileTargets t) => [.. Plausible(t), .. Umami(t)];

    private static IEnumerable<HostileCase> Plausible(HostileTargets t)
    {
        static HostileCase P(string name) => Post("plausible: " + name, "/api/event");
        string With(string field, string? json)
        {
            var fields = GoodPlausibleFields(t.TargetDomain);
            if (json is null)
            {
                fields.Remove(field);
            }
            else
            {
                fields[field] = json;
            }

            return Object(fields);
        }

        foreach (var field in GoodPlausibleFields(t.TargetDomain).Keys)
        {
            yield return P($"without {field}").WithJson(With(field, null), "text/plain");
            foreach (var (label, json) in WrongTypes)
            {
                yield return P($"{field} = {label}").WithJson(With(field, json), "text/plain");
            }
        }

        foreach (var field in new[] { "n", "u", "d", "r", "m" })
        {
            foreach (var (label, json) in HostileStrings)
            {
                yield return P($"{field} = {label}").WithJson(With(field, json), "text/plain");
            }
        }

        foreach (var (label, json) in HostileStrings)
        {
            yield return P($"props value = {label}").WithJson(With("p", $"{{\"k\":{json}}}"), "text/plain");
            yield return P($"props key = {label}").WithJson(With("p", $"{{{json}:1}}"), "text/plain");
        }

        foreach (var (label, json) in new (string, string)[]
                 {
                     ("nested 1,000 deep", $"{{\"k\":{Nested(1000)}}}"), ("31 props", Object(Enumerable.Range(0, 31).Select(i => new KeyValuePair<string, string>($"p{i}", "1")))),
                     ("as a string of an array", "\"[1,2]\""), ("as a string of broken JSON", "\"{\\\"a\\\":\""), ("as a string nested 1,000 deep", $"\"{Nested(1000)}\""),
                     ("__proto__", "{\"__proto__\":{\"admin\":true}}"),
                 })
        {
            yield return P($"props {label}").WithJson(With("p", json), "text/plain");
            yield return P($"m {label}").WithJson(With("m", json), "text/plain");
        }

        foreach (var (label, domains) in new (string, string)[]
                 {
                     ("unknown domain", "evil.example"), ("11 domains", string.Join(",", Enumerable.Repeat(t.TargetDomain, 1).Concat(Enumerable.Range(0, 10).Select(i => $"d{i}.example")))),
                     ("commas only", ",,,"), ("the target twice", $"{t.TargetDomain},{t.TargetDomain.ToUpperInvariant()}"), ("3 KB", new string('d', 3000)),
                     ("target and control", $"{t.TargetDomain},evil.example"), ("www. prefix", "www." + t.TargetDomain),
                 })
        {
            yield return P($"domain {label}").WithJson(With("d", $"\"{domains}\""), "text/plain");
        }

        foreach (var (label, url) in new (string, string)[]
                 {
                     ("javascript:", "javascript:alert(1)"), ("relative", "/x"), ("another site's host", "https://evil.example/"), ("3,000 chars", $"https://{t.TargetDomain}/{new string('p', 3000)}"),
                 })
        {
            yield return P($"url {label}").WithJson(With("u", $"\"{url}\""), "text/plain");
        }

        foreach (var c in CompatBodies("/api/event", "plausible", Object(GoodPlausibleFields(t.ControlDomain))))
        {
            yield return c;
        }

        var control = Object(GoodPlausibleFields(t.ControlDomain));
        foreach (var origin in new[] { "null", "https://evil.example", $"https://{t.ControlDomain}.evil.example", "file://", "https://[::1" })
        {
            yield return (P($"control domain from Origin {origin}") with { MustBeRefused = true }).WithJson(control, "text/plain").WithHeader("Origin", origin);
        }

        foreach (var origin in new[] { null, "null", "https://evil.example", "*" })
        {
            var preflight = new HostileCase($"plausible preflight: Origin {origin ?? "(none)"}", HttpMethod.Options, "/api/event");
            yield return origin is null ? preflight : preflight.WithHeader("Origin", origin);
        }
    }

    private static IEnumerable<HostileCase> Umami(HostileTargets t)
    {
        static HostileCase U(string name) => Post("umami: " + name, "/api/send");
        var (id, domain) = (t.TargetUmamiId, t.TargetDomain);
        foreach (var field in new[] { "website", "hostname", "url", "referrer", "title", "screen", "language", "name", "data" })
        {
            yield return U($"without payload.{field}").WithJson(GoodUmami(id, domain, remove: field));
            foreach (var (label, json) in WrongTypes)
            {
                yield return U($"payload.{field} = {label}").WithJson(GoodUmami(id, domain, new() { [field] = json }));
            }

            if (field != "data")
            {
                foreach (var (label, json) in HostileStrings)
                {
                    yield return U($"payload.{field} = {label}").WithJson(GoodUmami(id, domain, new() { [field] = json }));
                }
            }
        }

        foreach (var (label, json) in HostileStrings)
        {
            yield return U($"data value = {label}").WithJson(GoodUmami(id, domain, new() { ["data"] = $"{{\"k\":{json}}}" }));
            yield return U($"data key = {label}").WithJson(GoodUmami(id, domain, new() { ["data"] = $"{{{json}:1}}" }));
        }

        foreach (var (label, website) in new (string, string)[]
                 {
                     ("unknown UUID", Guid.NewGuid().ToString()), ("upper case", id.ToUpperInvariant()), ("braces", "{" + id + "}"), ("no hyphens", id.Replace("-", "", StringComparison.Ordinal)),
                     ("with NUL", id + "\\u0000"), ("3 KB", new string('a', 3000)), ("public key", t.Target.PublicKey), ("site id", t.Target.SiteId),
                 })
        {
            yield return U($"website {label}").WithJson(GoodUmami(id, domain, new() { ["website"] = $"\"{website}\"" }));
        }

        foreach (var (label, type) in WrongTypes.Concat([("unknown type", "\"pageview\""), ("identify", "\"identify\"")]))
        {
            yield return U($"type = {label}").WithJson(GoodUmami(id, domain).Replace("\"type\":\"event\"", $"\"type\":{type}", StringComparison.Ordinal));
        }

        foreach (var (label, payload) in WrongTypes)
        {
            yield return U($"payload = {label}").WithJson($"{{\"type\":\"event\",\"payload\":{payload}}}");
        }

        foreach (var (label, value) in new (string, string)[] { ("3 KB", new string('c', 3000)), ("not a token", "\u202E;;"), ("empty", "") })
        {
            yield return U($"x-umami-cache {label}").WithJson(GoodUmami(id, domain)).WithHeader("x-umami-cache", value);
        }

        foreach (var c in CompatBodies("/api/send", "umami", GoodUmami(t.ControlUmamiId, t.ControlDomain)))
        {
            yield return c;
        }

        var control = GoodUmami(t.ControlUmamiId, t.ControlDomain);
        foreach (var origin in new[] { "null", "https://evil.example", $"https://{t.ControlDomain}.evil.example", "file://" })
        {
            yield return (U($"control site from Origin {origin}") with { MustBeRefused = true }).WithJson(control).WithHeader("Origin", origin);
        }

        foreach (var origin in new[] { null, "null", "https://evil.example", "*" })
        {
            var preflight = new HostileCase($"umami preflight: Origin {origin ?? "(none)"}", HttpMethod.Options, "/api/send");
            yield return origin is null ? preflight : preflight.WithHeader("Origin", origin);
        }
    }

    /// <summary>Whole bodies that must be refused before anything is read (sent for the control site).</summary>
    private static IEnumerable<HostileCase> CompatBodies(string target, string label, string good)
    {
        foreach (var (name, body) in new (string, string)[]
                 {
                     ("empty", ""), ("null", "null"), ("array", "[]"), ("string", "\"x\""), ("number", "12"), ("truncated", good[..(good.Length / 2)]),
                     ("trailing garbage", good + "}{"), ("comment", "/*x*/" + good), ("single quotes", good.Replace('"', '\'')),
                     ("nested arrays 30,000 deep", Nested(30_000)), ("nested objects 2,000 deep", NestedObjects(2000)),
                     ("just over 32 KB", good[..^1] + ",\"pad\":\"" + new string(' ', 32 * 1024) + "\"}"),
                     ("1 MB", good[..^1] + ",\"pad\":\"" + new string('x', 1024 * 1024) + "\"}"), ("UTF-8 BOM", "\uFEFF" + good),
                 })
        {
            yield return (Post($"{label}: body {name}", target) with { MustBeRefused = true }).WithJson(body);
        }

        var middle = good.IndexOf("https://www.google.com/", StringComparison.Ordinal);
        foreach (var (name, bytes) in InvalidUtf8)
        {
            yield return Post($"{label}: invalid UTF-8 {name}", target) with
            {
                Body = Splice(good[..middle], bytes, good[middle..]), ContentType = "text/plain", MustBeRefused = true,
            };
        }

        yield return Post($"{label}: body in UTF-16", target) with { Body = Encoding.Unicode.GetBytes(good), ContentType = "text/plain; charset=utf-16", MustBeRefused = true };
        foreach (var contentType in BadContentTypes)
        {
            yield return Post($"{label}: Content-Type {contentType ?? "(none)"} with a broken body", target) with
            {
                Body = Encoding.UTF8.GetBytes("<event/>"), ContentType = contentType, MustBeRefused = true,
            };
        }
    }
}
