using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Ingestion;
using LiveInsight.Testing.Hostile;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace LiveInsight.Api.Tests.Hostile;

/// <summary>
/// Issue 14: hundreds of hostile requests across every public surface of the Api, as data (<see cref="ApiHostileCases"/>).
/// One run collects every broken rule and names each case, so a failure reads as the full list at once.
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class HostileInputTests(ApiFixture fixture, ITestOutputHelper output)
{
    public const int MinimumCases = 500;

    [Fact]
    public async Task Hostile_requests_get_a_4xx_problem_saying_why_never_a_5xx_or_a_hang_and_good_traffic_around_them_is_counted_exactly()
    {
        var targets = await TargetsAsync();
        using var client = fixture.CreateClient();
        var sent = await SendGoodTrafficAsync(client, targets, "before");

        var cases = ApiHostileCases.All(targets);
        var verdicts = new List<HostileJudge.Verdict>(cases.Count);
        for (var i = 0; i < cases.Count; i++)
        {
            // Each case from its own network, so the limit on key-less requests per address judges no case by the others.
            var ip = $"100.{64 + (i / 250 % 64)}.{i % 250}.9";
            // And from a browser, unless the case is about the User-Agent: a bot is dropped before most checks run.
            verdicts.Add(await HostileJudge.SendAsync(client, cases[i], r =>
            {
                r.Headers.TryAddWithoutValidation(TestClientIpStartupFilter.Header, ip);
                if (!r.Headers.Contains("User-Agent"))
                {
                    r.Headers.TryAddWithoutValidation("User-Agent", EventPosting.ChromeOnWindows);
                }
            }));
        }

        sent.AddRange(await SendGoodTrafficAsync(client, targets, "after"));
        var stored = (await fixture.StreamEventsAsync(targets.Control.SiteId)).Select(e => e.GetProperty("event_id").GetString()!).ToList();

        var failed = verdicts.Where(v => v.Violation is not null).ToList();
        var extra = stored.Except(sent).ToList();
        var missing = sent.Except(stored).ToList();
        var control = extra.Count + missing.Count == 0 && stored.Count == sent.Count ? "" :
            $"\nthe control site's stream holds {stored.Count} events instead of the {sent.Count} good ones: {extra.Count} added by the hostile run, {missing.Count} good ones missing";
        var report = $"{cases.Count} hostile cases; answers: {HostileJudge.Statuses(verdicts)}; {failed.Count} broke a rule:\n{HostileJudge.Report(failed)}{control}";
        output.WriteLine(report);
        Assert.True(cases.Count >= MinimumCases, $"only {cases.Count} cases");
        Assert.True(failed.Count == 0 && control.Length == 0, report);
    }

    [Fact]
    public void Every_endpoint_the_api_maps_gets_hostile_cases()
    {
        var dummy = new TestSite("site", "pk_x", "sk_x");
        var cases = ApiHostileCases.All(new HostileTargets(dummy, "c.example", dummy, "t.example", dummy, dummy, dummy, "r.example"));
        var endpoints = fixture.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>();

        var uncovered = endpoints
            .SelectMany(e => (e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods ?? ["*"]).Select(m => (Method: m, Pattern: e.RoutePattern.RawText ?? "")))
            .Where(e => !cases.Any(c => (e.Method == "*" || c.Method.Method == e.Method) && Matches(e.Pattern, c.Target)))
            .Select(e => $"{e.Method} {e.Pattern}")
            .ToList();

        Assert.Empty(uncovered);
    }

    [Theory]
    [InlineData("/api/event")]
    [InlineData("/api/send")]
    public void Each_compatibility_endpoint_gets_at_least_100_hostile_requests(string path)
    {
        var dummy = new TestSite("site", "pk_x", "sk_x");
        var cases = ApiHostileCases.All(new HostileTargets(dummy, "c.example", dummy, "t.example", dummy, dummy, dummy, "r.example"));

        Assert.True(cases.Count(c => c.Method == HttpMethod.Post && c.Target == path) >= 100, $"{path}: too few hostile cases");
    }

    private static bool Matches(string pattern, string target)
    {
        var path = target.Split('?')[0];
        var regex = "^" + Regex.Replace(pattern.TrimEnd('/'), @"\{\*\*[^}]+\}|\{[^}]+\}", m => m.Value.StartsWith("{**", StringComparison.Ordinal) ? ".*" : "[^/]+") + "/?$";
        return Regex.IsMatch(path, regex);
    }

    private async Task<HostileTargets> TargetsAsync()
    {
        var (control, target, redos) = (TestSites.UniqueDomain(), TestSites.UniqueDomain(), TestSites.UniqueDomain());
        var targets = new HostileTargets(
            await fixture.CreateAsync(domains: [control], identifyEnabled: true), control, // identify on: cohort queries reach the parser
            await fixture.CreateAsync(domains: [target]), target,
            await fixture.CreateAsync(), await fixture.CreateAsync(),
            await fixture.CreateAsync(domains: [redos]), redos);
        return targets with
        {
            TargetUmamiId = (await fixture.GetSummaryAsync(targets.Target.SiteId)).GetProperty("umami_website_id").GetString()!,
            ControlUmamiId = (await fixture.GetSummaryAsync(targets.Control.SiteId)).GetProperty("umami_website_id").GetString()!,
        };
    }

    /// <summary>Five page views the way the tracker sends them to the control site, each counted once.</summary>
    private static async Task<List<string>> SendGoodTrafficAsync(HttpClient client, HostileTargets targets, string when)
    {
        var ids = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            var fields = ApiHostileCases.GoodEventFields(targets.ControlDomain, $"/good/{when}/{i}");
            var id = JsonSerializer.Deserialize<string>(fields["id"])!;
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events")
            {
                Content = new StringContent(ApiHostileCases.Batch(targets.Control.PublicKey, ApiHostileCases.Object(fields)), System.Text.Encoding.UTF8, "application/json"),
            };
            request.Headers.TryAddWithoutValidation("User-Agent", EventPosting.ChromeOnWindows);
            request.Headers.Add("Origin", $"https://{targets.ControlDomain}");
            request.Headers.Add(TestClientIpStartupFilter.Header, "8.8.8.8");
            using var response = await client.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.Accepted && body.Contains("\"accepted\":1", StringComparison.Ordinal), $"good traffic {when}: {(int)response.StatusCode} {body}");
            ids.Add(id);
        }

        return ids;
    }
}
