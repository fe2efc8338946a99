using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Events;
using static LiveInsight.Api.Tests.Ingestion.EventPosting;

namespace LiveInsight.Api.Tests.Ingestion;

[Collection(nameof(ApiCollection))]
public sealed class IngestApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_page_view_is_enriched_and_written_to_the_stream_without_any_ip()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();
        var view = PageView("https://example.com/pricing/?utm_source=newsletter&utm_campaign=launch&secret=1");
        view["referrer"] = "https://www.google.com/";
        view["title"] = "Pricing";

        var response = await client.SendAsync(Request(Batch(site.PublicKey, view), ip: "8.8.8.8"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, body.GetProperty("accepted").GetInt32());
        Assert.Equal(0, body.GetProperty("dropped").GetInt32());
        var stored = Assert.Single(await fixture.StreamEventsAsync(site.SiteId));
        Assert.Equal(view["id"]!.GetValue<string>(), stored.GetProperty("event_id").GetString());
        Assert.Equal("/pricing", stored.GetProperty("path").GetString());
        Assert.Equal("newsletter", stored.GetProperty("utm_source").GetString());
        Assert.Equal("launch", stored.GetProperty("utm_campaign").GetString());
        Assert.Equal("Chrome", stored.GetProperty("browser").GetString());
        Assert.Equal("Windows", stored.GetProperty("os").GetString());
        Assert.Equal("desktop", stored.GetProperty("device").GetString());
        Assert.Equal("US", stored.GetProperty("country").GetString());
        Assert.Matches("^[0-9a-f]{16}$", stored.GetProperty("visitor_id").GetString());
        var raw = await fixture.RawStreamTextAsync(site.SiteId);
        Assert.DoesNotContain("8.8.8", raw);
        Assert.DoesNotContain("secret=1", raw);
    }

    [Fact]
    public async Task Sendbeacon_text_plain_bodies_and_the_key_header_are_accepted()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();

        var plain = await client.SendAsync(Request(Batch(site.PublicKey, PageView()), contentType: "text/plain"));
        var header = await client.SendAsync(Request(Batch(null, PageView()), headers: ("X-LiveInsight-Key", site.PublicKey)));

        Assert.Equal(HttpStatusCode.Accepted, plain.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, header.StatusCode);
        Assert.Equal(2, (await fixture.StreamEventsAsync(site.SiteId)).Count);
    }

    [Fact]
    public async Task Unique_visitors_land_in_the_hour_and_day_hyperloglogs()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();
        // Every event carries one timestamp, the one the keys are named from below: on their own clock readings an hour
        // (or UTC day) that began between the sends and this read put the events in the previous hour's HyperLogLog
        // and left the one named here empty (0 visitors, no TTL), or split an address over two days' salts.
        var now = DateTimeOffset.UtcNow;
        foreach (var ip in new[] { "8.8.8.8", "1.1.1.1", "9.9.9.9" })
        {
            for (var view = 0; view < 2; view++)
            {
                Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(Request(Batch(site.PublicKey, PageView(timestamp: now.ToUnixTimeMilliseconds())), ip: ip))).StatusCode);
            }
        }

        var db = fixture.Redis.GetDatabase();
        Assert.Equal(3, await db.HyperLogLogLengthAsync(RedisKeys.DayVisitors(site.SiteId, DateOnly.FromDateTime(now.UtcDateTime))));
        Assert.Equal(3, await db.HyperLogLogLengthAsync(RedisKeys.HourVisitors(site.SiteId, now)));
        Assert.Equal(6, (await fixture.StreamEventsAsync(site.SiteId)).Count);
        Assert.Equal(3, (await fixture.StreamEventsAsync(site.SiteId)).Select(e => e.GetProperty("visitor_id").GetString()).Distinct().Count());
        Assert.Equal(3, await db.SortedSetLengthAsync(RedisKeys.RealtimeVisitors(site.SiteId)));
        Assert.Equal(6, await db.SortedSetLengthAsync(RedisKeys.RealtimeSessions(site.SiteId)));
        Assert.Equal(6, await db.HashLengthAsync(RedisKeys.RealtimePages(site.SiteId)));
        // Nothing written per site may live forever: every key carries an expiry.
        foreach (var key in new[]
        {
            RedisKeys.DayVisitors(site.SiteId, DateOnly.FromDateTime(now.UtcDateTime)), RedisKeys.HourVisitors(site.SiteId, now),
            RedisKeys.SeenEvents(site.SiteId, now), RedisKeys.RealtimeVisitors(site.SiteId),
            RedisKeys.RealtimeSessions(site.SiteId), RedisKeys.RealtimePages(site.SiteId),
        })
        {
            Assert.NotNull(await db.KeyTimeToLiveAsync(key));
        }
    }

    [Fact]
    public async Task A_retried_event_is_counted_once()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();
        var view = PageView(id: Guid.NewGuid().ToString());

        var first = await client.SendAsync(Request(Batch(site.PublicKey, view)));
        var retry = await client.SendAsync(Request(Batch(site.PublicKey, JsonNode.Parse(view.ToJsonString())!.AsObject())));

        Assert.Equal(1, (await first.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        var retried = await retry.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(0, retried.GetProperty("accepted").GetInt32());
        Assert.Equal(1, retried.GetProperty("dropped").GetInt32());
        Assert.Equal("duplicate=1", retry.Headers.GetValues("X-LiveInsight-Dropped").Single());
        Assert.Single(await fixture.StreamEventsAsync(site.SiteId));
    }

    [Fact]
    public async Task One_bad_event_is_dropped_with_its_reason_and_the_rest_of_the_batch_is_kept()
    {
        var site = await fixture.CreateAsync(excludedPaths: ["/admin/**"]);
        using var client = fixture.CreateClient();
        var unknownType = PageView();
        unknownType["event_type"] = "purchase";
        var stale = PageView(timestamp: DateTimeOffset.UtcNow.AddDays(-2).ToUnixTimeMilliseconds());

        var response = await client.SendAsync(Request(Batch(site.PublicKey,
            PageView("https://example.com/ok"),
            PageView("javascript:alert(1)"),
            PageView("https://example.com/admin/users/7"),
            unknownType,
            stale,
            PageView("https://example.com/also-ok"))));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(2, body.GetProperty("accepted").GetInt32());
        Assert.Equal(4, body.GetProperty("dropped").GetInt32());
        var reasons = response.Headers.GetValues("X-LiveInsight-Dropped").Single().Split(", ").Order();
        Assert.Equal(["excluded_path=1", "invalid_url=1", "stale_timestamp=1", "unknown_event_type=1"], reasons);
        Assert.Equal(["/also-ok", "/ok"], (await fixture.StreamEventsAsync(site.SiteId)).Select(e => e.GetProperty("path").GetString()).Order());
    }

    public static TheoryData<string, string, string?, string> RequestLevelDrops => new()
    {
        { "bot", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)", null, "8.8.8.8" },
        { "bot", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36", null, "8.8.8.8" },
        { "dnt", ChromeOnWindows, "DNT", "8.8.8.8" },
        { "dnt", ChromeOnWindows, "Sec-GPC", "8.8.8.8" },
        { "excluded_ip", ChromeOnWindows, null, "203.0.113.77" },
    };

    [Theory]
    [MemberData(nameof(RequestLevelDrops))]
    public async Task Request_level_drops_say_why(string reason, string userAgent, string? optOutHeader, string ip)
    {
        var site = await fixture.CreateAsync(excludedIpRanges: ["203.0.113.0/24"]);
        using var client = fixture.CreateClient();
        var headers = optOutHeader is null ? [] : new[] { (optOutHeader, "1") };

        var response = await client.SendAsync(Request(Batch(site.PublicKey, PageView(), PageView()), ip: ip, userAgent: userAgent, headers: headers));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal($"{reason}=2", response.Headers.GetValues("X-LiveInsight-Dropped").Single());
        Assert.Empty(await fixture.StreamEventsAsync(site.SiteId));
    }

    [Fact]
    public async Task A_site_that_does_not_honour_dnt_counts_those_visitors()
    {
        var site = await fixture.CreateAsync(honorDnt: false);
        using var client = fixture.CreateClient();

        var response = await client.SendAsync(Request(Batch(site.PublicKey, PageView()), headers: ("DNT", "1")));

        Assert.Equal(1, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task Html_unicode_and_control_characters_are_kept_as_capped_data()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();
        var view = PageView("https://example.com/caf%C3%A9");
        view["title"] = "<script>alert('x')</script>\u0000\u0007 Café 東京 🎉" + new string('x', 600);
        view["props"] = new JsonObject { ["plan\u0001"] = "\"><img src=x onerror=alert(1)>", ["n"] = 42 };

        var response = await client.SendAsync(Request(Batch(site.PublicKey, view)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var stored = Assert.Single(await fixture.StreamEventsAsync(site.SiteId));
        var title = stored.GetProperty("title").GetString()!;
        Assert.StartsWith("<script>alert('x')</script> Café 東京 🎉", title);
        Assert.True(title.Length <= 500, $"title has {title.Length} chars");
        Assert.DoesNotContain('\u0000', title);
        Assert.Equal("\"><img src=x onerror=alert(1)>", stored.GetProperty("props").GetProperty("plan").GetString());
        Assert.Equal("42", stored.GetProperty("props").GetProperty("n").GetString());
    }

    public static TheoryData<string, string, int, string> BadBodies => new()
    {
        { "malformed JSON", """{"key":"pk_x","events":[{""", 400, "not valid JSON" },
        { "wrong type", """{"key":"pk_x","events":[{"event_type":"page_view","timestamp":"soon"}]}""", 400, "not valid JSON" },
        { "events not an array", """{"key":"pk_x","events":{"event_type":"page_view"}}""", 400, "not valid JSON" },
        { "empty batch", """{"key":"pk_x","events":[]}""", 400, "non-empty" },
        { "no events", """{"key":"pk_x"}""", 400, "non-empty" },
        { "null event", """{"key":"pk_x","events":[null]}""", 400, "object" },
        { "not an object", """[1,2,3]""", 400, "not valid JSON" },
        { "empty body", "", 400, "empty" },
    };

    [Theory]
    [MemberData(nameof(BadBodies))]
    public async Task Bad_bodies_get_a_problem_saying_what_was_wrong(string _, string body, int status, string detail)
    {
        using var client = fixture.CreateClient();

        var response = await client.PostAsync("/api/events", new StringContent(body, Encoding.UTF8, "application/json"));

        await AssertProblemAsync(response, status, detail);
    }

    [Fact]
    public async Task Fifty_one_events_are_refused_and_fifty_are_accepted()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();

        var tooMany = await client.SendAsync(Request(Batch(site.PublicKey, Enumerable.Range(0, 51).Select(_ => PageView()).ToArray())));
        var fifty = await client.SendAsync(Request(Batch(site.PublicKey, Enumerable.Range(0, 50).Select(_ => PageView()).ToArray())));

        await AssertProblemAsync(tooMany, 400, "at most 50");
        Assert.Equal(50, (await fifty.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
    }

    [Fact]
    public async Task A_body_over_64_kb_gets_413()
    {
        using var client = fixture.CreateClient();
        var huge = PageView();
        huge["title"] = new string('x', 70 * 1024);

        var response = await client.SendAsync(Request(Batch("pk_whatever", huge)));

        await AssertProblemAsync(response, 413, "larger than 65536 bytes");
    }

    [Fact]
    public async Task Keys_and_origins_are_checked()
    {
        var site = await fixture.CreateAsync(domains: ["shop.example.com"]);
        using var client = fixture.CreateClient();

        await AssertProblemAsync(await client.SendAsync(Request(Batch(null, PageView()))), 401, "public key");
        await AssertProblemAsync(await client.SendAsync(Request(Batch(Core.Sites.SiteKeys.NewPublicKey(), PageView()))), 401, "does not belong");
        await AssertProblemAsync(await client.SendAsync(Request(Batch(site.SecretKey, PageView()))), 401, "not one");
        await AssertProblemAsync(
            await client.SendAsync(Request(Batch(site.PublicKey, PageView()), origin: "https://evil.example.net")), 403, "origin");

        var allowed = await client.SendAsync(Request(Batch(site.PublicKey, PageView("https://www.shop.example.com/")), origin: "https://www.shop.example.com"));
        Assert.Equal(HttpStatusCode.Accepted, allowed.StatusCode);
        Assert.Equal("https://www.shop.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
    }

    [Fact]
    public async Task Cors_preflight_is_answered_for_site_origins_only()
    {
        await fixture.CreateAsync(domains: ["preflight.example.com"]);
        using var client = fixture.CreateClient();

        var allowed = await client.SendAsync(Preflight("https://preflight.example.com"));
        var refused = await client.SendAsync(Preflight("https://attacker.example"));

        Assert.Equal(HttpStatusCode.NoContent, allowed.StatusCode);
        Assert.Equal("https://preflight.example.com", allowed.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("X-LiveInsight-Key", allowed.Headers.GetValues("Access-Control-Allow-Headers").Single());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.False(refused.Headers.Contains("Access-Control-Allow-Origin"));

        static HttpRequestMessage Preflight(string origin)
        {
            var request = new HttpRequestMessage(HttpMethod.Options, "/api/events");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "content-type");
            return request;
        }
    }

    [Fact]
    public async Task Redis_down_means_503_with_retry_after_never_202_and_the_api_recovers()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(Request(Batch(site.PublicKey, PageView())))).StatusCode);

        await fixture.Infrastructure.Redis.StopAsync();
        try
        {
            var refused = await client.SendAsync(Request(Batch(site.PublicKey, PageView())));
            await AssertProblemAsync(refused, 503, "Retry with the same event ids");
            Assert.NotNull(refused.Headers.RetryAfter);
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/alive")).StatusCode);
            // Site management lives in DynamoDB: the listing still answers, only without the keys' last use.
            using var admin = fixture.CreateAdminClient();
            var listing = await admin.GetAsync("/api/sites");
            Assert.Equal(HttpStatusCode.OK, listing.StatusCode);
            Assert.Contains(site.SiteId, await listing.Content.ReadAsStringAsync());
        }
        finally
        {
            await fixture.Infrastructure.Redis.StartAsync();
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        HttpStatusCode status;
        do
        {
            status = (await client.SendAsync(Request(Batch(site.PublicKey, PageView())))).StatusCode;
            if (status != HttpStatusCode.Accepted)
            {
                await Task.Delay(250);
            }
        }
        while (status != HttpStatusCode.Accepted && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.Accepted, status);
    }

    private static async Task AssertProblemAsync(HttpResponseMessage response, int status, string detail)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }
}
