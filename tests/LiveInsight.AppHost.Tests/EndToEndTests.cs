using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace LiveInsight.AppHost.Tests;

/// <summary>The data path through the real stack: tracker-shaped events into the Api, through the aggregator's
/// rollups, back out of the read API — three services that only share Redis and DynamoDB.</summary>
[Collection(nameof(AppHostCollection))]
public sealed class EndToEndTests(AppHostFixture fixture)
{
    private const string Browser =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    [Fact]
    public async Task Events_posted_to_the_api_show_up_in_realtime_at_once_and_in_stats_after_the_aggregator()
    {
        using var api = fixture.App.CreateHttpClient("api");
        api.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AppHostFixture.AdminToken);
        var site = await (await api.PostAsJsonAsync("/api/sites", new { name = "E2E data", domains = new[] { "shop.example.com" } }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var siteId = site.GetProperty("site_id").GetString()!;
        var publicKey = site.GetProperty("public_key").GetString()!;
        var secretKey = site.GetProperty("secret_key").GetString()!;

        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var (visitorIp, path) in new[] { ("8.8.8.8", "/"), ("8.8.8.8", "/pricing"), ("1.1.1.1", "/") })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events")
            {
                Content = JsonContent.Create(new
                {
                    key = publicKey,
                    events = new[]
                    {
                        new { id = Guid.NewGuid().ToString(), event_type = "page_view", page_url = $"https://shop.example.com{path}", session_id = "s-" + visitorIp, timestamp = now },
                    },
                }),
            };
            request.Headers.UserAgent.ParseAdd(Browser);
            request.Headers.Add("X-Forwarded-For", visitorIp); // believed: the fixture makes loopback a trusted proxy
            var response = await api.SendAsync(request);
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        using var reader = fixture.App.CreateHttpClient("api");
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secretKey);
        var realtime = await reader.GetFromJsonAsync<JsonElement>($"/api/realtime/users?site_id={siteId}");
        // Same user agent, two forwarded addresses: two visitors.
        Assert.Equal(2, realtime.GetProperty("active_users").GetInt32());

        // The aggregator flushes rollups every few seconds; each poll asks for a different limit, so no cached answer
        // hides the new numbers.
        // The events' day by name (the site's zone is UTC), not range=today: the Api resolves today on its own clock, and
        // a UTC midnight between the posts and the polls (up to a minute of them) had it read the next day, which
        // holds nothing (0 page views until the deadline).
        var day = DateTimeOffset.FromUnixTimeMilliseconds(now).UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        JsonElement pages;
        var attempt = 0;
        do
        {
            await Task.Delay(500);
            pages = await reader.GetFromJsonAsync<JsonElement>($"/api/stats/pages?site_id={siteId}&from={day}&to={day}&limit={100 + attempt++}");
        }
        while (PageViews(pages, "/") < 2 && DateTime.UtcNow < deadline);

        Assert.Equal(2, PageViews(pages, "/"));
        Assert.Equal(1, PageViews(pages, "/pricing"));
    }

    private static long PageViews(JsonElement pages, string path) =>
        pages.GetProperty("pages").EnumerateArray()
            .Where(p => p.GetProperty("path").GetString() == path)
            .Select(p => p.GetProperty("pageviews").GetInt64())
            .FirstOrDefault();
}
