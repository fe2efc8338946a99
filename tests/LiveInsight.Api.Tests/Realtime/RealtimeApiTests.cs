using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using LiveInsight.Api.Apis;
using LiveInsight.Api.Realtime;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Stats;
using LiveInsight.Core.Events;
using StackExchange.Redis;
using static LiveInsight.Api.Tests.Ingestion.EventPosting;

namespace LiveInsight.Api.Tests.Realtime;

[Collection(nameof(ApiCollection))]
public sealed class RealtimeApiTests(ApiFixture fixture)
{
    /// <summary>Three visitors (by IP) in four sessions through the real ingestion: two on /pricing, one on /, one on /blog.</summary>
    private async Task<TestSite> PostVisitsAsync(params (string Ip, string Path)[] visits)
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();
        foreach (var (ip, path) in visits)
        {
            var response = await client.SendAsync(Request(Batch(site.PublicKey, PageView("https://example.com" + path)), ip: ip));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        return site;
    }

    [Fact]
    public async Task Users_and_pages_count_what_was_posted_in_the_last_five_minutes()
    {
        var site = await PostVisitsAsync(("8.8.8.8", "/pricing"), ("1.1.1.1", "/pricing"), ("9.9.9.9", "/"), ("9.9.9.9", "/blog"));
        // Stale members the occasional trim has not removed yet must not count.
        var db = fixture.Redis.GetDatabase();
        var stale = DateTimeOffset.UtcNow.AddMinutes(-6).ToUnixTimeMilliseconds();
        await db.SortedSetAddAsync(RedisKeys.RealtimeVisitors(site.SiteId), "gone-visitor", stale);
        await db.SortedSetAddAsync(RedisKeys.RealtimeSessions(site.SiteId), "gone-session", stale);
        await db.HashSetAsync(RedisKeys.RealtimePages(site.SiteId), "gone-session", "/pricing");
        using var client = fixture.CreateSiteClient(site);

        var users = await client.GetJsonAsync($"/api/realtime/users?site_id={site.SiteId}");
        var pages = await client.GetJsonAsync($"/api/realtime/pages?site_id={site.SiteId}");

        Assert.Equal(site.SiteId, users.GetProperty("site_id").GetString());
        Assert.Equal(3, users.GetProperty("active_users").GetInt64());
        Assert.Equal(300, users.GetProperty("window_seconds").GetInt32());
        Assert.True(DateTimeOffset.UtcNow - users.GetProperty("as_of").GetDateTimeOffset() < TimeSpan.FromSeconds(10));
        var rows = pages.GetProperty("pages").EnumerateArray().Select(p => (p.GetProperty("path").GetString(), p.GetProperty("active_users").GetInt64())).ToList();
        Assert.Equal([("/pricing", 2L), ("/", 1L), ("/blog", 1L)], rows);
    }

    [Fact]
    public async Task Pages_of_a_site_with_more_active_sessions_than_are_counted_come_from_the_most_recent_ones_only()
    {
        // One script reads the sessions while Redis serves nobody else: it reads the most recent N, not all ~100k.
        var site = await fixture.CreateAsync();
        var db = fixture.Redis.GetDatabase();
        var (counted, older) = (RealtimeService.MaxSessionsCounted, 500);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var sessions = Enumerable.Range(0, counted + older).Select(i => (Id: $"s{i}", LastSeen: now - (i * 10), Path: i < counted ? "/recent" : "/older")).ToList();
        await db.SortedSetAddAsync(RedisKeys.RealtimeSessions(site.SiteId), sessions.Select(s => new SortedSetEntry(s.Id, s.LastSeen)).ToArray());
        await db.HashSetAsync(RedisKeys.RealtimePages(site.SiteId), sessions.Select(s => new HashEntry(s.Id, s.Path)).ToArray());
        using var client = fixture.CreateSiteClient(site);

        var pages = await client.GetJsonAsync($"/api/realtime/pages?site_id={site.SiteId}");

        var rows = pages.GetProperty("pages").EnumerateArray().Select(p => (p.GetProperty("path").GetString(), p.GetProperty("active_users").GetInt64())).ToList();
        Assert.Equal([("/recent", (long)counted)], rows);
        Assert.Equal(counted, pages.GetProperty("sessions_counted").GetInt64());
        Assert.Equal(counted, pages.GetProperty("sessions_counted_at_most").GetInt32());
    }

    [Fact]
    public async Task Realtime_pages_as_html_escape_visitor_supplied_paths()
    {
        var site = await PostVisitsAsync(("8.8.8.8", "/%3Cscript%3Ealert(1)%3C/script%3E"));
        using var client = fixture.CreateSiteClient(site);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));

        var html = await (await client.GetAsync($"/api/realtime/pages?site_id={site.SiteId}")).Content.ReadAsStringAsync();

        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", html);
    }

    [Fact]
    public async Task The_stream_pushes_users_and_pages_at_once_and_then_every_two_seconds()
    {
        var site = await PostVisitsAsync(("8.8.8.8", "/pricing"));
        using var client = fixture.CreateSiteClient(site);
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        var requested = DateTime.UtcNow;

        using var response = await client.GetAsync($"/api/realtime/stream?site_id={site.SiteId}", HttpCompletionOption.ResponseHeadersRead, cancel.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancel.Token));
        var events = new List<(DateTime At, JsonElement Data)>();
        while (events.Count < 2)
        {
            var line = await reader.ReadLineAsync(cancel.Token);
            if (line is not null && line.StartsWith("data: ", StringComparison.Ordinal))
            {
                events.Add((DateTime.UtcNow, JsonDocument.Parse(line[6..]).RootElement.Clone()));
            }
        }

        Assert.Equal(1, events[0].Data.GetProperty("users").GetProperty("active_users").GetInt64());
        Assert.Equal("/pricing", events[0].Data.GetProperty("pages").GetProperty("pages")[0].GetProperty("path").GetString());
        // Timed from the request, not between the two reads: a reader that got the CPU late found both events buffered
        // and read them within a millisecond (gap 0), and a loaded server can push the second one past 4 s. The second
        // push cannot come before an interval after the stream began, which is after the request was sent.
        Assert.InRange(events[1].At - requested, RealtimeApi.PushInterval - TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(12));
    }

    [Fact]
    public async Task The_stream_refuses_another_site_with_404()
    {
        var a = await fixture.CreateAsync();
        var b = await fixture.CreateAsync();
        using var client = fixture.CreateSiteClient(a);

        var response = await client.GetAsync($"/api/realtime/stream?site_id={b.SiteId}");

        await StatsApiTests.AssertProblemAsync(response, HttpStatusCode.NotFound, "no site");
    }
}
