using LiveInsight.Testing.Hostile;
using static LiveInsight.Testing.Hostile.HostileValues;

namespace LiveInsight.Dashboard.Tests.Hostile;

/// <summary>Issue 23's account routes: password reset (forms and links), two-factor sign-in and enrolment, the
/// account's sessions and personal API tokens.</summary>
public static partial class DashboardHostileCases
{
    private static readonly (string Label, string Token)[] HostileResetTokens =
    [
        ("unknown", "bm9ib2R5.AAAA"), ("3 KB", new string('r', 3000)), ("bidi", "%E2%80%AEabc.def"), ("invalid UTF-8", "%FF%FE.x"),
        ("encoded slash", "a%2F..%2Fb"), ("control chars", "%01%1F"), ("no signature", "bm9ib2R5"), ("three parts", "a.b.c"),
    ];

    private static IEnumerable<HostileCase> AccountSecurity(DashboardTargets t)
    {
        foreach (var c in Tokens(t))
        {
            yield return c;
        }

        yield return new HostileCase("forgot page", HttpMethod.Get, "/login/forgot?x=%00%FF") { FormPage = true };
        foreach (var (label, query) in QueryValues)
        {
            yield return new HostileCase($"forgot: email {label}", HttpMethod.Post, "/login/forgot") { Caller = Caller.FreshVisitor }
                .WithForm(Form(("__RequestVerificationToken", HostileCase.FormToken), ("email", query)));
        }

        foreach (var c in FormAbuse("forgot", "/login/forgot", Form(("email", "nobody%40example.com"))))
        {
            yield return c;
        }

        foreach (var (label, token) in HostileResetTokens)
        {
            yield return new HostileCase($"reset page: token {label}", HttpMethod.Get, $"/reset/{token}") { FormPage = true, MustBeRefused = true };
            yield return new HostileCase($"reset: token {label}", HttpMethod.Post, $"/reset/{token}") { Caller = Caller.FreshVisitor, MustBeRefused = true }
                .WithForm(Form(("__RequestVerificationToken", HostileCase.FormToken), ("password", "a long enough password 1"), ("confirm", "a long enough password 1")));
        }

        yield return new HostileCase("reset page: NUL in the token", HttpMethod.Get, "/reset/%00") { BodylessBecause = KestrelRefuses };

        // Two-factor sign-in: the pending token is signed, so every forged or hostile one is refused before any code is read.
        foreach (var (label, query) in QueryValues.Concat([("a reset-shaped token", "bm9ib2R5.AAAA"), ("three parts", "a.b.c")]))
        {
            yield return new HostileCase($"two-factor sign-in: pending {label}", HttpMethod.Post, "/login/two-factor") { Caller = Caller.FreshVisitor, MustBeRefused = true }
                .WithForm(Form(("__RequestVerificationToken", HostileCase.FormToken), ("pending", query), ("code", "123456")));
        }

        foreach (var c in FormAbuse("two-factor sign-in", "/login/two-factor", Form(("pending", "x.y"), ("code", "123456"))))
        {
            yield return c;
        }

        yield return new HostileCase("two-factor page: signed out", HttpMethod.Get, "/account/two-factor") { BodylessBecause = CookieAuth401 };
        yield return new HostileCase("two-factor page: junk query", HttpMethod.Get, "/account/two-factor?step=%00%FF") { Caller = Caller.SiteAdmin, FormPage = true };
        yield return new HostileCase("two-factor change: signed out", HttpMethod.Post, "/account/two-factor") { BodylessBecause = CookieAuth401 }
            .WithForm(Form(("step", "begin")));
        yield return new HostileCase("two-factor change: no antiforgery token", HttpMethod.Post, "/account/two-factor") { Caller = Caller.SiteAdmin, MustBeRefused = true }
            .WithForm(Form(("step", "disable"), ("code", "123456")));
        foreach (var (label, query) in QueryValues.Concat([("unknown step", "enable"), ("disable while off", "disable")]))
        {
            yield return new HostileCase($"two-factor change: step {label}", HttpMethod.Post, "/account/two-factor") { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true }
                .WithForm(Form(("step", query), ("code", "123456")));
            yield return new HostileCase($"two-factor change: confirm code {label}", HttpMethod.Post, "/account/two-factor") { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true }
                .WithForm(Form(("step", "confirm"), ("code", query)));
        }
        foreach (var c in FormAbuse("reset", "/reset/bm9ib2R5.AAAA", Form(("password", "x"), ("confirm", "y"))))
        {
            yield return c;
        }
    }

