using System.Text;
using LiveInsight.Testing.Hostile;
using static LiveInsight.Testing.Hostile.HostileValues;

namespace LiveInsight.Dashboard.Tests.Hostile;

/// <param name="SiteId">A site the admin owns and <paramref name="SiteAdminEmail"/> administers.</param>
/// <param name="ShareToken">A live share link of that site.</param>
/// <param name="InviteToken">An unused invite to that site.</param>
public sealed record DashboardTargets(string SiteId, string OtherSiteId, string ShareToken, string InviteToken, string UserEmail, string UserPassword, string SiteAdminEmail);

/// <summary>Every hostile request of the Dashboard, as data: forms, invite and share links, the proxy, the account JSON.</summary>
public static partial class DashboardHostileCases
{
    public const string KestrelRefuses = "Kestrel refuses a malformed request target itself (400, no body) before the app runs";
    public const string CookieAuth401 = "cookie authentication answers a call without a session with a bare 401 (the front end goes to /login)";

    public static readonly string[] HostileReturnUrls =
    [
        "/%09/evil.example", "//evil.example", "/\\evil.example", "https://evil.example", "javascript:alert(1)", "/%0d%0aSet-Cookie:x=1",
        "/" + new string('r', 3000), "/%E2%80%AE", "/%ED%A0%80", "%2F%2Fevil.example", "/%5Cevil.example", "/ /evil.example",
    ];

    public static List<HostileCase> All(DashboardTargets t) =>
        [.. Login(t), .. Setup(), .. Invites(t), .. Shares(t), .. Proxy(t), .. LifecycleProxy(t), .. AlertsProxy(t), .. FunnelsProxy(t), .. Account(t), .. AccountSecurity(t), .. InstallationProxy(t)];

    private static string Form(params (string Name, string Value)[] fields) =>
        string.Join("&", fields.Select(f => $"{f.Name}={f.Value}"));

    private static IEnumerable<HostileCase> Login(DashboardTargets t)
    {
        foreach (var url in HostileReturnUrls)
        {
            yield return new HostileCase($"login page: returnUrl {HostileCase.Shorten(url, 30)}", HttpMethod.Get, "/login?returnUrl=" + url) { FormPage = true };
            // A right password, so the answer is the redirect the returnUrl steers.
            yield return new HostileCase($"login: right password, returnUrl {HostileCase.Shorten(url, 30)}", HttpMethod.Post, "/login") { Caller = Caller.FreshVisitor }
                .WithForm(Form(("__RequestVerificationToken", HostileCase.FormToken), ("email", Uri.EscapeDataString(t.UserEmail)),
                    ("password", Uri.EscapeDataString(t.UserPassword)), ("returnUrl", url)));
        }

        foreach (var (label, query) in QueryValues)
        {
            // Wrong passwords only for an e-mail nobody has: the fixture's administrator must not be locked out.
            yield return new HostileCase($"login: email {label}", HttpMethod.Post, "/login") { Caller = Caller.FreshVisitor }
                .WithForm(Form(("__RequestVerificationToken", HostileCase.FormToken), ("email", query), ("password", "x")));
            yield return new HostileCase($"login: password {label}", HttpMethod.Post, "/login") { Caller = Caller.FreshVisitor }
                .WithForm(Form(("__RequestVerificationToken", HostileCase.FormToken), ("email", "nobody%40example.com"), ("password", query)));
        }

        foreach (var c in FormAbuse("login", "/login", Form(("email", "nobody%40example.com"), ("password", "x"))))
        {
            yield return c;
        }
    }

    private static IEnumerable<HostileCase> Setup()
    {
        yield return new HostileCase("setup page after setup", HttpMethod.Get, "/setup") { FormPage = true };
        foreach (var (label, query) in QueryValues)
        {
            yield return new HostileCase($"setup: adminToken {label}", HttpMethod.Post, "/setup") { Caller = Caller.FreshVisitor }
                .WithForm(Form(("__RequestVerificationToken", HostileCase.FormToken), ("adminToken", query), ("email", "x%40example.com"), ("password", query), ("confirm", query)));
        }

        foreach (var c in FormAbuse("setup", "/setup", Form(("adminToken", "x"), ("email", "x%40example.com"))))
        {
            yield return c;
        }
    }

    /// <summary>What every form gets: no token, a forged token, a JSON or XML body, a huge body, broken encodings.</summary>
    private static IEnumerable<HostileCase> FormAbuse(string name, string path, string fields)
    {
        var post = new HostileCase("", HttpMethod.Post, path) { Caller = Caller.FreshVisitor };
        var token = $"__RequestVerificationToken={HostileCase.FormToken}&";
        yield return (post with { Name = $"{name}: no antiforgery token" }).WithForm(fields);
        yield return (post with { Name = $"{name}: forged antiforgery token" }).WithForm("__RequestVerificationToken=CfDJ8forged&" + fields);
        yield return (post with { Name = $"{name}: antiforgery token twice" }).WithForm(token + token + fields);
        yield return (post with { Name = $"{name}: 3 KB antiforgery token" }).WithForm($"__RequestVerificationToken={new string('t', 3000)}&" + fields);
        yield return (post with { Name = $"{name}: 2 MB form" }).WithForm(token + fields + "&pad=" + new string('p', 2 * 1024 * 1024));
        yield return (post with { Name = $"{name}: 10,000 fields" }).WithForm(token + string.Join("&", Enumerable.Range(0, 10_000).Select(i => $"f{i}=1")));
        yield return (post with { Name = $"{name}: JSON body", FormPage = true }).WithJson("{\"email\":\"x@example.com\"}");
        foreach (var contentType in BadContentTypes)
        {
            yield return post with
            {
                Name = $"{name}: Content-Type {contentType ?? "(none)"}", FormPage = true, Body = Encoding.UTF8.GetBytes(token + fields), ContentType = contentType,
            };
        }

        foreach (var (label, bytes) in InvalidUtf8)
        {
            yield return post with
            {
                Name = $"{name}: invalid UTF-8 {label}", FormPage = true, Body = Splice(token + "email=a", bytes, "b&password=x"),
                ContentType = "application/x-www-form-urlencoded",
            };
        }
    }

