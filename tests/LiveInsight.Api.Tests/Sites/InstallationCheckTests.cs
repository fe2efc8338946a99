using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Events;
using static LiveInsight.Api.Tests.Ingestion.EventPosting;

namespace LiveInsight.Api.Tests.Sites;

/// <summary>The installation check (issue 23, finding 2): a site's last events received and last drops with their
/// reasons, newest first, bounded, read with the site's secret key.</summary>
[Collection(nameof(ApiCollection))]
public sealed class InstallationCheckTests(ApiFixture fixture)
{
    private const string HeadlessChrome =
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36";

    [Fact]
    public async Task Shows_what_was_received_and_what_was_dropped_or_refused_and_why()
    {
        var domain = TestSites.UniqueDomain();
        var site = await fixture.CreateAsync(domains: [domain]);
        using var client = fixture.CreateClient();

        var kept = await client.SendAsync(Request(Batch(site.PublicKey, PageView($"https://{domain}/pricing?utm_source=x"))));
        var bot = await client.SendAsync(Request(Batch(site.PublicKey, PageView($"https://{domain}/from-a-robot?secret=1")), userAgent: HeadlessChrome));
        var foreign = await client.SendAsync(Request(Batch(site.PublicKey, PageView("https://elsewhere.example/copied"))));
        var origin = await client.SendAsync(Request(Batch(site.PublicKey, PageView($"https://{domain}/")), origin: "https://not-mine.example"));
        var report = await ReadAsync(site);

        Assert.Equal((HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Forbidden),
            (kept.StatusCode, bot.StatusCode, foreign.StatusCode, origin.StatusCode));
        var received = Assert.Single(report.GetProperty("received").EnumerateArray());
        Assert.Equal(("page_view", domain, "/pricing"), (received.GetProperty("type").GetString(), received.GetProperty("host").GetString(), received.GetProperty("path").GetString()));
        Assert.True(received.GetProperty("at").GetDateTimeOffset() > DateTimeOffset.UtcNow.AddMinutes(-1));

        // Newest first: the refused origin, the foreign page, the bot (with the agent that looked like one, and never the
        // raw URL of a page the pipeline did not read).
        var dropped = report.GetProperty("dropped").EnumerateArray().ToList();
        Assert.Equal(["origin_not_allowed", "foreign_host", "bot"], dropped.Select(d => d.GetProperty("reason").GetString()));
        Assert.Equal("not-mine.example", dropped[0].GetProperty("host").GetString());
        Assert.Equal("elsewhere.example", dropped[1].GetProperty("host").GetString());
        Assert.Equal(domain, dropped[2].GetProperty("host").GetString());
        Assert.Contains("HeadlessChrome", dropped[2].GetProperty("user_agent").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("secret", report.GetRawText(), StringComparison.Ordinal);
        Assert.False(dropped[1].TryGetProperty("user_agent", out _));
    }

    [Fact]
    public async Task Keeps_the_last_twenty_of_each_for_a_day_and_caps_visitor_text()
    {
        var domain = TestSites.UniqueDomain();
        var site = await fixture.CreateAsync(domains: [domain]);
        using var client = fixture.CreateClient();

        for (var i = 0; i < 25; i++)
        {
            var custom = PageView($"https://{domain}/p{i}");
            custom["event_type"] = "custom";
            custom["name"] = i == 24 ? "<script>" + new string('n', 3000) : $"Event {i}";
            await client.SendAsync(Request(Batch(site.PublicKey, custom)));
            await Task.Delay(i % 9 == 8 ? 1000 : 0); // stay under the per-second sample rate
        }

        var received = (await ReadAsync(site)).GetProperty("received").EnumerateArray().ToList();
        var ttl = await fixture.Redis.GetDatabase().KeyTimeToLiveAsync(RedisKeys.InstallationReceived(site.SiteId));

        Assert.Equal(RedisKeys.InstallationRingLength, received.Count);
        Assert.Equal("/p24", received[0].GetProperty("path").GetString());
        Assert.Equal("/p5", received[^1].GetProperty("path").GetString());
        Assert.StartsWith("<script>nnn", received[0].GetProperty("name").GetString(), StringComparison.Ordinal);
        Assert.True(received[0].GetProperty("name").GetString()!.Length <= 200);
        Assert.InRange(ttl!.Value, TimeSpan.FromHours(23), TimeSpan.FromHours(24));
    }

    [Fact]
    public async Task Another_sites_secret_key_reads_nothing_and_the_admin_token_reads_any_site()
    {
        var site = await fixture.CreateAsync();
        var other = await fixture.CreateAsync();
        using var client = fixture.CreateClient();
        using var admin = fixture.CreateAdminClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/sites/{site.SiteId}/installation");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", other.SecretKey);
        var wrongKey = await client.SendAsync(request);
        var byAdmin = await admin.GetAsync($"/api/sites/{site.SiteId}/installation");

        Assert.Equal(HttpStatusCode.NotFound, wrongKey.StatusCode);
        Assert.Equal("application/problem+json", wrongKey.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, byAdmin.StatusCode);
        var empty = await byAdmin.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Empty(empty.GetProperty("received").EnumerateArray());
        Assert.Empty(empty.GetProperty("dropped").EnumerateArray());
    }

    private async Task<JsonElement> ReadAsync(TestSite site)
    {
        using var client = fixture.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/sites/{site.SiteId}/installation");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", site.SecretKey);
        var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
