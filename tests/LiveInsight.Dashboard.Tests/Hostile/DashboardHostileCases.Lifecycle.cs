using LiveInsight.Testing.Hostile;
using static LiveInsight.Testing.Hostile.HostileValues;

namespace LiveInsight.Dashboard.Tests.Hostile;

/// <summary>The data lifecycle through the proxy: only an owner (here the installation admin) gets to the Api at all; a
/// site admin, a change without the CSRF token or another site are refused by the Dashboard, and an owner's request
/// with a confirmation that is not the site's name is refused by the Api. None deletes anything.</summary>
public static partial class DashboardHostileCases
{
    private static IEnumerable<HostileCase> LifecycleProxy(DashboardTargets t)
    {
        var routes = new (HttpMethod Method, string Suffix)[]
        {
            (HttpMethod.Delete, "?confirm=x"), (HttpMethod.Post, "/reset?confirm=x"), (HttpMethod.Post, "/erase"), (HttpMethod.Get, "/export?format=csv"),
        };
        foreach (var (method, suffix) in routes)
        {
            var path = $"/proxy/api/sites/{t.SiteId}{suffix}";
            yield return Body(new HostileCase($"proxy lifecycle (site admin, not owner): {method} {suffix}", method, path)
                { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true }, suffix);
            yield return Body(new HostileCase($"proxy lifecycle (site admin): another site {method} {suffix}", method, $"/proxy/api/sites/{t.OtherSiteId}{suffix}")
                { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true }, suffix);
            if (method != HttpMethod.Get)
            {
                yield return Body(new HostileCase($"proxy lifecycle (admin): no CSRF token {method} {suffix}", method, path)
                    { Caller = Caller.Admin, MustBeRefused = true }, suffix);
            }

            yield return Body(new HostileCase($"proxy lifecycle: signed out {method} {suffix}", method, path) { BodylessBecause = CookieAuth401 }, suffix);
        }

        foreach (var (label, confirm) in new (string, string)[]
                 {
                     ("absent", ""), ("empty", "?confirm="), ("NUL", "?confirm=%00"), ("3,000 chars", "?confirm=" + new string('c', 3000)),
                     ("invalid UTF-8", "?confirm=%FF%FE"), ("the site id", $"?confirm={t.SiteId}"),
                 })
        {
            yield return new HostileCase($"proxy lifecycle delete (admin): confirm {label}", HttpMethod.Delete, $"/proxy/api/sites/{t.SiteId}{confirm}")
                { Caller = Caller.Admin, Csrf = true };
            yield return new HostileCase($"proxy lifecycle reset (admin): confirm {label}", HttpMethod.Post, $"/proxy/api/sites/{t.SiteId}/reset{confirm}")
                { Caller = Caller.Admin, Csrf = true };
        }

        foreach (var (label, json) in new (string, string)[]
                 {
                     ("to before from", "{\"from\":\"2026-01-02\",\"to\":\"2026-01-01\"}"), ("both", "{\"from\":\"2026-01-01\",\"to\":\"2026-01-01\",\"user_id\":\"u\"}"),
                     ("user_id 3 KB", $"{{\"user_id\":\"{new string('u', 3000)}\"}}"), ("nested", $"{{\"from\":{Nested(1000)}}}"), ("array", "[]"),
                 })
        {
            yield return (new HostileCase($"proxy lifecycle erase (admin): {label}", HttpMethod.Post, $"/proxy/api/sites/{t.SiteId}/erase")
                { Caller = Caller.Admin, Csrf = true }).WithJson(json);
        }

        foreach (var (label, query) in new (string, string)[] { ("xlsx", "format=xlsx"), ("from not a date", "from=%00"), ("to 3,000 chars", "to=" + new string('9', 3000)) })
        {
            yield return new HostileCase($"proxy lifecycle export (admin): {label}", HttpMethod.Get, $"/proxy/api/sites/{t.SiteId}/export?{query}") { Caller = Caller.Admin };
        }
    }

    private static HostileCase Body(HostileCase c, string suffix) =>
        suffix == "/erase" ? c.WithJson("{\"from\":\"2026-01-01\",\"to\":\"2026-01-01\"}") : c;
}
