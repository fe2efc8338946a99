using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using static LiveInsight.Api.Tests.Ingestion.EventPosting;

namespace LiveInsight.Api.Tests.Ingestion;

[Collection(nameof(ApiCollection))]
public sealed class RateLimitTests(ApiFixture fixture)
{
    [Fact]
    public async Task The_1001st_request_of_a_minute_gets_429_even_spread_over_two_api_instances_and_other_sites_go_on()
    {
        var limited = await fixture.CreateAsync();
        var other = await fixture.CreateAsync();
        // A second Api process-alike: its own host and connections, the same Redis.
        await using var secondApi = fixture.Factory.WithWebHostBuilder(_ => { });
        using var first = fixture.CreateClient();
        using var second = secondApi.CreateClient();
        await WaitForFreshMinuteAsync(secondsNeeded: 30);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 1000; i++)
        {
            var client = i % 2 == 0 ? first : second;
            statuses.Add((await client.SendAsync(Request(Batch(limited.PublicKey, PageView())))).StatusCode);
        }

        var over = await second.SendAsync(Request(Batch(limited.PublicKey, PageView())));
        var otherSite = await first.SendAsync(Request(Batch(other.PublicKey, PageView())));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Accepted, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, over.StatusCode);
        Assert.InRange(over.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Contains("1,000 requests a minute", await over.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Accepted, otherSite.StatusCode);
        Assert.Equal(1000, (await fixture.StreamEventsAsync(limited.SiteId)).Count);
    }

    [Fact]
    public async Task A_site_can_have_its_own_limit()
    {
        var site = await fixture.CreateAsync(rateLimitPerMinute: 3);
        using var client = fixture.CreateClient();
        await WaitForFreshMinuteAsync();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            statuses.Add((await client.SendAsync(Request(Batch(site.PublicKey, PageView())))).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], statuses);
    }

    [Fact]
    public async Task A_sites_limit_can_be_changed_and_reset_to_the_default()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        using var client = fixture.CreateClient();

        var lowered = await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new { rate_limit_per_minute = 2 });
        Assert.Equal(HttpStatusCode.OK, lowered.StatusCode);
        Assert.Equal(2, (await lowered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rate_limit_per_minute").GetInt32());
        await WaitForFreshMinuteAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await client.SendAsync(Request(Batch(site.PublicKey, PageView())))).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests], statuses);

        var reset = await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new { rate_limit_per_minute = 0 });
        Assert.Equal(0, (await reset.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("rate_limit_per_minute").GetInt32());
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(Request(Batch(site.PublicKey, PageView())))).StatusCode);

        var invalid = await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new { rate_limit_per_minute = -5 });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.StatusCode);
        Assert.Contains("rate_limit_per_minute", await invalid.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Guessing_keys_from_one_network_is_limited_per_masked_address()
    {
        using var client = fixture.CreateClient();
        await WaitForFreshMinuteAsync();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 121; i++)
        {
            // Different hosts of one /24: one masked address.
            statuses.Add((await client.SendAsync(Request(Batch(Core.Sites.SiteKeys.NewPublicKey(), PageView()), ip: $"198.51.100.{i % 200 + 1}"))).StatusCode);
        }

        var otherNetwork = await client.SendAsync(Request(Batch(Core.Sites.SiteKeys.NewPublicKey(), PageView()), ip: "192.0.2.10"));

        Assert.Equal(120, statuses.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.Equal(HttpStatusCode.TooManyRequests, statuses[^1]);
        Assert.Equal(HttpStatusCode.Unauthorized, otherNetwork.StatusCode);
    }

    /// <summary>The limits are per UTC minute: start early in one, so a test never straddles two.</summary>
    private static async Task WaitForFreshMinuteAsync(int secondsNeeded = 10)
    {
        var now = DateTimeOffset.UtcNow;
        if (now.Second >= 60 - secondsNeeded)
        {
            await Task.Delay(TimeSpan.FromSeconds(60 - now.Second) + TimeSpan.FromMilliseconds(200));
        }
    }
}
