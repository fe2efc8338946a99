using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Tests.Infrastructure;
using LiveInsight.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Dashboard.Tests;

/// <summary>
/// What the Dashboard tells others: the Api about the acting user (a second Dashboard is pointed at a stand-in "Api" that
/// answers with the headers it received, and trusts 127.0.0.1 as its load balancer), and the traces about invite links.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class ProxyHeaderTests(DashboardFixture fixture)
{
    [Fact]
    public async Task The_proxy_names_the_signed_in_user_and_their_masked_address_and_drops_what_the_browser_claims()
    {
        var echoPort = ExternalProcess.FreePort();
        var echo = WebApplication.CreateBuilder();
        echo.WebHost.UseUrls($"http://127.0.0.1:{echoPort}");
        await using var api = echo.Build();
        api.Run(context => context.Response.WriteAsJsonAsync(
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
        await api.StartAsync();

        var (dashboard, client) = StartDashboard(new()
        {
            ["LiveInsight:Dashboard:TrustedProxies:0"] = "127.0.0.1",
            ["services:api:http:0"] = $"http://127.0.0.1:{echoPort}",
        });
        await using var running = dashboard;
        using var browser = client;
        var form = await client.GetStringAsync("/login");
        await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = DashboardFixture.CsrfField(form),
            ["email"] = DashboardFixture.AdminEmail,
            ["password"] = DashboardFixture.AdminPassword,
        }));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/proxy/api/stats/summary?site_id=anysite");
        request.Headers.Add("X-LiveInsight-Actor", "someone-else@example.com");
        request.Headers.Add("X-LiveInsight-Actor-Ip", "10.9.8.7");
        request.Headers.Add("X-Forwarded-For", "198.51.100.1, 203.0.113.77");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(DashboardFixture.AdminEmail, headers.GetProperty("x-liveinsight-actor").GetString());
        Assert.Equal("203.0.113.0", headers.GetProperty("x-liveinsight-actor-ip").GetString());
        Assert.Equal($"Bearer {DashboardFixture.AdminToken}", headers.GetProperty("authorization").GetString());
        Assert.False(headers.TryGetProperty("cookie", out _));
    }

    [Fact]
    public async Task Invite_and_share_tokens_and_client_addresses_stay_out_of_the_traces()
    {
        var site = await fixture.CreateSiteAsync("Traced", "traced.test");
        var (invite, _) = await fixture.DashboardServices.GetRequiredService<Users.InviteStore>()
            .CreateAsync(site.SiteId, "traced@example.com", Auth.SiteRole.Viewer, DashboardFixture.AdminEmail, CancellationToken.None);
        var (share, _, _) = await fixture.DashboardServices.GetRequiredService<LiveInsight.Dashboard.Sharing.ShareLinks>()
            .CreateAsync(site.SiteId, DashboardFixture.AdminEmail, CancellationToken.None);
        var spans = new System.Collections.Concurrent.ConcurrentBag<(string Path, object? Client, object? Peer)>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            // As newer ASP.NET Core versions do at creation: the span starts with the peer's address.
            ActivityStarted = activity => activity.SetTag("client.address", "203.0.113.9").SetTag("network.peer.address", "203.0.113.9"),
            ActivityStopped = activity => spans.Add((activity.GetTagItem("url.path") as string ?? "", activity.GetTagItem("client.address"), activity.GetTagItem("network.peer.address"))),
        };
        ActivitySource.AddActivityListener(listener);
        // With an OTLP endpoint, as under the AppHost, the Dashboard records server spans (nothing listens there).
        var (dashboard, client) = StartDashboard(new() { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9" });
        await using var running = dashboard;
        using var browser = client;

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/invite/{invite}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/share/{share}/api/stats/summary?site_id={site.SiteId}&range=today")).StatusCode);

        // Server spans stop after the response is sent, so they may end a moment after the client has it.
        string[] expected = ["/invite/{token}", "/share/{token}/api/stats/summary"];
        for (var wait = 0; wait < 50 && !expected.All(path => spans.Any(s => s.Path == path)); wait++)
        {
            await Task.Delay(100);
        }

        Assert.All(expected, path => Assert.Contains(spans, s => s.Path == path));
        Assert.DoesNotContain(spans, s => s.Path.Contains(invite, StringComparison.Ordinal) || s.Path.Contains(share, StringComparison.Ordinal));
        Assert.All(spans, s => Assert.Equal((null, null), (s.Client, s.Peer)));
    }

    private (WebApplicationFactory<Users.UserService> Dashboard, HttpClient Client) StartDashboard(Dictionary<string, string> settings) =>
        fixture.StartSecondDashboard(settings);
}