    private static IEnumerable<HostileCase> Invites(DashboardTargets t)
    {
        foreach (var (label, token) in new (string, string)[]
                 {
                     ("unknown", "nosuchinvite"), ("3 KB", new string('i', 3000)), ("bidi", "%E2%80%AEabc"), ("invalid UTF-8", "%FF%FE"),
                     ("encoded slash", "a%2F..%2Fb"), ("control chars", "%01%1F"), ("the share token", t.ShareToken),
                 })
        {
            yield return new HostileCase($"invite page: token {label}", HttpMethod.Get, $"/invite/{token}") { FormPage = true };
            yield return new HostileCase($"invite: accept with token {label}", HttpMethod.Post, $"/invite/{token}") { Caller = Caller.FreshVisitor }
                .WithForm(Form(("__RequestVerificationToken", HostileCase.FormToken), ("password", "a long enough password 1"), ("confirm", "a long enough password 2")));
        }

        yield return new HostileCase("invite page: NUL in the token", HttpMethod.Get, "/invite/%00") { BodylessBecause = KestrelRefuses };
        foreach (var (label, query) in QueryValues)
        {
            // Mismatched passwords: the real invite must stay unused, or later cases would see a different page.
            yield return new HostileCase($"invite: real token, password {label}", HttpMethod.Post, $"/invite/{t.InviteToken}") { Caller = Caller.FreshVisitor }
                .WithForm(Form(("__RequestVerificationToken", HostileCase.FormToken), ("password", query), ("confirm", "different")));
        }

        foreach (var c in FormAbuse("invite", $"/invite/{t.InviteToken}", Form(("password", "x"), ("confirm", "y"))))
        {
            yield return c;
        }
    }

