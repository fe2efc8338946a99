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
    public async Task Batches_whose_events_are_all_dropped_still_count_against_the_sites_request_limit()
    {
        var site = await fixture.CreateAsync(rateLimitPerMinute: 3);
        var other = await fixture.CreateAsync(rateLimitPerMinute: 3);
        using var client = fixture.CreateClient();
        await WaitForFreshMinuteAsync();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            // A new bot user agent each time: every event is dropped, nothing reaches the stream.
            statuses.Add((await client.SendAsync(Request(Batch(site.PublicKey, PageView()), userAgent: $"Googlebot/{i}.1"))).StatusCode);
        }

        var real = await client.SendAsync(Request(Batch(site.PublicKey, PageView())));
        var otherSite = await client.SendAsync(Request(Batch(other.PublicKey, PageView())));

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Accepted, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, real.StatusCode);
        Assert.Contains("3 requests a minute", await real.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Accepted, otherSite.StatusCode);
        Assert.Empty(await fixture.StreamEventsAsync(site.SiteId));
    }

    [Fact]
    public async Task A_site_is_limited_in_events_a_minute_not_only_in_requests()
    {
        // 2 requests a minute → 40 events a minute. Before, two batches of 50 passed: 100 events.
        var site = await fixture.CreateAsync(rateLimitPerMinute: 2);
        using var client = fixture.CreateClient();
        await WaitForFreshMinuteAsync();

        var first = await client.SendAsync(Request(Batch(site.PublicKey, Enumerable.Range(0, 50).Select(_ => PageView()).ToArray())));
        var second = await client.SendAsync(Request(Batch(site.PublicKey, PageView())));

        // The batch that crosses the limit is taken whole (a batch is never too big to pass); the next one is not.
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType!.MediaType);
        Assert.Contains("40 events a minute", await second.Content.ReadAsStringAsync());
        Assert.InRange(second.Headers.RetryAfter!.Delta!.Value.TotalSeconds, 1, 60);
        Assert.Equal(50, (await fixture.StreamEventsAsync(site.SiteId)).Count);
    }

    [Fact]
    public async Task A_site_is_limited_in_bytes_a_minute_not_only_in_requests_and_events()
    {
        // 10 requests a minute → 200 events and 40,960 payload bytes a minute. Events padded with 30 long props
        // weigh about 15 KB each, so three of them cross the byte limit long before the other two.
        var site = await fixture.CreateAsync(rateLimitPerMinute: 10);
        using var client = fixture.CreateClient();
        await WaitForFreshMinuteAsync();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            statuses.Add((await client.SendAsync(Request(Batch(site.PublicKey, Heavy(), Heavy(), Heavy())))).StatusCode);
        }

        Assert.Equal([HttpStatusCode.Accepted, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);
        var refused = await client.SendAsync(Request(Batch(site.PublicKey, PageView())));
        Assert.Contains("40,960 bytes of events a minute", await refused.Content.ReadAsStringAsync());
        Assert.Equal(3, (await fixture.StreamEventsAsync(site.SiteId)).Count);

        static System.Text.Json.Nodes.JsonObject Heavy()
        {
            var view = PageView();
            var props = new System.Text.Json.Nodes.JsonObject();
            for (var p = 0; p < 30; p++)
            {
                props["p" + p] = new string('x', 500);
            }

            view["props"] = props;
            return view;
        }
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
