using LiveInsight.Testing.Hostile;
using static LiveInsight.Testing.Hostile.HostileValues;

namespace LiveInsight.Dashboard.Tests.Hostile;

/// <summary>Funnels through the proxy: reads and answers for viewers, changes for site admins, the site in the path; a
/// site the caller has no role on, or a change without the CSRF token, is refused before the Api is asked, and what the
/// Api refuses comes back as its problem.</summary>
public static partial class DashboardHostileCases
{
    private static IEnumerable<HostileCase> FunnelsProxy(DashboardTargets t)
    {
        var funnels = $"/proxy/api/sites/{t.SiteId}/funnels";
        var other = $"/proxy/api/sites/{t.OtherSiteId}/funnels";
        const string Good = "{\"name\":\"Proxy funnel\",\"steps\":[{\"kind\":\"page\",\"path\":\"/a\"},{\"kind\":\"event\",\"event_name\":\"Signup\"}]}";
        yield return new HostileCase("proxy funnels: another site (no role)", HttpMethod.Get, other) { Caller = Caller.SiteAdmin, MustBeRefused = true };
        yield return new HostileCase("proxy funnels: signed out", HttpMethod.Get, funnels) { BodylessBecause = CookieAuth401 };
        yield return new HostileCase("proxy funnels: junk query", HttpMethod.Get, funnels + "?x=%00%FF") { Caller = Caller.SiteAdmin };

        var create = new HostileCase("", HttpMethod.Post, funnels) { Caller = Caller.SiteAdmin, Csrf = true };
        yield return (create with { Name = "proxy funnel create: no CSRF token", Csrf = false, MustBeRefused = true }).WithJson(Good);
        yield return (create with { Name = "proxy funnel create: another site (no role)", Target = other, MustBeRefused = true }).WithJson(Good);
        foreach (var (label, json) in new (string, string)[]
                 {
                     ("one step", "{\"name\":\"F\",\"steps\":[{\"kind\":\"page\",\"path\":\"/a\"}]}"), ("window 2h", Good.Replace("}]}", "}],\"window\":\"2h\"}", StringComparison.Ordinal)),
                     ("step path ***", Good.Replace("/a", "/***", StringComparison.Ordinal)), ("name 3 KB", Good.Replace("Proxy funnel", new string('n', 3000), StringComparison.Ordinal)),
                     ("name bidi", Good.Replace("Proxy funnel", "\\u202Ex", StringComparison.Ordinal)), ("steps a string", "{\"name\":\"F\",\"steps\":\"/a,/b\"}"),
                     ("nested objects 5,000 deep", NestedObjects(5000)), ("array", "[]"), ("truncated", "{\"name\":\"F"), ("empty", ""),
                 })
        {
            yield return (create with { Name = $"proxy funnel create: {label}", MustBeRefused = true }).WithJson(json);
        }

        foreach (var (label, funnelId) in new (string, string)[] { ("unknown", "f_23456789"), ("3 KB", new string('f', 3000)), ("dot-dot", ".."), ("bidi", "%E2%80%AEf") })
        {
            yield return new HostileCase($"proxy funnel delete: id {label}", HttpMethod.Delete, $"{funnels}/{funnelId}") { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true };
            yield return new HostileCase($"proxy funnel replace: id {label}", HttpMethod.Put, $"{funnels}/{funnelId}") { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true }
                .WithJson(Good);
            yield return new HostileCase($"proxy funnel query: id {label}", HttpMethod.Post, $"{funnels}/{funnelId}/query") { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true }
                .WithJson("{\"date_range\":\"7d\"}");
        }

        yield return new HostileCase("proxy funnel delete: no CSRF token", HttpMethod.Delete, $"{funnels}/f_23456789") { Caller = Caller.SiteAdmin, MustBeRefused = true };
        yield return new HostileCase("proxy funnel replace: no CSRF token", HttpMethod.Put, $"{funnels}/f_23456789") { Caller = Caller.SiteAdmin, MustBeRefused = true }.WithJson(Good);
        yield return new HostileCase("proxy funnel replace: another site (no role)", HttpMethod.Put, $"{other}/f_23456789") { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true }
            .WithJson(Good);
        yield return new HostileCase("proxy funnel delete: another site (no role)", HttpMethod.Delete, $"{other}/f_23456789") { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true };

        var query = new HostileCase("", HttpMethod.Post, $"{funnels}/f_23456789/query") { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true };
        yield return (query with { Name = "proxy funnel query: no CSRF token", Csrf = false }).WithJson("{\"date_range\":\"7d\"}");
        yield return (query with { Name = "proxy funnel query: signed out", Caller = Caller.Anonymous, Csrf = false, MustBeRefused = false, BodylessBecause = CookieAuth401 })
            .WithJson("{\"date_range\":\"7d\"}");
        yield return (query with { Name = "proxy funnel query: another site (no role)", Target = $"{other}/f_23456789/query" }).WithJson("{\"date_range\":\"7d\"}");
        foreach (var (label, json) in new (string, string)[]
                 {
                     ("site_id in the body", $"{{\"site_id\":\"{t.OtherSiteId}\",\"date_range\":\"7d\"}}"), ("bad date_range", "{\"date_range\":\"forever\"}"),
                     ("breakdown by SQL", "{\"date_range\":\"7d\",\"breakdown\":{\"step\":1,\"by\":\"1; DROP TABLE x\"}}"),
                     ("filter 60 deep", $"{{\"date_range\":\"7d\",\"filters\":[{string.Concat(Enumerable.Repeat("[\"not\",", 60))}[\"is\",\"visit:source\",[\"x\"]]{new string(']', 60)}]}}"),
                     ("nested objects 5,000 deep", NestedObjects(5000)), ("array", "[]"), ("empty", ""),
                 })
        {
            yield return (query with { Name = $"proxy funnel query: {label}" }).WithJson(json);
        }
    }
}