    private static IEnumerable<HostileCase> Shares(DashboardTargets t)
    {
        foreach (var (label, token) in new (string, string)[]
                 {
                     ("unknown", "nosuchshare"), ("3 KB", new string('s', 3000)), ("bidi", "%E2%80%AEabc"), ("invalid UTF-8", "%FF%FE"),
                     ("control chars", "%01%1F"), ("the invite token", t.InviteToken),
                 })
        {
            yield return new HostileCase($"share page: token {label}", HttpMethod.Get, $"/share/{token}") { FormPage = true };
            yield return new HostileCase($"share site: token {label}", HttpMethod.Get, $"/share/{token}/site");
            yield return new HostileCase($"share api: token {label}", HttpMethod.Get, $"/share/{token}/api/stats/summary");
        }

        var api = $"/share/{t.ShareToken}/api";
        foreach (var (area, report) in new[] { ("sites", "x"), ("stats", "..%2F..%2Fsites"), ("stats", "SUMMARY"), ("stats", new string('r', 3000)), ("stats", "%E2%80%AE") })
        {
            yield return new HostileCase($"share api: area {area} report {HostileCase.Shorten(report, 20)}", HttpMethod.Get, $"{api}/{area}/{report}");
        }

        yield return new HostileCase("share api: NUL in the report", HttpMethod.Get, $"{api}/realtime/users%00") { BodylessBecause = KestrelRefuses };
        foreach (var c in Reads("share api", api, t, Caller.Anonymous, siteId: null))
        {
            yield return c;
        }

        yield return new HostileCase("share api: another site_id", HttpMethod.Get, $"{api}/stats/summary?site_id={t.OtherSiteId}");

        // The filtered view's query and the goals: the link's site only, the body read as canonical JSON.
        var query = new HostileCase("", HttpMethod.Post, $"{api}/v2/query") { MustBeRefused = true };
        string QueryBody(string site) => $"{{\"site_id\":{site},\"metrics\":[\"visitors\"],\"date_range\":\"7d\"}}";
        foreach (var (label, json) in new (string, string)[]
                 {
                     ("another site", QueryBody($"\"{t.OtherSiteId}\"")), ("no site_id", "{\"metrics\":[\"visitors\"],\"date_range\":\"7d\"}"),
                     ("site_id twice", $"{{\"site_id\":\"{t.SiteId}\",\"site_id\":\"{t.OtherSiteId}\",\"metrics\":[\"visitors\"],\"date_range\":\"7d\"}}"),
                     ("site_id in two spellings", $"{{\"site_id\":\"{t.SiteId}\",\"SITE_ID\":\"{t.OtherSiteId}\",\"metrics\":[\"visitors\"],\"date_range\":\"7d\"}}"),
                     ("site_id escaped", $"{{\"site_\\u0069d\":\"{t.OtherSiteId}\",\"metrics\":[\"visitors\"],\"date_range\":\"7d\"}}"),
                     ("site_id number", QueryBody("1")), ("site_id lone surrogate", QueryBody("\"\\ud800\"")),
                     ("nested 1,000 deep", $"{{\"site_id\":\"{t.SiteId}\",\"filters\":{Nested(1000)}}}"), ("300 KB", QueryBody($"\"{new string('s', 300 * 1024)}\"")),
                     ("array", "[]"), ("truncated", "{\"site_id\":\"x"), ("empty", ""),
                     ("filter value hostile", $"{{\"site_id\":\"{t.SiteId}\",\"metrics\":[\"visitors\"],\"date_range\":\"7d\",\"filters\":[[\"is\",\"event:page\",[\"<img src=x onerror=alert(1)>\"]]],\"pagination\":{{\"limit\":-1}}}}"),
                 })
        {
            yield return (query with { Name = $"share query: {label}" }).WithJson(json);
        }

        foreach (var contentType in BadContentTypes)
        {
            yield return query with { Name = $"share query: Content-Type {contentType ?? "(none)"}", Body = Encoding.UTF8.GetBytes("<x/>"), ContentType = contentType };
        }

        yield return (query with { Name = "share query: unknown token", Target = "/share/nosuchshare/api/v2/query" }).WithJson(QueryBody($"\"{t.SiteId}\""));
        yield return new HostileCase("share goals: another site", HttpMethod.Get, $"{api}/sites/{t.OtherSiteId}/goals") { MustBeRefused = true };
        yield return new HostileCase("share goals: site id 3,000 chars", HttpMethod.Get, $"{api}/sites/{new string('s', 3000)}/goals?x=%00") { MustBeRefused = true };
        yield return new HostileCase("share goals: unknown token", HttpMethod.Get, $"/share/nosuchshare/api/sites/{t.SiteId}/goals") { MustBeRefused = true };
        yield return new HostileCase("share funnels: another site", HttpMethod.Get, $"{api}/sites/{t.OtherSiteId}/funnels") { MustBeRefused = true };
        yield return new HostileCase("share funnels: unknown token", HttpMethod.Get, $"/share/nosuchshare/api/sites/{t.SiteId}/funnels?x=%00") { MustBeRefused = true };
        foreach (var (label, target, json) in new (string, string, string)[]
                 {
                     ("funnel query: another site", $"{api}/sites/{t.OtherSiteId}/funnels/f_23456789/query", "{\"date_range\":\"7d\"}"),
                     ("funnel query: funnel id with a dot", $"{api}/sites/{t.SiteId}/funnels/f_..%2F..%2Fx/query", "{\"date_range\":\"7d\"}"),
                     ("funnel query: funnel id 3,000 chars", $"{api}/sites/{t.SiteId}/funnels/{new string('f', 3000)}/query", "{}"),
                     ("funnel query: unknown funnel", $"{api}/sites/{t.SiteId}/funnels/f_23456789/query", "{\"date_range\":\"7d\"}"),
                     ("funnel query: nested 1,000 deep", $"{api}/sites/{t.SiteId}/funnels/f_23456789/query", $"{{\"filters\":{Nested(1000)}}}"),
                     ("funnel query: truncated", $"{api}/sites/{t.SiteId}/funnels/f_23456789/query", "{\"date_range\":\"7"),
                     ("cohorts: another site", $"{api}/sites/{t.OtherSiteId}/cohorts/query", "{\"date_range\":\"30d\"}"),
                     ("cohorts: unknown token", $"/share/nosuchshare/api/sites/{t.SiteId}/cohorts/query", "{\"date_range\":\"30d\"}"),
                     ("cohorts: 300 KB", $"{api}/sites/{t.SiteId}/cohorts/query", $"{{\"x\":\"{new string('s', 300 * 1024)}\"}}"),
                     ("cohorts: array", $"{api}/sites/{t.SiteId}/cohorts/query", "[]"),
                 })
        {
            yield return new HostileCase($"share {label}", HttpMethod.Post, target) { MustBeRefused = true }.WithJson(json);
        }

    }

    /// <summary>Stats and realtime reads through a forwarding surface: date edges, long filters, limits, formats.</summary>
    private static IEnumerable<HostileCase> Reads(string name, string prefix, DashboardTargets t, Caller caller, string? siteId)
    {
        var site = siteId is null ? "" : $"site_id={siteId}&";
        foreach (var report in new[] { "stats/summary", "stats/timeseries", "stats/daily", "stats/pages", "stats/sources", "realtime/pages" })
        {
            foreach (var (label, query) in new (string, string)[]
                     {
                         ("from 0001-01-01", "from=0001-01-01&to=0001-01-31"), ("to 9999-12-31", "from=9999-12-01&to=9999-12-31"), ("reversed", "from=2026-03-01&to=2026-01-01"),
                         ("2026-02-30", "from=2026-02-30&to=2026-03-01"), ("not dates", "from=x&to=y"), ("page filter 3,000 chars", "page=/" + new string('p', 3000)),
                         ("source filter bidi", "source=%E2%80%AEx"), ("limit=-1", "limit=-1"), ("limit=999999999", "limit=999999999"), ("limit=abc", "limit=abc"),
                         ("format=xml", "format=xml"), ("format=csv", "format=csv"), ("format=html", "format=html"), ("interval=week", "interval=week"),
                     })
            {
                yield return new HostileCase($"{name}: {report} {label}", HttpMethod.Get, $"{prefix}/{report}?{site}{query}") { Caller = caller };
            }
        }
    }

