using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Testing;
using LiveInsight.Tracker.Tests.Infrastructure;

namespace LiveInsight.Tracker.Tests.Compat;

/// <summary>
/// Issue 20: the real Umami Node client from npm (<c>@umami/node</c>, pinned in package.json), run by node from a tiny
/// driver (<c>umami-driver.mjs</c>) against the running Api with only its host URL and website id changed.
/// </summary>
[Collection(nameof(TrackerCollection))]
public sealed class UmamiClientTests(TrackerFixture fixture)
{
    private async Task<(string SiteId, string WebsiteId, string Domain)> CreateSiteAsync()
    {
        var domain = $"u{Guid.NewGuid():N}"[..12] + ".test";
        var (siteId, _) = await fixture.CreateSiteAsync(domain);
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.ApiPort}") };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", TrackerFixture.AdminToken);
        var sites = await admin.GetFromJsonAsync<JsonElement>("/api/sites");
        var site = sites.GetProperty("sites").EnumerateArray().Single(s => s.GetProperty("site_id").GetString() == siteId);
        return (siteId, site.GetProperty("umami_website_id").GetString()!, domain);
    }

    private async Task<List<JsonElement>> RunDriverAsync(string websiteId, string domain, string? userAgent = null)
    {
        var root = RepositoryPaths.Root;
        var start = new ProcessStartInfo("node")
        {
            ArgumentList =
            {
                Path.Combine(AppContext.BaseDirectory, "Compat", "umami-driver.mjs"),
                Path.Combine(root, "node_modules", "@umami", "node", "dist", "index.mjs"),
                $"http://127.0.0.1:{fixture.ApiPort}",
                websiteId,
                domain,
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (userAgent is not null)
        {
            start.ArgumentList.Add(userAgent);
        }

        using var node = Process.Start(start)!;
        var output = node.StandardOutput.ReadToEndAsync();
        var errors = node.StandardError.ReadToEndAsync();
        await node.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(30));
        Assert.True(node.ExitCode == 0, $"the Umami driver failed: {await errors}");
        return (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => JsonDocument.Parse(line).RootElement.Clone()).ToList();
    }

    [Fact]
    public async Task The_umami_node_client_sends_a_page_view_and_an_event_that_are_counted()
    {
        var (siteId, websiteId, domain) = await CreateSiteAsync();

        var answers = await RunDriverAsync(websiteId, domain);

        Assert.Equal(2, answers.Count);
        foreach (var answer in answers)
        {
            Assert.Equal(200, answer.GetProperty("status").GetInt32());
            Assert.Equal("", answer.GetProperty("dropped").GetString());
            var token = JsonDocument.Parse(answer.GetProperty("body").GetString()!).RootElement.GetProperty("cache").GetString()!;
            Assert.Equal(3, token.Split('.').Length);
        }

        var events = await PlausibleTrackerTests.WaitForStreamAsync(fixture, siteId, e => e.Count >= 2);
        Assert.Equal(2, events.Count);
        var view = Assert.Single(events.OfType("page_view"));
        Assert.Equal("/docs", view.Str("path"));
        Assert.Equal(domain, view.Str("host"));
        Assert.Equal("Docs", view.Str("title"));
        Assert.Equal("newsletter", view.Str("utm_source"));
        Assert.Equal("news.ycombinator.com", view.Str("referrer_host"));
        var signup = Assert.Single(events.Named("Signup"));
        Assert.Equal("team", signup.GetProperty("props").GetProperty("plan").GetString());
        Assert.Equal("3", signup.GetProperty("props").GetProperty("seats").GetString());
        // Sent without a page, as umami.track('Signup') does from a server: booked on the site's home page.
        Assert.Equal("/", signup.Str("path"));
        Assert.Equal(view.Str("session_id"), signup.Str("session_id"));
    }

    [Fact]
    public async Task A_bot_sending_through_the_umami_client_is_dropped()
    {
        var (siteId, websiteId, domain) = await CreateSiteAsync();

        var answers = await RunDriverAsync(websiteId, domain, "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)");

        Assert.All(answers, a => Assert.Equal("bot=1", a.GetProperty("dropped").GetString()));
        Assert.All(answers, a => Assert.Equal(200, a.GetProperty("status").GetInt32()));
        Assert.Empty(await fixture.StreamEventsAsync(siteId));
    }
}
