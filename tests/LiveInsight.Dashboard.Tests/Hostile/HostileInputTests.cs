using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LiveInsight.Dashboard.Tests.Infrastructure;
using LiveInsight.Testing.Hostile;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace LiveInsight.Dashboard.Tests.Hostile;

/// <summary>
/// Issue 14, the Dashboard's half: hostile requests to the login, setup, invite and share pages, the proxy and the
/// account JSON endpoints (<see cref="DashboardHostileCases"/>), every broken rule collected and named in one report.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class HostileInputTests(DashboardFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Hostile_requests_to_the_dashboard_are_refused_with_a_reason_never_a_5xx_or_a_hang_and_leave_it_working()
    {
        var (siteId, _) = await fixture.CreateSiteAsync("Hostile", $"h{Guid.NewGuid():N}"[..12] + ".example");
        var (otherSiteId, _) = await fixture.CreateSiteAsync("Other", $"o{Guid.NewGuid():N}"[..12] + ".example");
        var (viewer, _, viewerEmail) = await fixture.MemberAsync(siteId, "viewer");
        viewer.Dispose();
        var (siteAdmin, siteAdminCsrf, siteAdminEmail) = await fixture.MemberAsync(siteId, "admin");
        var (admin, adminCsrf) = await fixture.SignInAsAdminAsync();
        using var anonymous = fixture.NewHttpClient();
        using (siteAdmin)
        using (admin)
        {
            var share = await PostJsonAsync(admin, adminCsrf, $"/account/sites/{siteId}/share", null);
            var invite = await PostJsonAsync(admin, adminCsrf, $"/account/sites/{siteId}/invites", new { email = $"invitee-{Guid.NewGuid():N}"[..20] + "@example.com", role = "viewer" });
            var targets = new DashboardTargets(siteId, otherSiteId, TokenOf(share, "/share/"), TokenOf(invite, "/invite/"), viewerEmail, DashboardFixture.UserPassword, siteAdminEmail);
            await AssertStillWorkingAsync(admin, targets);

            var cases = DashboardHostileCases.All(targets);
            var verdicts = new List<HostileJudge.Verdict>(cases.Count);
            foreach (var hostile in cases)
            {
                verdicts.Add(await SendAsync(hostile, anonymous, (admin, adminCsrf), (siteAdmin, siteAdminCsrf)));
            }

            var blank = verdicts.Where(v => v.Case.FormPage && v.Status >= 400 && v.BodyLength == 0).Select(v => $"  {v.Case} → {v.Status}, empty body");
            output.WriteLine("Form refusals with no body (notes, not violations):\n" + string.Join("\n", blank));
            var failed = verdicts.Where(v => v.Violation is not null).ToList();
            var report = $"{cases.Count} hostile cases; answers: {HostileJudge.Statuses(verdicts)}; {failed.Count} broke a rule:\n{HostileJudge.Report(failed)}";
            output.WriteLine(report);
            Assert.True(failed.Count == 0, report);
            await AssertStillWorkingAsync(admin, targets);
        }
    }

    [Fact]
    public void Every_endpoint_the_dashboard_maps_gets_hostile_cases()
    {
        var cases = DashboardHostileCases.All(new DashboardTargets("site", "other", "share", "invite", "u@example.com", "p", "a@example.com"));
        var endpoints = fixture.DashboardServices.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();

        var uncovered = endpoints
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => (Method: m, Pattern: e.RoutePattern.RawText ?? "")))
            .Where(e => e.Pattern is not ("/health" or "/alive")) // ServiceDefaults' own, covered by the Api suite
            .Where(e => !cases.Any(c => (e.Method == "*" || c.Method.Method == e.Method) && Matches(e.Pattern, c.Target)))
            .Select(e => $"{e.Method} {e.Pattern}")
            .ToList();

        Assert.Empty(uncovered);
    }

    private async Task<HostileJudge.Verdict> SendAsync(
        HostileCase hostile, HttpClient anonymous, (HttpClient Client, string Csrf) admin, (HttpClient Client, string Csrf) siteAdmin)
    {
        switch (hostile.Caller)
        {
            case Caller.FreshVisitor:
                using (var visitor = fixture.NewHttpClient())
                {
                    var token = DashboardFixture.CsrfField(await visitor.GetStringAsync("/login"));
                    var body = hostile.Body is null ? null
                        : Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(hostile.Body).Replace(HostileCase.FormToken, Uri.EscapeDataString(token), StringComparison.Ordinal));
                    // Only bodies that are valid UTF-8 carry the placeholder; the others are sent byte for byte.
                    var send = hostile.Body is not null && Encoding.UTF8.GetString(hostile.Body).Contains(HostileCase.FormToken, StringComparison.Ordinal)
                        ? hostile with { Body = body } : hostile;
                    return await HostileJudge.SendAsync(visitor, send);
                }

            case Caller.Admin:
            case Caller.SiteAdmin:
                var (client, csrf) = hostile.Caller == Caller.Admin ? admin : siteAdmin;
                return await HostileJudge.SendAsync(client, hostile, r =>
                {
                    if (hostile.Csrf)
                    {
                        r.Headers.TryAddWithoutValidation("X-CSRF-TOKEN", csrf);
                    }
                });

            default:
                return await HostileJudge.SendAsync(anonymous, hostile);
        }
    }

    /// <summary>The administrator can read the site through the proxy, the share link reads, and the invite is unused.</summary>
    private async Task AssertStillWorkingAsync(HttpClient admin, DashboardTargets targets)
    {
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/proxy/api/stats/summary?site_id={targets.SiteId}")).StatusCode);
        using var anonymous = fixture.NewHttpClient();
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/share/{targets.ShareToken}/api/stats/summary")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/invite/{targets.InviteToken}")).StatusCode);
        var (client, _) = await fixture.SignInAsAdminAsync();
        client.Dispose();
    }

    private static async Task<string> PostJsonAsync(HttpClient client, string csrf, string path, object? body)
    {
        var response = await DashboardFixture.SendAsync(client, csrf, HttpMethod.Post, path, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.GetProperty("url").GetString()!;
    }

    private static string TokenOf(string url, string marker) => url[(url.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..];

    private static bool Matches(string pattern, string target)
    {
        var path = target.Split('?')[0];
        var regex = "^" + Regex.Replace(pattern.TrimEnd('/'), @"\{\*\*[^}]+\}|\{[^}]+\}", m => m.Value.StartsWith("{**", StringComparison.Ordinal) ? ".*" : "[^/]+") + "/?$";
        return Regex.IsMatch(path, regex);
    }
}
