using System.Net;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Stats;
using static LiveInsight.Api.Tests.Stats.KnownDataset;

namespace LiveInsight.Api.Tests.Stats;

[Collection(nameof(ApiCollection))]
public sealed class StatsApiTests(ApiFixture fixture)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    private static string D(int daysAgo) => RollupLayout.DayBucket(Today.AddDays(-daysAgo));

    /// <summary>Today from Redis (a stale Stats item for today must lose), two flushed days and an earlier period.</summary>
    private async Task<TestSite> SeedSummaryAsync()
    {
        var site = await fixture.CreateAsync();
        var data = new KnownDataset(fixture, site.SiteId);
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Summary, "", M(pageviews: 10, sessions: 4, bounces: 1, durationMs: 200_000));
        await data.DayVisitorsAsync(Today, "e", "f");
        await data.ItemAsync(Granularity.Day, RollupLayout.Summary, D(0), "", M(pageviews: 999, sessions: 999), ["stale"]);
        await data.ItemAsync(Granularity.Day, RollupLayout.Summary, D(1), "", M(pageviews: 20, sessions: 8, bounces: 4, durationMs: 400_000), ["b", "c", "d", "e"]);
        await data.ItemAsync(Granularity.Day, RollupLayout.Summary, D(2), "", M(pageviews: 6, sessions: 3, bounces: 3), ["a", "b", "c"]);
        await data.ItemAsync(Granularity.Day, RollupLayout.Summary, D(4), "", M(pageviews: 18, sessions: 6, bounces: 3, durationMs: 120_000), ["x", "y"]);
        return site;
    }

    [Fact]
    public async Task Daily_numbers_of_a_known_dataset_are_exact_and_today_comes_from_redis()
    {
        var site = await SeedSummaryAsync();
        using var client = fixture.CreateSiteClient(site);

        var body = await client.GetJsonAsync($"/api/stats/daily?site_id={site.SiteId}&from={D(2)}&to={D(0)}");

        Assert.Equal(site.SiteId, body.GetProperty("site_id").GetString());
        var days = body.GetProperty("days").EnumerateArray().ToList();
        Assert.Equal([D(2), D(1), D(0)], days.Select(d => d.GetProperty("date").GetString()));
        AssertDay(days[0], visitors: 3, pageviews: 6, sessions: 3, bounceRate: 1, avgDuration: 0);
        AssertDay(days[1], visitors: 4, pageviews: 20, sessions: 8, bounceRate: 0.5, avgDuration: 50);
        AssertDay(days[2], visitors: 2, pageviews: 10, sessions: 4, bounceRate: 0.25, avgDuration: 50);
    }

    [Fact]
    public async Task The_summary_unions_visitor_sketches_and_compares_with_the_previous_period()
    {
        var site = await SeedSummaryAsync();
        using var client = fixture.CreateSiteClient(site);

        var body = await client.GetJsonAsync($"/api/stats/summary?site_id={site.SiteId}&from={D(2)}&to={D(0)}");

        Assert.Equal(D(5), body.GetProperty("previous_from").GetString());
        Assert.Equal(D(3), body.GetProperty("previous_to").GetString());
        // {a,b,c} ∪ {b,c,d,e} ∪ {e,f} = 6 visitors, not the 9 a sum would give.
        AssertCompared(body, "visitors", 6, 2, 2.0);
        AssertCompared(body, "pageviews", 36, 18, 1.0);
        AssertCompared(body, "sessions", 15, 6, 1.5);
        AssertCompared(body, "bounce_rate", 0.5333, 0.5, 0.0666);
        AssertCompared(body, "avg_duration_seconds", 40, 20, 1.0);
        AssertCompared(body, "views_per_visit", 2.4, 3, -0.2);
    }

    [Fact]
    public async Task Pages_sources_and_events_add_redis_and_stored_buckets_and_visitors_are_a_union()
    {
        var site = await fixture.CreateAsync();
        var data = new KnownDataset(fixture, site.SiteId);
        await data.ItemAsync(Granularity.Day, RollupLayout.Page, D(1), "/pricing", M(pageviews: 5, entries: 2, exits: 1), ["a", "b"]);
        await data.ItemAsync(Granularity.Day, RollupLayout.Page, D(1), "/blog", M(pageviews: 9, entries: 3, exits: 4), ["c"]);
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Page, "/pricing", M(pageviews: 6, entries: 1, exits: 2));
        await data.PageVisitorsAsync(D(0), "/pricing", "b", "z");
        await data.ItemAsync(Granularity.Day, RollupLayout.Source, D(1), "Google", M(pageviews: 10, sessions: 5, bounces: 1, durationMs: 50_000));
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Source, "Google", M(pageviews: 2, sessions: 1));
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Source, "Direct", M(pageviews: 3, sessions: 3, bounces: 3));
        await data.ItemAsync(Granularity.Day, RollupLayout.Event, D(1), "Signup", M(events: 2));
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Event, "Signup", M(events: 3));
        using var client = fixture.CreateSiteClient(site);
        var range = $"site_id={site.SiteId}&from={D(1)}&to={D(0)}";

        var pages = (await client.GetJsonAsync($"/api/stats/pages?{range}")).GetProperty("pages").EnumerateArray().ToList();
        var top = (await client.GetJsonAsync($"/api/stats/pages?{range}&limit=1")).GetProperty("pages");
        var sources = (await client.GetJsonAsync($"/api/stats/sources?{range}")).GetProperty("rows").EnumerateArray().ToList();
        var events = (await client.GetJsonAsync($"/api/stats/events?{range}")).GetProperty("rows");
        var entries = (await client.GetJsonAsync($"/api/stats/entry-pages?{range}")).GetProperty("rows");

        Assert.Equal(["/pricing", "/blog"], pages.Select(p => p.GetProperty("path").GetString()));
        AssertNumbers(pages[0], ("pageviews", 11), ("visitors", 3), ("entries", 3), ("exits", 3));
        AssertNumbers(pages[1], ("pageviews", 9), ("visitors", 1), ("entries", 3), ("exits", 4));
        Assert.Equal(1, top.GetArrayLength());
        Assert.Equal(["Google", "Direct"], sources.Select(s => s.GetProperty("value").GetString()));
        AssertNumbers(sources[0], ("sessions", 6), ("pageviews", 12), ("bounce_rate", 0.1667), ("avg_duration_seconds", 8.3));
        AssertNumbers(sources[1], ("sessions", 3), ("bounce_rate", 1));
        AssertNumbers(Assert.Single(events.EnumerateArray()), ("events", 5));
        Assert.Equal(["/blog", "/pricing"], entries.EnumerateArray().Select(e => e.GetProperty("value").GetString()));
    }

    [Fact]
    public async Task A_filter_reads_its_own_dimension_row_and_combinations_the_rollups_cannot_answer_are_400()
    {
        var site = await fixture.CreateAsync();
        var data = new KnownDataset(fixture, site.SiteId);
        await data.ItemAsync(Granularity.Day, RollupLayout.Source, D(1), "Google", M(pageviews: 10, sessions: 5, bounces: 1, durationMs: 50_000), ["a", "c"]);
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Source, "Google", M(pageviews: 2, sessions: 1));
        await data.ValueVisitorsAsync(D(0), RollupLayout.Source, "Google", "c");
        await data.ItemAsync(Granularity.Day, RollupLayout.Page, D(1), "/pricing", M(pageviews: 5), ["a", "b"]);
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Page, "/pricing", M(pageviews: 6));
        await data.PageVisitorsAsync(D(0), "/pricing", "b", "z");
        using var client = fixture.CreateSiteClient(site);
        var range = $"site_id={site.SiteId}&from={D(1)}&to={D(0)}";

        var google = await client.GetJsonAsync($"/api/stats/summary?{range}&source=Google");
        var pricing = await client.GetJsonAsync($"/api/stats/summary?{range}&page=%2Fpricing");
        var pagesBySource = await client.GetAsync($"/api/stats/pages?{range}&source=Google");
        var twoFilters = await client.GetAsync($"/api/stats/summary?{range}&source=Google&country=US");

        Assert.Equal(6, google.GetProperty("sessions").GetProperty("value").GetDouble());
        Assert.Equal(12, google.GetProperty("pageviews").GetProperty("value").GetDouble());
        Assert.Equal(2, google.GetProperty("visitors").GetProperty("value").GetDouble());
        Assert.Equal(11, pricing.GetProperty("pageviews").GetProperty("value").GetDouble());
        Assert.Equal(3, pricing.GetProperty("visitors").GetProperty("value").GetDouble());
        Assert.Equal(JsonValueKind.Null, pricing.GetProperty("sessions").GetProperty("value").ValueKind);
        await AssertProblemAsync(pagesBySource, HttpStatusCode.BadRequest, "single dimension");
        await AssertProblemAsync(twoFilters, HttpStatusCode.BadRequest, "one filter");
    }

    [Fact]
    public async Task Ranges_are_days_of_the_site_time_zone_and_hours_are_labelled_in_it()
    {
        var site = await fixture.CreateAsync(timeZone: "America/New_York");
        var data = new KnownDataset(fixture, site.SiteId);
        await data.ItemAsync(Granularity.Day, RollupLayout.Summary, "2026-01-14", "", M(pageviews: 3, sessions: 1), ["a"]);
        await data.ItemAsync(Granularity.Day, RollupLayout.Summary, "2026-01-15", "", M(pageviews: 5, sessions: 2), ["a", "b"]);
        // 04:00 UTC on the 16th is 23:00 on the 15th in New York; 05:00 UTC is already the 16th there.
        await data.ItemAsync(Granularity.Hour, RollupLayout.Summary, "2026011604", "", M(pageviews: 2, sessions: 1), ["q"]);
        await data.ItemAsync(Granularity.Hour, RollupLayout.Summary, "2026011605", "", M(pageviews: 7, sessions: 1), ["r"]);
        using var client = fixture.CreateSiteClient(site);

        var daily = await client.GetJsonAsync($"/api/stats/daily?site_id={site.SiteId}&from=2026-01-14&to=2026-01-15");
        var hourly = await client.GetJsonAsync($"/api/stats/timeseries?site_id={site.SiteId}&from=2026-01-15&to=2026-01-15&interval=hour");
        var summary = await client.GetJsonAsync($"/api/stats/summary?site_id={site.SiteId}&from=2026-01-14&to=2026-01-15");
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var todayBefore = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, newYork).DateTime);
        var today = await client.GetJsonAsync($"/api/stats/summary?site_id={site.SiteId}&range=today");
        var todayAfter = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, newYork).DateTime);

        Assert.Equal([3L, 5L], daily.GetProperty("days").EnumerateArray().Select(d => d.GetProperty("pageviews").GetInt64()));
        Assert.Equal(2, summary.GetProperty("visitors").GetProperty("value").GetDouble());
        var points = hourly.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(24, points.Count);
        Assert.Equal("2026-01-15T00:00-05:00", points[0].GetProperty("time").GetString());
        Assert.Equal("2026-01-15T23:00-05:00", points[23].GetProperty("time").GetString());
        AssertNumbers(points[23], ("pageviews", 2), ("visitors", 1), ("sessions", 1));
        Assert.Equal(2, points.Sum(p => p.GetProperty("pageviews").GetInt64()));
        // New York's day as read around the request: a midnight there between the Api's clock reading and one taken
        // afterwards made a single reading name the next day.
        Assert.Contains(today.GetProperty("from").GetString(), new[] { RollupLayout.DayBucket(todayBefore), RollupLayout.DayBucket(todayAfter) });
    }

    [Fact]
    public async Task A_corrupt_stored_sketch_is_skipped_not_merged()
    {
        var site = await fixture.CreateAsync();
        var data = new KnownDataset(fixture, site.SiteId);
        await data.ItemAsync(Granularity.Day, RollupLayout.Summary, D(2), "", M(pageviews: 1), ["a", "b"], corruptSketch: true);
        await data.ItemAsync(Granularity.Day, RollupLayout.Summary, D(1), "", M(pageviews: 1), ["c"]);
        using var client = fixture.CreateSiteClient(site);

        var body = await client.GetJsonAsync($"/api/stats/summary?site_id={site.SiteId}&from={D(2)}&to={D(1)}");

        Assert.Equal(1, body.GetProperty("visitors").GetProperty("value").GetDouble());
        Assert.Equal(2, body.GetProperty("pageviews").GetProperty("value").GetDouble());
    }

    [Theory]
    [InlineData("range=year", "range 'year'")]
    [InlineData("from=2026-01-02&to=2026-01-01", "from must not be after to")]
    [InlineData("from=2026-01-01", "from and to")]
    [InlineData("from=2024-01-01&to=2026-01-01", "at most 366 days")]
    [InlineData("from=2026-01-01&to=2026-02-15&interval=hour", "hourly")]
    [InlineData("limit=0", "limit")]
    public async Task Bad_queries_answer_400_saying_what_is_wrong(string query, string detail)
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateSiteClient(site);

        await AssertProblemAsync(await client.GetAsync($"/api/stats/timeseries?site_id={site.SiteId}&{query}"), HttpStatusCode.BadRequest, detail);
    }

    internal static async Task AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    private static void AssertDay(JsonElement day, long visitors, long pageviews, long sessions, double bounceRate, double avgDuration) =>
        AssertNumbers(day, ("visitors", visitors), ("pageviews", pageviews), ("sessions", sessions),
            ("bounce_rate", bounceRate), ("avg_duration_seconds", avgDuration));

    private static void AssertNumbers(JsonElement row, params (string Name, double Expected)[] fields)
    {
        foreach (var (name, expected) in fields)
        {
            Assert.True(Math.Abs(expected - row.GetProperty(name).GetDouble()) < 1e-9, $"{name}: expected {expected}, got {row.GetProperty(name)}");
        }
    }

    private static void AssertCompared(JsonElement summary, string metric, double value, double previous, double change) =>
        AssertNumbers(summary.GetProperty(metric), ("value", value), ("previous", previous), ("change", change));
}