    private static IEnumerable<HostileCase> Tokens(DashboardTargets t)
    {
        yield return new HostileCase("tokens: signed out", HttpMethod.Get, "/account/tokens") { BodylessBecause = CookieAuth401 };
        yield return new HostileCase("tokens list: junk query", HttpMethod.Get, "/account/tokens?x=%00%FF") { Caller = Caller.SiteAdmin };
        yield return new HostileCase("tokens create: no CSRF token", HttpMethod.Post, "/account/tokens") { Caller = Caller.SiteAdmin, MustBeRefused = true }
            .WithJson($"{{\"name\":\"x\",\"scope\":\"read\",\"site_ids\":[\"{t.SiteId}\"],\"expires_in_days\":1}}");
        var token = new Dictionary<string, string>
        {
            ["name"] = "\"script\"", ["scope"] = "\"read\"", ["site_ids"] = $"[\"{t.SiteId}\"]", ["expires_in_days"] = "30",
        };
        foreach (var field in token.Keys)
        {
            foreach (var (label, json) in WrongTypes.Concat(HostileStrings))
            {
                var body = "{" + string.Join(",", token.Select(f => $"\"{f.Key}\":{(f.Key == field ? json : f.Value)}")) + "}";
                // Some are fine names ("12", markup is data): those make a token, which is allowed.
                yield return new HostileCase($"tokens create: {field} = {label}", HttpMethod.Post, "/account/tokens") { Caller = Caller.SiteAdmin, Csrf = true }.WithJson(body);
            }
        }

        foreach (var (label, json) in new (string, string)[]
                 {
                     ("another site", $"{{\"name\":\"x\",\"scope\":\"read\",\"site_ids\":[\"{t.OtherSiteId}\"],\"expires_in_days\":1}}"),
                     ("51 sites", $"{{\"name\":\"x\",\"scope\":\"read\",\"site_ids\":[{string.Join(",", Enumerable.Range(0, 51).Select(i => $"\"s{i}\""))}],\"expires_in_days\":1}}"),
                     ("two years", $"{{\"name\":\"x\",\"scope\":\"read\",\"site_ids\":[\"{t.SiteId}\"],\"expires_in_days\":730}}"),
                     ("nested 1,000 deep", $"{{\"name\":{Nested(1000)}}}"), ("truncated", "{\"name\":\"x"), ("array", "[]"), ("empty", ""),
                 })
        {
            yield return new HostileCase($"tokens create: {label}", HttpMethod.Post, "/account/tokens") { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true }.WithJson(json);
        }

        foreach (var (label, id) in new[] { ("unknown", "0123456789abcdef"), ("3 KB", new string('a', 3000)), ("upper case", "0123456789ABCDEF"), ("encoded slash", "a%2F..%2Fb"), ("bidi", "%E2%80%AEabc") })
        {
            yield return new HostileCase($"tokens revoke: id {label}", HttpMethod.Delete, $"/account/tokens/{id}") { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true };
        }

        yield return new HostileCase("sessions: signed out", HttpMethod.Get, "/account/sessions") { BodylessBecause = CookieAuth401 };
        yield return new HostileCase("sessions list: junk query", HttpMethod.Get, "/account/sessions?x=%00%FF") { Caller = Caller.SiteAdmin };
        foreach (var (label, id) in new[] { ("unknown", "AAAAAAAAAAAAAAAA"), ("3 KB", new string('a', 3000)), ("encoded slash", "a%2F..%2Fb"), ("bidi", "%E2%80%AEabc"), ("dot path", "..") })
        {
            yield return new HostileCase($"sessions end: id {label}", HttpMethod.Delete, $"/account/sessions/{id}") { Caller = Caller.SiteAdmin, Csrf = true, MustBeRefused = true };
        }

        yield return new HostileCase("sessions end: no CSRF token", HttpMethod.Delete, "/account/sessions/AAAAAAAAAAAAAAAA") { Caller = Caller.SiteAdmin, MustBeRefused = true };
        yield return new HostileCase("sessions end others: no CSRF token", HttpMethod.Post, "/account/sessions/revoke-others") { Caller = Caller.SiteAdmin, MustBeRefused = true };
        yield return new HostileCase("sessions end others: signed out", HttpMethod.Post, "/account/sessions/revoke-others") { BodylessBecause = CookieAuth401 };
        yield return new HostileCase("tokens revoke: no CSRF token", HttpMethod.Delete, "/account/tokens/0123456789abcdef") { Caller = Caller.SiteAdmin, MustBeRefused = true };
    }
}
