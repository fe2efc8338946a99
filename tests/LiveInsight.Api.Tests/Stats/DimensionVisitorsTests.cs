using System.Net.Http.Headers;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Stats;
using static LiveInsight.Api.Tests.Stats.KnownDataset;

namespace LiveInsight.Api.Tests.Stats;

/// <summary>Issue 16: unique visitors and views per visit per dimension row, ranked by visitors then sessions; a
/// dimension filter answers visitors too. Yesterday is flushed (Stats items with sketches), today is in Redis.</summary>
[Collection(nameof(ApiCollection))]
public sealed class DimensionVisitorsTests(ApiFixture fixture)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    private static string D(int daysAgo) => RollupLayout.DayBucket(Today.AddDays(-daysAgo));

    /// <summary>
    /// Google: {a,b} yesterday (5 sessions, 10 views) and {b,z} today (1 session, 2 views) → 3 visitors, 6 sessions.
    /// Bing: {p,q,r,s} yesterday, 4 sessions → 4 visitors. Yahoo: {x,y,w} today, 3 sessions → 3 visitors.
    /// Direct: {c} today, 3 sessions. Signup: {a} yesterday (2 events), {a,b} today (3 events) → 2 visitors.
    /// </summary>
    private async Task<TestSite> SeedAsync()
    {
        var site = await fixture.CreateAsync();
        var data = new KnownDataset(fixture, site.SiteId);
        await data.ItemAsync(Granularity.Day, RollupLayout.Source, D(1), "Google", M(pageviews: 10, sessions: 5, bounces: 1, durationMs: 50_000), ["a", "b"]);
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Source, "Google", M(pageviews: 2, sessions: 1));
        await data.ValueVisitorsAsync(D(0), RollupLayout.Source, "Google", "b", "z");
        await data.ItemAsync(Granularity.Day, RollupLayout.Source, D(1), "Bing", M(pageviews: 5, sessions: 4, bounces: 4), ["p", "q", "r", "s"]);
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Source, "Yahoo", M(pageviews: 3, sessions: 3));
        await data.ValueVisitorsAsync(D(0), RollupLayout.Source, "Yahoo", "x", "y", "w");
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Source, "Direct", M(pageviews: 7, sessions: 3, bounces: 3));
        await data.ValueVisitorsAsync(D(0), RollupLayout.Source, "Direct", "c");
        await data.ItemAsync(Granularity.Day, RollupLayout.Event, D(1), "Signup", M(events: 2), ["a"]);
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Event, "Signup", M(events: 3));
        await data.ValueVisitorsAsync(D(0), RollupLayout.Event, "Signup", "a", "b");
        // A summary row for today, so today's hash is there even for dimensions without a row of their own.
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Summary, "", M(pageviews: 12, sessions: 7));
        return site;
    }

    [Fact]
    public async Task Source_rows_have_visitors_as_a_union_and_views_per_visit_and_rank_by_visitors_then_sessions()
    {
        var site = await SeedAsync();
        using var client = fixture.CreateSiteClient(site);
        var range = $"site_id={site.SiteId}&from={D(1)}&to={D(0)}";

        var body = await client.GetJsonAsync($"/api/stats/sources?{range}");
        var rows = body.GetProperty("rows").EnumerateArray().ToList();
        var yesterday = (await client.GetJsonAsync($"/api/stats/sources?site_id={site.SiteId}&from={D(1)}&to={D(1)}")).GetProperty("rows");
        var top = (await client.GetJsonAsync($"/api/stats/sources?{range}&limit=1")).GetProperty("rows");

        Assert.Equal(["sessions", "pageviews", "bounce_rate", "avg_duration_seconds", "visitors", "views_per_visit"],
            body.GetProperty("metrics").EnumerateArray().Select(m => m.GetString()));
        // Bing (4 visitors) before Google (3 visitors, 6 sessions) before Yahoo (3 visitors, 3 sessions) before Direct.
        Assert.Equal(["Bing", "Google", "Yahoo", "Direct"], rows.Select(r => r.GetProperty("value").GetString()));
        AssertNumbers(rows[1], ("visitors", 3), ("sessions", 6), ("pageviews", 12), ("views_per_visit", 2), ("bounce_rate", 0.1667));
        AssertNumbers(rows[0], ("visitors", 4), ("views_per_visit", 1.25));
        AssertNumbers(rows[3], ("visitors", 1), ("views_per_visit", 2.33));
        Assert.Equal("Bing", Assert.Single(top.EnumerateArray()).GetProperty("value").GetString());
        AssertNumbers(yesterday.EnumerateArray().Single(r => r.GetProperty("value").GetString() == "Google"), ("visitors", 2));
    }

    [Fact]
    public async Task Events_rows_have_their_unique_visitors_and_stay_ranked_by_count()
    {
        var site = await SeedAsync();
        var data = new KnownDataset(fixture, site.SiteId);
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Event, "Download", M(events: 9));
        await data.ValueVisitorsAsync(D(0), RollupLayout.Event, "Download", "d");
        using var client = fixture.CreateSiteClient(site);

        var rows = (await client.GetJsonAsync($"/api/stats/events?site_id={site.SiteId}&from={D(1)}&to={D(0)}")).GetProperty("rows").EnumerateArray().ToList();

        Assert.Equal(["Download", "Signup"], rows.Select(r => r.GetProperty("value").GetString()));
        AssertNumbers(rows[0], ("events", 9), ("visitors", 1));
        AssertNumbers(rows[1], ("events", 5), ("visitors", 2));
    }

    [Fact]
    public async Task A_value_with_few_sessions_but_the_most_visitors_is_found_beyond_the_first_values_counted()
    {
        // 60 sources: source i has 100 - i sessions and a single visitor, except s55 (45 sessions, 45 visitors).
        var site = await fixture.CreateAsync();
        var data = new KnownDataset(fixture, site.SiteId);
        for (var i = 0; i < 60; i++)
        {
            var value = $"s{i:D2}";
            await data.HashAsync(Granularity.Day, D(0), RollupLayout.Source, value, M(pageviews: 100 - i, sessions: 100 - i));
            var visitors = i == 55 ? Enumerable.Range(0, 45).Select(v => $"v{v}").ToArray() : [$"only{i}"];
            await data.ValueVisitorsAsync(D(0), RollupLayout.Source, value, visitors);
        }

        using var client = fixture.CreateSiteClient(site);

        // The seeded day by name, not range=today: Today is taken once for the class, and a UTC midnight since then (or
        // between the seeding and this read) had the Api answer for a day without these sources.
        var rows = (await client.GetJsonAsync($"/api/stats/sources?site_id={site.SiteId}&from={D(0)}&to={D(0)}&limit=2")).GetProperty("rows").EnumerateArray().ToList();

        Assert.Equal(["s55", "s00"], rows.Select(r => r.GetProperty("value").GetString()));
        AssertNumbers(rows[0], ("visitors", 45), ("sessions", 45));
    }

    [Fact]
    public async Task A_source_filter_answers_visitors_as_a_union_from_redis_and_the_stats_table()
    {
        var site = await SeedAsync();
        using var client = fixture.CreateSiteClient(site);
        var range = $"site_id={site.SiteId}&from={D(1)}&to={D(0)}";

        var google = await client.GetJsonAsync($"/api/stats/summary?{range}&source=Google");
        var daily = (await client.GetJsonAsync($"/api/stats/daily?{range}&source=Google")).GetProperty("days").EnumerateArray().ToList();
        var hourly = (await client.GetJsonAsync($"/api/stats/timeseries?{range}&source=Google&interval=hour")).GetProperty("points");

        AssertNumbers(google.GetProperty("visitors"), ("value", 3));
        AssertNumbers(google.GetProperty("sessions"), ("value", 6));
        AssertNumbers(google.GetProperty("views_per_visit"), ("value", 2));
        Assert.Equal([2L, 2L], daily.Select(d => d.GetProperty("visitors").GetInt64()));
        // Rows keep day sketches only: an hourly series of a filter has no visitors (null, not 0).
        Assert.All(hourly.EnumerateArray(), p => Assert.Equal(JsonValueKind.Null, p.GetProperty("visitors").ValueKind));
    }

    [Fact]
    public async Task Csv_rows_of_a_breakdown_carry_the_new_columns_after_the_old_ones()
    {
        var site = await SeedAsync();
        using var client = fixture.CreateSiteClient(site);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        var lines = (await (await client.GetAsync($"/api/stats/sources?site_id={site.SiteId}&from={D(1)}&to={D(0)}")).Content.ReadAsStringAsync()).Split("\r\n");

        Assert.Equal("value,sessions,pageviews,bounce_rate,avg_duration_seconds,visitors,views_per_visit", lines[0]);
        Assert.Equal("Bing,4,5,1,0,4,1.25", lines[1]);
    }

    private static void AssertNumbers(JsonElement row, params (string Name, double Expected)[] fields)
    {
        foreach (var (name, expected) in fields)
        {
            Assert.True(Math.Abs(expected - row.GetProperty(name).GetDouble()) < 1e-9, $"{name}: expected {expected}, got {row.GetProperty(name)}");
        }
    }
}
