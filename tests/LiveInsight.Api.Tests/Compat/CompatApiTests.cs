using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Ingestion;
using LiveInsight.Api.Tests.Stats;
using LiveInsight.Core.Sites;
using LiveInsight.Testing;

namespace LiveInsight.Api.Tests.Compat;

/// <summary>
/// Issue 20: Plausible's Events API (<c>POST /api/event</c>) and Umami's <c>POST /api/send</c> through our own ingestion:
/// mapping, site lookup, the per-site switch, the answers the other products give, and our drops (bots, DNT).
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class CompatApiTests(ApiFixture fixture)
{
    private const string Bot = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)";

    private static HttpRequestMessage Post(
        string path, string body, string contentType = "text/plain", string userAgent = EventPosting.ChromeOnWindows,
        string? origin = null, string ip = "8.8.4.4", params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, contentType) };
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        request.Headers.Add(TestClientIpStartupFilter.Header, ip);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    private static string Dropped(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-LiveInsight-Dropped", out var values) ? values.Single() : "";

    private static async Task AssertPlausibleOkAsync(HttpResponseMessage response)
    {
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_visitor_idle_past_the_timeout_starts_a_new_derived_session_while_other_visitors_keep_theirs()
    {
        var domain = TestSites.UniqueDomain();
        var site = await fixture.CreateAsync(domains: [domain]);
        // The same Api with a 2 s idle timeout instead of 30 minutes (Redis keeps time, so the test waits for real).
        await using var shortIdle = fixture.Factory.WithWebHostBuilder(b => b.UseSetting("LiveInsight:Ingestion:DerivedSessionIdleSeconds", "2"));
        using var client = shortIdle.CreateClient();
        string View(string path) => $$"""{"n":"pageview","u":"https://{{domain}}{{path}}","d":"{{domain}}"}""";

        await AssertPlausibleOkAsync(await client.SendAsync(Post("/api/event", View("/a"), origin: $"https://{domain}")));
        await AssertPlausibleOkAsync(await client.SendAsync(Post("/api/event", View("/b"), origin: $"https://{domain}")));
        await AssertPlausibleOkAsync(await client.SendAsync(Post("/api/event", View("/x"), origin: $"https://{domain}", ip: "8.8.8.8")));
        await Task.Delay(TimeSpan.FromSeconds(3.5));
        await AssertPlausibleOkAsync(await client.SendAsync(Post("/api/event", View("/c"), origin: $"https://{domain}")));

        var events = (await fixture.StreamEventsAsync(site.SiteId)).ToDictionary(e => e.GetProperty("path").GetString()!, e => e.GetProperty("session_id").GetString()!);
        Assert.Equal(events["/a"], events["/b"]);
        Assert.NotEqual(events["/a"], events["/x"]); // another visitor (another address)
        Assert.NotEqual(events["/a"], events["/c"]); // idle past the timeout: a new session
        Assert.All(events.Values, s => Assert.StartsWith("v", s, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Plausible_short_keys_become_a_page_view_a_custom_event_and_an_engagement_in_one_derived_session()
    {
        var domain = TestSites.UniqueDomain();
        var site = await fixture.CreateAsync(domains: [domain]);
        using var client = fixture.CreateClient();
        var origin = $"https://{domain}";

        var pageview = await client.SendAsync(Post("/api/event",
            $$"""{"n":"pageview","v":36,"u":"https://{{domain}}/pricing?utm_source=news","d":"{{domain}}","r":"https://www.google.com/","w":1920}""", origin: origin));
        var custom = await client.SendAsync(Post("/api/event",
            $$"""{"n":"Signup","v":36,"u":"https://{{domain}}/pricing","d":"{{domain}}","r":null,"p":{"plan":"pro","seats":3},"$":{"amount":"12.50","currency":"EUR"},"i":false}""", origin: origin));
        var engagement = await client.SendAsync(Post("/api/event",
            $$"""{"n":"engagement","sd":72,"d":"{{domain}}","u":"https://{{domain}}/pricing","p":{},"e":4200,"v":36}""", origin: origin));

        await AssertPlausibleOkAsync(pageview);
        await AssertPlausibleOkAsync(custom);
        await AssertPlausibleOkAsync(engagement);
        Assert.Equal(origin, pageview.Headers.GetValues("Access-Control-Allow-Origin").Single());
        var events = await fixture.StreamEventsAsync(site.SiteId);
        Assert.Equal(3, events.Count);
        var view = Assert.Single(events, e => e.GetProperty("event_type").GetString() == "page_view");
        Assert.Equal("/pricing", view.GetProperty("path").GetString());
        Assert.Equal("news", view.GetProperty("utm_source").GetString());
        Assert.Equal("news", view.GetProperty("source").GetString()); // utm_source wins over the referrer, as for our tracker
        Assert.Equal("www.google.com", view.GetProperty("referrer_host").GetString());
        Assert.Equal("desktop", view.GetProperty("device").GetString());
        var signup = Assert.Single(events, e => e.GetProperty("event_type").GetString() == "custom");
        Assert.Equal("Signup", signup.GetProperty("name").GetString());
        var props = signup.GetProperty("props");
        Assert.Equal("pro", props.GetProperty("plan").GetString());
        Assert.Equal("3", props.GetProperty("seats").GetString());
        Assert.Equal("12.50", props.GetProperty("revenue_amount").GetString());
        Assert.Equal("EUR", props.GetProperty("revenue_currency").GetString());
        Assert.True(signup.GetProperty("non_interactive").GetBoolean()); // "i": false
        Assert.False(view.TryGetProperty("non_interactive", out _));
        var engaged = Assert.Single(events, e => e.GetProperty("event_type").GetString() == "engagement");
        Assert.Equal(4200, engaged.GetProperty("engaged_ms").GetInt64());
        Assert.Equal(72, engaged.GetProperty("scroll_depth").GetInt32());

        // Plausible sends no session and no id: one session per visitor (and day) is derived, each event a fresh id.
        var session = view.GetProperty("session_id").GetString();
        Assert.StartsWith("v", session, StringComparison.Ordinal);
        Assert.All(events, e => Assert.Equal(session, e.GetProperty("session_id").GetString()));
        Assert.Equal(3, events.Select(e => e.GetProperty("event_id").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Plausible_long_keys_and_a_comma_list_of_domains_reach_every_named_site_once()
    {
        var (first, second) = (TestSites.UniqueDomain(), TestSites.UniqueDomain());
        var a = await fixture.CreateAsync(domains: [first]);
        var b = await fixture.CreateAsync(domains: [second, first + ".mirror.example"]);
        using var client = fixture.CreateClient();

        var response = await client.SendAsync(Post("/api/event",
            $$"""{"name":"Download","url":"https://{{first}}/file","domain":"{{first}}, www.{{second}},unknown.example,{{first.ToUpperInvariant()}}","props":{"file":"a.pdf"},"interactive":true}""",
            contentType: "application/json"));

        await AssertPlausibleOkAsync(response);
        // The page is on the first site's domain, not the second's: the pipeline drops it there as for any sender.
        Assert.Equal("unknown_domain=1, foreign_host=1", Dropped(response));
        var inA = Assert.Single(await fixture.StreamEventsAsync(a.SiteId));
        Assert.Equal("Download", inA.GetProperty("name").GetString());
        Assert.Equal("a.pdf", inA.GetProperty("props").GetProperty("file").GetString());
        Assert.Empty(await fixture.StreamEventsAsync(b.SiteId));
    }

    [Fact]
    public async Task Plausible_events_of_unknown_domains_are_dropped_with_202_and_cost_no_dynamodb_call_each()
    {
        var calls = new DynamoCallCounter();
        await using var api = fixture.WithCountedDynamo(calls);
        using var client = api.CreateClient();
        var first = await client.SendAsync(Post("/api/event", """{"n":"pageview","u":"https://nobody.example/","d":"nobody.example"}"""));
        var afterFirst = calls.Count;

        for (var i = 0; i < 20; i++)
        {
            var domain = TestSites.UniqueDomain();
            var response = await client.SendAsync(Post("/api/event", $$"""{"n":"pageview","u":"https://{{domain}}/","d":"{{domain}}"}""", ip: CountedApi.FreshNetworkAddress()));
            await AssertPlausibleOkAsync(response);
            Assert.Equal("unknown_domain=1", Dropped(response));
        }

        await AssertPlausibleOkAsync(first);
        Assert.Equal(afterFirst, calls.Count);
    }

    [Fact]
    public async Task A_site_can_turn_plausible_off_and_on_again()
    {
        var domain = TestSites.UniqueDomain();
        var site = await fixture.CreateAsync(domains: [domain]);
        using var admin = fixture.CreateAdminClient();
        using var client = fixture.CreateClient();
        var body = $$"""{"n":"pageview","u":"https://{{domain}}/","d":"{{domain}}"}""";
        Assert.True((await fixture.GetSummaryAsync(site.SiteId)).GetProperty("accept_plausible").GetBoolean());

        var off = await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new { accept_plausible = false });
        var refused = await client.SendAsync(Post("/api/event", body, origin: $"https://{domain}"));
        var on = await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new { accept_plausible = true });
        var accepted = await client.SendAsync(Post("/api/event", body));

        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        Assert.False((await off.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accept_plausible").GetBoolean());
        await StatsApiTests.AssertProblemAsync(refused, HttpStatusCode.Forbidden, "accept_plausible");
        Assert.Equal($"https://{domain}", refused.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        await AssertPlausibleOkAsync(accepted);
        Assert.Single(await fixture.StreamEventsAsync(site.SiteId));
    }

    [Fact]
    public async Task Plausible_events_obey_the_origin_rule_bots_and_do_not_track_like_our_own()
    {
        var domain = TestSites.UniqueDomain();
        var site = await fixture.CreateAsync(domains: [domain]);
        using var client = fixture.CreateClient();
        var body = $$"""{"n":"pageview","u":"https://{{domain}}/","d":"{{domain}}"}""";

        var foreign = await client.SendAsync(Post("/api/event", body, origin: "https://evil.example"));
        var nullOrigin = await client.SendAsync(Post("/api/event", body, origin: "null"));
        var bot = await client.SendAsync(Post("/api/event", body, userAgent: Bot));
        var dnt = await client.SendAsync(Post("/api/event", body, headers: ("DNT", "1")));
        var gpc = await client.SendAsync(Post("/api/event", body, headers: ("Sec-GPC", "1")));
        var foreignPage = await client.SendAsync(Post("/api/event", """{"n":"pageview","u":"https://evil.example/","d":"DOMAIN"}""".Replace("DOMAIN", domain, StringComparison.Ordinal)));
        var missing = await client.SendAsync(Post("/api/event", $$"""{"n":"pageview","d":"{{domain}}"}"""));

        await StatsApiTests.AssertProblemAsync(foreign, HttpStatusCode.Forbidden, "origin");
        await StatsApiTests.AssertProblemAsync(nullOrigin, HttpStatusCode.Forbidden, "allow_null_origin");
        await AssertPlausibleOkAsync(bot);
        Assert.Equal("bot=1", Dropped(bot));
        await AssertPlausibleOkAsync(dnt);
        Assert.Equal("dnt=1", Dropped(dnt));
        Assert.Equal("dnt=1", Dropped(gpc));
        Assert.Equal("foreign_host=1", Dropped(foreignPage));
        await StatsApiTests.AssertProblemAsync(missing, HttpStatusCode.BadRequest, "\"url\"");
        Assert.Empty(await fixture.StreamEventsAsync(site.SiteId));
    }

    [Fact]
    public async Task Every_site_has_a_stable_umami_website_id_and_old_sites_get_one_derived_from_their_id()
    {
        var site = await fixture.CreateAsync();
        var first = (await fixture.GetSummaryAsync(site.SiteId)).GetProperty("umami_website_id").GetString();
        var again = (await fixture.GetSummaryAsync(site.SiteId)).GetProperty("umami_website_id").GetString();

        Assert.True(SiteKeys.IsWellFormedUmamiWebsiteId(first), first);
        Assert.Equal(first, again);
        var derived = SiteKeys.DerivedUmamiWebsiteId("abcdefghijkm");
        Assert.True(SiteKeys.IsWellFormedUmamiWebsiteId(derived), derived);
        Assert.Equal(derived, SiteKeys.DerivedUmamiWebsiteId("abcdefghijkm"));
        Assert.NotEqual(derived, SiteKeys.DerivedUmamiWebsiteId("abcdefghijkn"));
        Assert.Equal(derived, new Site("abcdefghijkm", "Old", ["old.example"], "pk_x", "h", "UTC", true, DateTimeOffset.UnixEpoch).UmamiWebsiteId);
    }

    [Fact]
    public async Task Umami_page_views_and_events_are_counted_and_answered_with_a_cache_token()
    {
        var domain = TestSites.UniqueDomain();
        var site = await fixture.CreateAsync(domains: [domain]);
        var websiteId = (await fixture.GetSummaryAsync(site.SiteId)).GetProperty("umami_website_id").GetString()!;
        using var client = fixture.CreateClient();
        var origin = $"https://{domain}";

        var view = await client.SendAsync(Post("/api/send",
            $$"""{"type":"event","payload":{"website":"{{websiteId}}","hostname":"{{domain}}","url":"/docs?utm_campaign=launch","referrer":"https://news.ycombinator.com/","title":"Docs","screen":"390x844","language":"en-US"} }""",
            contentType: "application/json", origin: origin));
        var custom = await client.SendAsync(Post("/api/send",
            $$"""{"type":"event","payload":{"website":"{{websiteId}}","hostname":"{{domain}}","url":"https://{{domain}}/docs","name":"Signup","data":{"plan":"team","nested":{"a":1} } } }""",
            contentType: "application/json", origin: origin, headers: ("x-umami-cache", "whatever.we.sent")));
        var identify = await client.SendAsync(Post("/api/send",
            $$"""{"type":"identify","payload":{"website":"{{websiteId}}","data":{"user":"u1"} } }""", contentType: "application/json"));

        foreach (var response in new[] { view, custom, identify })
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var token = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("cache").GetString()!;
            var parts = token.Split('.');
            Assert.Equal(3, parts.Length);
            var payload = JsonDocument.Parse(Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(parts[1])).RootElement;
            Assert.Equal(websiteId, payload.GetProperty("websiteId").GetString());
        }

        Assert.Equal(origin, view.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("identify=1", Dropped(identify));
        var events = await fixture.StreamEventsAsync(site.SiteId);
        Assert.Equal(2, events.Count);
        var page = Assert.Single(events, e => e.GetProperty("event_type").GetString() == "page_view");
        Assert.Equal("/docs", page.GetProperty("path").GetString());
        Assert.Equal("Docs", page.GetProperty("title").GetString());
        Assert.Equal("launch", page.GetProperty("utm_campaign").GetString());
        Assert.Equal("mobile", page.GetProperty("device").GetString());
        var signup = Assert.Single(events, e => e.GetProperty("event_type").GetString() == "custom");
        Assert.Equal("Signup", signup.GetProperty("name").GetString());
        Assert.Equal("team", signup.GetProperty("props").GetProperty("plan").GetString());
        Assert.Equal("{\"a\":1}", signup.GetProperty("props").GetProperty("nested").GetString());
    }

    [Fact]
    public async Task Umami_refuses_unknown_websites_foreign_origins_and_long_cache_headers_and_drops_bots_and_dnt()
    {
        var domain = TestSites.UniqueDomain();
        var site = await fixture.CreateAsync(domains: [domain]);
        var websiteId = (await fixture.GetSummaryAsync(site.SiteId)).GetProperty("umami_website_id").GetString()!;
        using var client = fixture.CreateClient();
        string Body(string id) => $$"""{"type":"event","payload":{"website":"{{id}}","hostname":"{{domain}}","url":"/"} }""";

        var unknown = await client.SendAsync(Post("/api/send", Body(Guid.NewGuid().ToString()), "application/json"));
        var malformed = await client.SendAsync(Post("/api/send", Body(site.PublicKey), "application/json"));
        var foreign = await client.SendAsync(Post("/api/send", Body(websiteId), "application/json", origin: "https://evil.example"));
        var longCache = await client.SendAsync(Post("/api/send", Body(websiteId), "application/json", headers: ("x-umami-cache", new string('c', 2000))));
        var bot = await client.SendAsync(Post("/api/send", Body(websiteId), "application/json", userAgent: Bot));
        var dnt = await client.SendAsync(Post("/api/send", Body(websiteId), "application/json", headers: ("DNT", "1")));

        await StatsApiTests.AssertProblemAsync(unknown, HttpStatusCode.NotFound, "Umami website id");
        await StatsApiTests.AssertProblemAsync(malformed, HttpStatusCode.BadRequest, "payload.website");
        await StatsApiTests.AssertProblemAsync(foreign, HttpStatusCode.Forbidden, "origin");
        await StatsApiTests.AssertProblemAsync(longCache, HttpStatusCode.BadRequest, "x-umami-cache");
        Assert.Equal(HttpStatusCode.OK, bot.StatusCode);
        Assert.Equal("bot=1", Dropped(bot));
        Assert.Equal("dnt=1", Dropped(dnt));
        Assert.Empty(await fixture.StreamEventsAsync(site.SiteId));
    }

    [Theory]
    [InlineData("/api/event", "Content-Type")]
    [InlineData("/api/send", "Content-Type, x-umami-cache")]
    public async Task Preflights_admit_only_origins_of_some_site(string path, string allowedHeaders)
    {
        var domain = TestSites.UniqueDomain();
        await fixture.CreateAsync(domains: [domain]);
        using var client = fixture.CreateClient();

        using var good = new HttpRequestMessage(HttpMethod.Options, path);
        good.Headers.Add("Origin", $"https://{domain}");
        using var bad = new HttpRequestMessage(HttpMethod.Options, path);
        bad.Headers.Add("Origin", "https://evil.example");
        var admitted = await client.SendAsync(good);
        var refused = await client.SendAsync(bad);

        Assert.Equal(HttpStatusCode.NoContent, admitted.StatusCode);
        Assert.Equal(allowedHeaders, admitted.Headers.GetValues("Access-Control-Allow-Headers").Single());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
    }
}