    private static IEnumerable<HostileCase> Proxy(DashboardTargets t)
    {
        foreach (var c in Reads("proxy", "/proxy/api", t, Caller.Admin, t.SiteId))
        {
            yield return c;
        }

        foreach (var (label, query) in QueryValues.Concat([("another site (no role)", t.OtherSiteId), ("twice", $"{t.SiteId}&site_id={t.OtherSiteId}")]))
        {
            yield return new HostileCase($"proxy (site admin): site_id {label}", HttpMethod.Get, $"/proxy/api/stats/summary?site_id={query}") { Caller = Caller.SiteAdmin };
            yield return new HostileCase($"proxy (admin): site_id {label}", HttpMethod.Get, $"/proxy/api/realtime/users?site_id={query}") { Caller = Caller.Admin };
        }

        yield return new HostileCase("proxy: no site_id", HttpMethod.Get, "/proxy/api/stats/summary") { Caller = Caller.SiteAdmin };
        yield return new HostileCase("proxy: signed out", HttpMethod.Get, $"/proxy/api/stats/summary?site_id={t.SiteId}") { BodylessBecause = CookieAuth401 };
        yield return new HostileCase("proxy: unknown Api route", HttpMethod.Get, $"/proxy/api/sites/{t.SiteId}/secret?site_id={t.SiteId}") { Caller = Caller.Admin };
        yield return new HostileCase("proxy: site list with junk query", HttpMethod.Get, "/proxy/api/sites?x=%00%FF") { Caller = Caller.SiteAdmin };

        foreach (var (who, caller) in new[] { ("admin", Caller.Admin), ("site admin", Caller.SiteAdmin) })
        {
            var patch = new HostileCase("", HttpMethod.Patch, $"/proxy/api/sites/{t.SiteId}") { Caller = caller, Csrf = true };
            yield return (patch with { Name = $"proxy change ({who}): no CSRF token", Csrf = false }).WithJson("{\"name\":\"x\"}");
            foreach (var (label, json) in new (string, string)[]
                     {
                         ("nested 1,000 deep", $"{{\"name\":{Nested(1000)}}}"), ("nested objects 5,000 deep", NestedObjects(5000)),
                         ("300 KB", $"{{\"name\":\"{new string('n', 300 * 1024)}\"}}"), ("truncated", "{\"name\":\"x"), ("array", "[]"),
                         ("rate limit as string", "{\"rate_limit_per_minute\":\"1\"}"), ("name bidi", "{\"name\":\"\\u202Ex\"}"), ("name lone surrogate", "{\"name\":\"\\ud800\"}"),
                         ("domains 51", $"{{\"domains\":[{string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"d{i}.example\""))}]}}"),
                     })
            {
                yield return (patch with { Name = $"proxy change ({who}): body {label}" }).WithJson(json);
            }

            foreach (var contentType in BadContentTypes)
            {
                yield return patch with { Name = $"proxy change ({who}): Content-Type {contentType ?? "(none)"}", Body = Encoding.UTF8.GetBytes("<x/>"), ContentType = contentType };
            }

            yield return new HostileCase($"proxy revoke ({who}): another site", HttpMethod.Delete, $"/proxy/api/sites/{t.OtherSiteId}/retired-keys") { Caller = caller, Csrf = true };
            yield return new HostileCase($"proxy revoke ({who}): no CSRF token", HttpMethod.Delete, $"/proxy/api/sites/{t.SiteId}/retired-keys?x=%00") { Caller = caller };
            // Imports (issue 20): the upload is forwarded as it is; the Api reads it (its own hostile cases cover the files).
            var upload = new HostileCase("", HttpMethod.Post, $"/proxy/api/sites/{t.SiteId}/imports?source=plausible") { Caller = caller, Csrf = true };
            yield return upload with { Name = $"proxy import ({who}): no CSRF token", Csrf = false, Body = [0x50, 0x4B, 0x03, 0x04], ContentType = "application/zip" };
            yield return upload with { Name = $"proxy import ({who}): not a zip", Body = Encoding.UTF8.GetBytes("<x/>"), ContentType = "application/zip" };
            yield return upload with { Name = $"proxy import ({who}): another site", Target = $"/proxy/api/sites/{t.OtherSiteId}/imports?source=plausible", Body = [1], ContentType = "application/zip" };
            yield return upload with { Name = $"proxy import ({who}): unknown source", Target = $"/proxy/api/sites/{t.SiteId}/imports?source=%00", Body = [1], ContentType = "text/csv" };
            yield return new HostileCase($"proxy imports ({who}): list another site", HttpMethod.Get, $"/proxy/api/sites/{t.OtherSiteId}/imports") { Caller = caller };
            yield return new HostileCase($"proxy imports ({who}): delete 3 KB id", HttpMethod.Delete, $"/proxy/api/sites/{t.SiteId}/imports/{new string('i', 3000)}") { Caller = caller, Csrf = true };
            yield return new HostileCase($"proxy imports ({who}): delete another site's", HttpMethod.Delete, $"/proxy/api/sites/{t.OtherSiteId}/imports/imp_x") { Caller = caller, Csrf = true };
            yield return new HostileCase($"proxy rotate ({who}): grace_seconds -1", HttpMethod.Post, $"/proxy/api/sites/{t.OtherSiteId}/rotate-keys?grace_seconds=-1") { Caller = caller, Csrf = true };
        }

        // Cohorts (issue 18): a read for viewers, the site in the path, a POST (so the CSRF token is needed).
        var cohorts = $"/proxy/api/sites/{t.SiteId}/cohorts/query";
        const string cohortQuery = "{\"date_range\":\"30d\",\"period\":\"week\"}";
        yield return (new HostileCase("proxy cohorts: signed out", HttpMethod.Post, cohorts) { BodylessBecause = CookieAuth401 }).WithJson(cohortQuery);
        yield return (new HostileCase("proxy cohorts: no CSRF token", HttpMethod.Post, cohorts) { Caller = Caller.SiteAdmin, MustBeRefused = true }).WithJson(cohortQuery);
        yield return (new HostileCase("proxy cohorts: another site (no role)", HttpMethod.Post, $"/proxy/api/sites/{t.OtherSiteId}/cohorts/query") { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true })
            .WithJson(cohortQuery);
        yield return (new HostileCase("proxy cohorts: site id 3,000 chars", HttpMethod.Post, $"/proxy/api/sites/{new string('s', 3000)}/cohorts/query") { Caller = Caller.Admin, Csrf = true, MustBeRefused = true })
            .WithJson(cohortQuery);
        foreach (var (label, json) in new (string, string)[]
                 {
                     ("nested objects 5,000 deep", NestedObjects(5000)), ("300 KB", $"{{\"period\":\"{new string('p', 300 * 1024)}\"}}"), ("truncated", "{\"period\":\"w"),
                     ("period lone surrogate", "{\"date_range\":\"30d\",\"period\":\"\\ud800\"}"), ("SQL-ish period", "{\"date_range\":\"30d\",\"period\":\"week') --\"}"),
                 })
        {
            yield return (new HostileCase($"proxy cohorts: body {label}", HttpMethod.Post, cohorts) { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true }).WithJson(json);
        }

        // Goals: the site is in the path; a site the caller has no role on, or a change without the CSRF token, is refused
        // by the Dashboard before the Api is asked.
        yield return new HostileCase("proxy goals (site admin): another site", HttpMethod.Get, $"/proxy/api/sites/{t.OtherSiteId}/goals?x=%00%FF") { Caller = Caller.SiteAdmin, MustBeRefused = true };
        yield return (new HostileCase("proxy goals add: no CSRF token", HttpMethod.Post, $"/proxy/api/sites/{t.SiteId}/goals") { Caller = Caller.SiteAdmin, MustBeRefused = true })
            .WithJson("{\"kind\":\"page\",\"path\":\"/<img src=x onerror=alert(1)>\"}");
        yield return (new HostileCase("proxy goals add (site admin): another site", HttpMethod.Post, $"/proxy/api/sites/{t.OtherSiteId}/goals") { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true })
            .WithJson("{\"kind\":\"event\",\"event_name\":\"\\ud800\"}");
        yield return new HostileCase("proxy goals delete: no CSRF token", HttpMethod.Delete, $"/proxy/api/sites/{t.SiteId}/goals/g_%2F..%2Fx?x=%00") { Caller = Caller.SiteAdmin, MustBeRefused = true };
        yield return new HostileCase("proxy goals delete (site admin): another site", HttpMethod.Delete, $"/proxy/api/sites/{t.OtherSiteId}/goals/g_{new string('x', 3000)}") { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true };
        // Goals: reads for viewers, changes for site admins, the site in the path.
        var goals = $"/proxy/api/sites/{t.SiteId}/goals";
        yield return new HostileCase("proxy goals: another site (no role)", HttpMethod.Get, $"/proxy/api/sites/{t.OtherSiteId}/goals") { Caller = Caller.SiteAdmin, MustBeRefused = true };
        yield return new HostileCase("proxy goals: signed out", HttpMethod.Get, goals) { BodylessBecause = CookieAuth401 };
        yield return new HostileCase("proxy goals: junk query", HttpMethod.Get, goals + "?x=%00%FF") { Caller = Caller.SiteAdmin };
        var goalCreate = new HostileCase("", HttpMethod.Post, goals) { Caller = Caller.SiteAdmin, Csrf = true };
        yield return (goalCreate with { Name = "proxy goal create: no CSRF token", Csrf = false, MustBeRefused = true }).WithJson("{\"kind\":\"page\",\"path\":\"/x\"}");
        yield return (goalCreate with { Name = "proxy goal create: another site (no role)", Target = $"/proxy/api/sites/{t.OtherSiteId}/goals", MustBeRefused = true })
            .WithJson("{\"kind\":\"page\",\"path\":\"/x\"}");
        foreach (var (label, json) in new (string, string)[]
                 {
                     ("kind unknown", "{\"kind\":\"visit\",\"path\":\"/x\"}"), ("path without slash", "{\"kind\":\"page\",\"path\":\"x\"}"),
                     ("path ***", "{\"kind\":\"page\",\"path\":\"/***\"}"), ("event name 3 KB", $"{{\"kind\":\"event\",\"event_name\":\"{new string('e', 3000)}\"}}"),
                     ("display name bidi", "{\"kind\":\"event\",\"event_name\":\"Signup\",\"display_name\":\"\\u202Ex\"}"),
                     ("prop key without value", "{\"kind\":\"event\",\"event_name\":\"Signup\",\"prop_key\":\"plan\"}"),
                     ("nested objects 5,000 deep", NestedObjects(5000)), ("array", "[]"), ("truncated", "{\"kind\":\"pa"), ("empty", ""),
                 })
        {
            yield return (goalCreate with { Name = $"proxy goal create: {label}", MustBeRefused = true }).WithJson(json);
        }

        foreach (var (label, goalId) in new (string, string)[] { ("unknown", "g_23456789"), ("3 KB", new string('g', 3000)), ("dot-dot", ".."), ("bidi", "%E2%80%AEg") })
        {
            yield return new HostileCase($"proxy goal delete: id {label}", HttpMethod.Delete, $"{goals}/{goalId}") { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true };
        }

        yield return new HostileCase("proxy goal delete: no CSRF token", HttpMethod.Delete, $"{goals}/g_23456789") { Caller = Caller.SiteAdmin, MustBeRefused = true };
        yield return new HostileCase("proxy goal delete: another site (no role)", HttpMethod.Delete, $"/proxy/api/sites/{t.OtherSiteId}/goals/g_23456789")
            { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true };

        // POST /proxy/api/v2/query: the site is in the body, so the body is what the role is checked against and forwarded.
        var queryCase = new HostileCase("", HttpMethod.Post, "/proxy/api/v2/query") { Caller = Caller.SiteAdmin, Csrf = true };
        string QueryBody(string site) => $"{{\"site_id\":{site},\"metrics\":[\"visitors\"],\"date_range\":\"7d\"}}";
        yield return (queryCase with { Name = "proxy query: no CSRF token", Csrf = false, MustBeRefused = true }).WithJson(QueryBody($"\"{t.SiteId}\""));
        yield return (queryCase with { Name = "proxy query: signed out", Caller = Caller.Anonymous, Csrf = false, BodylessBecause = CookieAuth401 }).WithJson(QueryBody($"\"{t.SiteId}\""));
        foreach (var (label, json) in new (string, string)[]
                 {
                     ("another site (no role)", QueryBody($"\"{t.OtherSiteId}\"")),
                     ("site_id twice", $"{{\"site_id\":\"{t.SiteId}\",\"site_id\":\"{t.OtherSiteId}\",\"metrics\":[\"visitors\"],\"date_range\":\"7d\"}}"),
                     ("site_id in two spellings", $"{{\"site_id\":\"{t.SiteId}\",\"SITE_ID\":\"{t.OtherSiteId}\",\"metrics\":[\"visitors\"],\"date_range\":\"7d\"}}"),
                     ("site_id escaped", $"{{\"site_\\u0069d\":\"{t.OtherSiteId}\",\"metrics\":[\"visitors\"],\"date_range\":\"7d\"}}"),
                     ("no site_id", "{\"metrics\":[\"visitors\"],\"date_range\":\"7d\"}"), ("site_id number", QueryBody("1")), ("site_id array", QueryBody($"[\"{t.SiteId}\"]")),
                     ("site_id lone surrogate", QueryBody("\"\\ud800\"")), ("site_id 3,000 chars", QueryBody($"\"{new string('s', 3000)}\"")),
                     ("nested 1,000 deep", $"{{\"site_id\":\"{t.SiteId}\",\"filters\":{Nested(1000)}}}"), ("300 KB", QueryBody($"\"{new string('s', 300 * 1024)}\"")),
                     ("array", "[]"), ("truncated", "{\"site_id\":\"x"), ("empty", ""),
                 })
        {
            yield return (queryCase with { Name = $"proxy query: {label}", MustBeRefused = true }).WithJson(json);
        }

        yield return (queryCase with { Name = "proxy query: SQL-ish filter value is data" }).WithJson(
            $"{{\"site_id\":\"{t.SiteId}\",\"metrics\":[\"visitors\"],\"date_range\":\"7d\",\"filters\":[[\"is\",\"visit:source\",[\"' OR 1=1 --\"]]]}}");
        foreach (var contentType in BadContentTypes)
        {
            yield return queryCase with { Name = $"proxy query: Content-Type {contentType ?? "(none)"}", Body = Encoding.UTF8.GetBytes(QueryBody($"\"{t.SiteId}\"")), ContentType = contentType, MustBeRefused = true };
        }

        foreach (var (label, json) in new (string, string)[] { ("wrong types", "{\"name\":1,\"domains\":\"x\"}"), ("deep", NestedObjects(3000)), ("empty", "") })
        {
            yield return new HostileCase($"proxy create site: {label}", HttpMethod.Post, "/proxy/api/sites") { Caller = Caller.Admin, Csrf = true }.WithJson(json);
        }
    }

    /// <summary>Alert rules and report recipients through the proxy: site admins only (rules hold webhook URLs), CSRF on
    /// changes, another site's id, hostile bodies (forwarded as checked) and ids.</summary>
    private static IEnumerable<HostileCase> AlertsProxy(DashboardTargets t)
    {
        const string id = "0123456789abcdef";
        var routes = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Get, "alerts"), (HttpMethod.Post, "alerts"), (HttpMethod.Put, $"alerts/{id}"), (HttpMethod.Delete, $"alerts/{id}"),
            (HttpMethod.Get, "alerts/deliveries"), (HttpMethod.Get, "reports"), (HttpMethod.Post, "reports"), (HttpMethod.Delete, $"reports/{id}"),
        };
        foreach (var (method, path) in routes)
        {
            var mine = $"/proxy/api/sites/{t.SiteId}/{path}";
            var c = new HostileCase("", method, mine) { Caller = Caller.SiteAdmin, Csrf = true };
            var body = method == HttpMethod.Post || method == HttpMethod.Put ? "{\"kind\":\"spike\",\"email\":\"r@example.com\",\"frequency\":\"weekly\"}" : null;
            HostileCase With(HostileCase h) => body is null ? h : h.WithJson(body);
            yield return With(c with { Name = "proxy alerts: signed out", Caller = Caller.Anonymous, Csrf = false, BodylessBecause = CookieAuth401 });
            yield return With(c with { Name = "proxy alerts: another site (no role)", Target = $"/proxy/api/sites/{t.OtherSiteId}/{path}", MustBeRefused = true });
            yield return With(c with { Name = "proxy alerts: site id 3,000 chars", Target = $"/proxy/api/sites/{new string('s', 3000)}/{path}", MustBeRefused = true });
            yield return With(c with { Name = "proxy alerts: site id bidi", Target = $"/proxy/api/sites/%E2%80%AEx/{path}", MustBeRefused = true });
            if (method != HttpMethod.Get)
            {
                yield return With(c with { Name = "proxy alerts: no CSRF token", Csrf = false, MustBeRefused = true });
            }
        }

        foreach (var (who, caller) in new[] { ("admin", Caller.Admin), ("site admin", Caller.SiteAdmin) })
        {
            var create = new HostileCase("", HttpMethod.Post, $"/proxy/api/sites/{t.SiteId}/alerts") { Caller = caller, Csrf = true };
            foreach (var (label, json) in new (string, string)[]
                     {
                         ("nested 1,000 deep", $"{{\"emails\":{Nested(1000)}}}"), ("nested objects 5,000 deep", NestedObjects(5000)), ("truncated", "{\"kind\":\"x"),
                         ("300 KB", $"{{\"name\":\"{new string('n', 300 * 1024)}\"}}"), ("array", "[]"), ("empty", ""), ("name <script>", "{\"kind\":\"spike\",\"name\":\"<script>alert(1)</script>\"}"),
                         ("webhook to the metadata service", "{\"kind\":\"spike\",\"webhooks\":[{\"url\":\"http://169.254.169.254/latest/meta-data\"}]}"),
                         ("e-mail header break", "{\"kind\":\"spike\",\"emails\":[\"a@b.example\\r\\nBcc: x@evil.example\"]}"),
                     })
            {
                yield return (create with { Name = $"proxy alerts create ({who}): {label}" }).WithJson(json);
            }

            foreach (var contentType in BadContentTypes)
            {
                yield return create with { Name = $"proxy alerts create ({who}): Content-Type {contentType ?? "(none)"}", Body = Encoding.UTF8.GetBytes("<x/>"), ContentType = contentType };
            }

            foreach (var (label, value) in new[] { ("unknown", "fedcba9876543210"), ("3 KB", new string('a', 3000)), ("encoded slash", "a%2F..%2Fb"), ("control chars", "%01%1F") })
            {
                yield return new HostileCase($"proxy alerts ({who}): rule id {label}", HttpMethod.Delete, $"/proxy/api/sites/{t.SiteId}/alerts/{value}") { Caller = caller, Csrf = true };
                yield return new HostileCase($"proxy reports ({who}): id {label}", HttpMethod.Delete, $"/proxy/api/sites/{t.SiteId}/reports/{value}") { Caller = caller, Csrf = true };
            }
        }
    }

    /// <summary>The installation check (issue 23): site admins of the site only, reads only.</summary>
    private static IEnumerable<HostileCase> InstallationProxy(DashboardTargets t)
    {
        var path = $"/proxy/api/sites/{t.SiteId}/installation";
        yield return new HostileCase("proxy installation: signed out", HttpMethod.Get, path) { BodylessBecause = CookieAuth401 };
        yield return new HostileCase("proxy installation (site admin): another site", HttpMethod.Get, $"/proxy/api/sites/{t.OtherSiteId}/installation")
            { Caller = Caller.SiteAdmin, MustBeRefused = true };
        yield return new HostileCase("proxy installation (site admin): junk query", HttpMethod.Get, path + "?x=%00%FF&site_id=" + t.OtherSiteId) { Caller = Caller.SiteAdmin };
        yield return new HostileCase("proxy installation (admin): site id 3,000 chars", HttpMethod.Get, $"/proxy/api/sites/{new string('s', 3000)}/installation")
            { Caller = Caller.Admin, MustBeRefused = true };
        yield return new HostileCase("proxy installation (admin): encoded slash", HttpMethod.Get, "/proxy/api/sites/a%2F..%2Fb/installation") { Caller = Caller.Admin, MustBeRefused = true };
        yield return new HostileCase("proxy installation (site admin): POST", HttpMethod.Post, path) { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true };
        yield return new HostileCase("proxy installation (site admin): DELETE without CSRF", HttpMethod.Delete, path) { Caller = Caller.SiteAdmin, MustBeRefused = true };

        // The API reference (issue 23): signed-in users only; nothing in the query or path changes what it serves.
        yield return new HostileCase("api reference: signed out", HttpMethod.Get, "/api-reference") { BodylessBecause = "a page redirects to the login page" };
        yield return new HostileCase("api reference document: signed out", HttpMethod.Get, "/api-reference/openapi.json") { BodylessBecause = CookieAuth401 };
        yield return new HostileCase("api reference document (site admin): junk query", HttpMethod.Get, "/api-reference/openapi.json?x=%00%FF&site_id=" + t.OtherSiteId) { Caller = Caller.SiteAdmin };
        yield return new HostileCase("api reference (site admin): junk query", HttpMethod.Get, "/api-reference?returnUrl=https%3A%2F%2Fevil.example") { Caller = Caller.SiteAdmin };
        yield return new HostileCase("api reference document (site admin): POST", HttpMethod.Post, "/api-reference/openapi.json") { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true };
    }

    private static IEnumerable<HostileCase> Account(DashboardTargets t)
    {
        yield return new HostileCase("session: signed out", HttpMethod.Get, "/account/session") { BodylessBecause = CookieAuth401 };
        yield return new HostileCase("users: signed out", HttpMethod.Post, "/account/users") { BodylessBecause = CookieAuth401 }.WithJson("{}");
        yield return new HostileCase("logout: no CSRF token", HttpMethod.Post, "/account/logout") { Caller = Caller.SiteAdmin };
        yield return new HostileCase("sign out everywhere: no CSRF token", HttpMethod.Post, "/account/sessions/revoke") { Caller = Caller.SiteAdmin };
        yield return new HostileCase("sign out everywhere: signed out", HttpMethod.Post, "/account/sessions/revoke") { BodylessBecause = CookieAuth401 };
        yield return new HostileCase("users: site admin is not an administrator", HttpMethod.Post, "/account/users") { Caller = Caller.SiteAdmin, Csrf = true }.WithJson("{}");

        var user = new Dictionary<string, string> { ["email"] = "\"new@example.com\"", ["password"] = "\"a long enough password\"", ["role"] = "\"viewer\"", ["site_id"] = $"\"{t.SiteId}\"" };
        foreach (var field in user.Keys)
        {
            foreach (var (label, json) in WrongTypes.Concat(HostileStrings))
            {
                var body = "{" + string.Join(",", user.Select(f => $"\"{f.Key}\":{(f.Key == field ? json : f.Value)}")) + "}";
                yield return new HostileCase($"users create: {field} = {label}", HttpMethod.Post, "/account/users") { Caller = Caller.Admin, Csrf = true }.WithJson(body);
            }
        }

        var endpoints = new (string Name, HttpMethod Method, string Path)[]
        {
            ("users create", HttpMethod.Post, "/account/users"), ("invite create", HttpMethod.Post, $"/account/sites/{t.SiteId}/invites"),
            ("member set", HttpMethod.Put, $"/account/sites/{t.SiteId}/members/{Uri.EscapeDataString(t.UserEmail)}"),
        };
        foreach (var (name, method, path) in endpoints)
        {
            var c = new HostileCase("", method, path) { Caller = Caller.Admin, Csrf = true };
            yield return (c with { Name = $"{name}: no CSRF token", Csrf = false }).WithJson("{}");
            foreach (var (label, json) in new (string, string)[]
                     {
                         ("empty", ""), ("null", "null"), ("array", "[]"), ("truncated", "{\"email\":\"x"), ("nested 1,000 deep", $"{{\"email\":{Nested(1000)}}}"),
                         ("nested objects 5,000 deep", NestedObjects(5000)), ("1 MB", $"{{\"email\":\"{new string('e', 1024 * 1024)}\"}}"),
                         ("email bidi", "{\"email\":\"\\u202Eevil@example.com\",\"role\":\"viewer\"}"), ("role 3 KB", $"{{\"email\":\"a@example.com\",\"role\":\"{new string('r', 3000)}\"}}"),
                     })
            {
                yield return (c with { Name = $"{name}: body {label}" }).WithJson(json);
            }

            foreach (var contentType in BadContentTypes)
            {
                yield return c with { Name = $"{name}: Content-Type {contentType ?? "(none)"}", Body = Encoding.UTF8.GetBytes("<x/>"), ContentType = contentType };
            }

            foreach (var (label, bytes) in InvalidUtf8)
            {
                yield return c with { Name = $"{name}: invalid UTF-8 {label}", Body = Splice("{\"email\":\"a", bytes, "@example.com\"}"), ContentType = "application/json" };
            }
        }

        foreach (var (label, siteId) in new (string, string)[]
                 {
                     ("unknown", "nosuchsite00"), ("3 KB", new string('s', 3000)), ("bidi", "%E2%80%AEs"), ("invalid UTF-8", "%FF%FE"), ("encoded slash", "a%2F..%2Fb"),
                     ("control chars", "%01%1F"), ("another site", t.OtherSiteId),
                 })
        {
            foreach (var (method, suffix, body) in new (HttpMethod, string, string?)[]
                     {
                         (HttpMethod.Get, "/members", null), (HttpMethod.Put, "/members/a%40example.com", "{\"role\":\"viewer\"}"), (HttpMethod.Delete, "/members/a%40example.com", null),
                         (HttpMethod.Post, "/invites", "{\"email\":\"a@example.com\"}"), (HttpMethod.Get, "/audit", null), (HttpMethod.Get, "/share", null),
                         (HttpMethod.Post, "/share", null), (HttpMethod.Delete, "/share", null),
                     })
            {
                var c = new HostileCase($"account site {suffix}: site id {label}", method, $"/account/sites/{siteId}{suffix}") { Caller = Caller.SiteAdmin, Csrf = true };
                yield return body is null ? c : c.WithJson(body);
            }
        }

        foreach (var (label, email) in new (string, string)[]
                 {
                     ("3 KB", new string('e', 3000) + "%40example.com"), ("bidi", "%E2%80%AEa%40example.com"), ("not an e-mail", "nobody"), ("encoded slash", "a%2F..%2Fb"),
                     ("invalid UTF-8", "%FF%FE%40example.com"), ("control chars", "a%01%40example.com"),
                 })
        {
            yield return new HostileCase($"member set: email {label}", HttpMethod.Put, $"/account/sites/{t.SiteId}/members/{email}") { Caller = Caller.Admin, Csrf = true }
                .WithJson("{\"role\":\"viewer\"}");
            yield return new HostileCase($"member remove: email {label}", HttpMethod.Delete, $"/account/sites/{t.SiteId}/members/{email}") { Caller = Caller.Admin, Csrf = true };
        }

        foreach (var (label, query) in new (string, string)[] { ("-1", "-1"), ("0", "0"), ("999999999", "999999999"), ("abc", "abc"), ("beyond int", "99999999999") })
        {
            yield return new HostileCase($"installation audit: limit {label}", HttpMethod.Get, $"/account/audit?limit={query}") { Caller = Caller.Admin };
            yield return new HostileCase($"site audit: limit {label}", HttpMethod.Get, $"/account/sites/{t.SiteId}/audit?limit={query}") { Caller = Caller.Admin };
        }

        foreach (var (label, query) in QueryValues)
        {
            yield return new HostileCase($"dashboard page: query {label}", HttpMethod.Get, "/?site=" + query) { Caller = Caller.Admin, FormPage = true };
            yield return new HostileCase($"users list: query {label}", HttpMethod.Get, "/account/users?x=" + query) { Caller = Caller.Admin };
        }
    }
}
