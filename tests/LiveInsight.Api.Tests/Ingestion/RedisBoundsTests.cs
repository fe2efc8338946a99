using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Api.Ingestion;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Events;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using static LiveInsight.Api.Tests.Ingestion.EventPosting;

namespace LiveInsight.Api.Tests.Ingestion;

/// <summary>Issue 14: one public key must not be able to fill Redis (which runs <c>noeviction</c>) and so take every
/// site down. What a key may write is bounded by its site's quotas; what the realtime keys hold, by the window.</summary>
[Collection(nameof(ApiCollection))]
public sealed class RedisBoundsTests(ApiFixture fixture)
{
    // A site with 20 requests a minute may send 400 events and 81,920 payload bytes a minute (IngestionOptions).
    private const int RequestsPerMinute = 20;
    private const int BytesPerMinute = RequestsPerMinute * 4096;

    /// <summary>A minute takes at most the limit plus one batch, and one batch is at most a 64 KB body.</summary>
    private const int MaxBatchBytes = IngestionLimits.MaxBodyBytes;

    /// <summary>
    /// The documented bound: apart from a fixed part (two HyperLogLogs of 12 KB at most, the quota and key-usage
    /// hashes), every event kept costs its site at most twice its stream payload in <c>li:{site}:*</c> (an 8-byte
    /// dedupe field, a realtime session entry and the session's current path), so a site's keys stay under
    /// 64 KB + 2 × the bytes its quota let through.
    /// </summary>
    private const long FixedBytes = 64 * 1024;

    [Fact]
    public async Task One_key_sending_100000_distinct_pages_and_sessions_keeps_its_site_in_bounded_memory_and_other_sites_are_counted_exactly()
    {
        var flooded = await fixture.CreateAsync(rateLimitPerMinute: RequestsPerMinute);
        var other = await fixture.CreateAsync();
        using var client = fixture.CreateClient();
        var padding = new string('a', 900);
        var started = DateTimeOffset.UtcNow;
        var acceptedFlood = 0;
        var refused = 0;
        var otherAccepted = new List<int>();
        for (var b = 0; b < 2000; b++)
        {
            // 50 events, each its own session and its own ~930-character path: about 57 KB a batch.
            var batch = Enumerable.Range(0, 50).Select(e => PageView($"https://example.com/p/{(b * 50) + e}/{padding}")).ToArray();
            var response = await client.SendAsync(Request(Batch(flooded.PublicKey, batch)));
            if (response.StatusCode == HttpStatusCode.Accepted)
            {
                acceptedFlood += (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32();
            }
            else
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                refused++;
            }

            if (b % 100 == 0)
            {
                var answer = await client.SendAsync(Request(Batch(other.PublicKey, PageView())));
                Assert.Equal(HttpStatusCode.Accepted, answer.StatusCode);
                otherAccepted.Add((await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
            }
        }

        var minutes = (int)(Minute(DateTimeOffset.UtcNow) - Minute(started)) + 1;
        var streamBytes = (await fixture.StreamEventsAsync(flooded.SiteId)).Sum(e => (long)e.GetRawText().Length);
        var memory = await SiteMemoryAsync(flooded.SiteId);

        Assert.True(refused > 1900, $"only {refused} of 2,000 batches were refused");
        Assert.InRange(streamBytes, 1, minutes * (BytesPerMinute + MaxBatchBytes));
        Assert.InRange(memory, 1, FixedBytes + (2L * minutes * (BytesPerMinute + MaxBatchBytes)));
        Assert.All(otherAccepted, n => Assert.Equal(1, n));
        Assert.Equal(otherAccepted.Count, (await fixture.StreamEventsAsync(other.SiteId)).Count);
        Assert.Equal(acceptedFlood, (await fixture.StreamEventsAsync(flooded.SiteId)).Count);

        // Seven minutes later the flood's sessions are out of the realtime window: any request of the site (even one
        // whose events are all dropped) trims them, a bounded step at a time.
        var db = fixture.Redis.GetDatabase();
        var sessionsBefore = await db.SortedSetLengthAsync(RedisKeys.RealtimeSessions(flooded.SiteId));
        Assert.Equal(sessionsBefore, await db.HashLengthAsync(RedisKeys.RealtimePages(flooded.SiteId)));
        await using var later = fixture.Factory.WithWebHostBuilder(web => web.ConfigureServices(services =>
            services.AddSingleton<TimeProvider>(new FakeTimeProvider(DateTimeOffset.UtcNow.AddMinutes(7)))));
        using var laterClient = later.CreateClient();
        for (var i = 0; i <= sessionsBefore / EventWriter.TrimStep; i++)
        {
            var bot = await laterClient.SendAsync(Request(Batch(flooded.PublicKey, PageView()), userAgent: "Googlebot/2.1"));
            Assert.Equal(HttpStatusCode.Accepted, bot.StatusCode);
        }

        Assert.True(sessionsBefore > 0);
        Assert.Equal(0, await db.HashLengthAsync(RedisKeys.RealtimePages(flooded.SiteId)));
        Assert.Equal(0, await db.SortedSetLengthAsync(RedisKeys.RealtimeSessions(flooded.SiteId)));
        Assert.Equal(0, await db.SortedSetLengthAsync(RedisKeys.RealtimeVisitors(flooded.SiteId)));
        Assert.True(await SiteMemoryAsync(flooded.SiteId) < memory);
    }

    [Fact]
    public async Task Dedupe_keeps_an_8_byte_hash_of_each_event_id_and_still_refuses_a_repeat()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();
        var view = PageView(id: Guid.NewGuid().ToString());

        var first = await client.SendAsync(Request(Batch(site.PublicKey, view)));
        var repeat = await client.SendAsync(Request(Batch(site.PublicKey, view.DeepClone().AsObject())));

        Assert.Equal(1, (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        Assert.Equal(0, (await repeat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        var seenKey = RedisKeys.SeenEvents(site.SiteId, DateTimeOffset.FromUnixTimeMilliseconds(view["timestamp"]!.GetValue<long>()));
        var fields = await fixture.Redis.GetDatabase().HashKeysAsync(seenKey);
        Assert.Equal(8, ((byte[])Assert.Single(fields)!).Length);
    }

    private static long Minute(DateTimeOffset at) => at.ToUnixTimeSeconds() / 60;

    /// <summary>Sum of <c>MEMORY USAGE</c> over the site's own keys.</summary>
    private async Task<long> SiteMemoryAsync(string siteId)
    {
        var server = fixture.Redis.GetServers()[0];
        var db = fixture.Redis.GetDatabase();
        long total = 0;
        await foreach (var key in server.KeysAsync(pattern: $"li:{{{siteId}}}:*", pageSize: 1000))
        {
            total += (long)(await db.ExecuteAsync("MEMORY", "USAGE", key, "SAMPLES", "0"));
        }

        return total;
    }
}
