using System.Net;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Stats;
using static LiveInsight.Api.Tests.Stats.KnownDataset;

namespace LiveInsight.Api.Tests.Stats;

/// <summary>Time on page, scroll depth and custom event props (issue 16), from Redis hashes and from the Stats table.</summary>
[Collection(nameof(ApiCollection))]
public sealed class EngagementStatsTests(ApiFixture fixture)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    private static string D(int daysAgo) => RollupLayout.DayBucket(Today.AddDays(-daysAgo));

    private static Dictionary<string, long> E(long pageviews, long engagedMs, long engagedViews, long scrollSum, long scrollViews) =>
        new Dictionary<string, long>
        {
            [RollupLayout.Pageviews] = pageviews, [RollupLayout.EngagedMs] = engagedMs, [RollupLayout.EngagedViews] = engagedViews,
            [RollupLayout.ScrollSum] = scrollSum, [RollupLayout.ScrollViews] = scrollViews,
        }.Where(m => m.Value != 0).ToDictionary();

    /// <summary>Today in Redis, yesterday and the day before flushed (Stats items), so both read paths add up.</summary>
    private async Task<TestSite> SeedAsync()
    {
        var site = await fixture.CreateAsync();
        var data = new KnownDataset(fixture, site.SiteId);
        // /a: today 2 reporting views (24 s, 80 % + 30 %) of 3; yesterday 1 (6 s, 50 %) of 2 → 30 s / 3 = 10 s, 160 / 3 = 53.3 %.
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Page, "/a", E(3, 24_000, 2, 110, 2));
        await data.ItemAsync(Granularity.Day, RollupLayout.Page, D(1), "/a", E(2, 6_000, 1, 50, 1), ["x"]);
        // /b: views but no engagement reported → null, not 0.
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Page, "/b", E(1, 0, 0, 0, 0));
        // /c: only flushed: 9 s over 2 views, 100 % reported by one of them.
        await data.ItemAsync(Granularity.Day, RollupLayout.Page, D(1), "/c", E(2, 9_000, 2, 100, 1), ["y"]);
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Summary, "", E(4, 24_000, 2, 110, 2));
        await data.ItemAsync(Granularity.Day, RollupLayout.Summary, D(1), "", E(4, 15_000, 3, 150, 2), ["x", "y"]);
        // The period before [D(1), D(0)]: 4 s over 2 views, 50 % over 2.
        await data.ItemAsync(Granularity.Day, RollupLayout.Summary, D(2), "", E(3, 4_000, 2, 100, 2), ["z"]);
        return site;
    }

    [Fact]
    public async Task Pages_answer_time_on_page_and_scroll_depth_per_page_from_redis_and_the_stats_table()
    {
        var site = await SeedAsync();
        using var client = fixture.CreateSiteClient(site);
        var range = $"site_id={site.SiteId}&from={D(1)}&to={D(0)}";

        var pages = (await client.GetJsonAsync($"/api/stats/pages?{range}")).GetProperty("pages").EnumerateArray()
            .ToDictionary(p => p.GetProperty("path").GetString()!);

        Assert.Equal((5, 10.0, 53.3), Row(pages["/a"]));
        Assert.Equal(JsonValueKind.Null, pages["/b"].GetProperty("time_on_page_seconds").ValueKind);
        Assert.Equal(JsonValueKind.Null, pages["/b"].GetProperty("scroll_depth").ValueKind);
        Assert.Equal((2, 4.5, 100.0), Row(pages["/c"]));

        var csv = (await (await client.GetAsync($"/api/stats/pages?{range}&format=csv")).Content.ReadAsStringAsync()).Split("\r\n");
        Assert.Equal("path,pageviews,visitors,entries,exits,time_on_page_seconds,scroll_depth", csv[0]);
        Assert.Contains("/a,5,1,0,0,10,53.3", csv);
        Assert.Contains("/b,1,0,0,0,,", csv);
    }

    [Fact]
    public async Task The_summary_answers_site_wide_time_on_page_and_scroll_depth_against_the_previous_period()
    {
        var site = await SeedAsync();
        using var client = fixture.CreateSiteClient(site);

        var body = await client.GetJsonAsync($"/api/stats/summary?site_id={site.SiteId}&from={D(1)}&to={D(0)}");

        // Now: 39 s over 5 views = 7.8 s, (110 + 150) / 4 = 65 %; before: 2 s, 50 %.
        Assert.Equal((7.8, 2.0, 2.9), Compared(body, "time_on_page_seconds"));
        Assert.Equal((65.0, 50.0, 0.3), Compared(body, "scroll_depth"));

        // A page filter answers that page's own figures; a source row has no engagement: null, not 0.
        var filtered = await client.GetJsonAsync($"/api/stats/summary?site_id={site.SiteId}&from={D(1)}&to={D(0)}&page=/a");
        Assert.Equal(10.0, filtered.GetProperty("time_on_page_seconds").GetProperty("value").GetDouble());
        var bySource = await client.GetJsonAsync($"/api/stats/summary?site_id={site.SiteId}&from={D(1)}&to={D(0)}&source=Google");
        Assert.Equal(JsonValueKind.Null, bySource.GetProperty("scroll_depth").GetProperty("value").ValueKind);

        var csv = await (await client.GetAsync($"/api/stats/summary?site_id={site.SiteId}&from={D(1)}&to={D(0)}&format=csv")).Content.ReadAsStringAsync();
        Assert.Contains("time_on_page_seconds,7.8,2,2.9", csv.Split("\r\n"));
    }

    [Fact]
    public async Task Event_props_answer_each_key_with_its_top_values_for_one_event()
    {
        var site = await fixture.CreateAsync();
        var data = new KnownDataset(fixture, site.SiteId);
        async Task Prop(int daysAgo, string name, string key, string value, long events)
        {
            var metrics = new Dictionary<string, long> { [RollupLayout.Events] = events };
            if (daysAgo == 0)
            {
                await data.HashAsync(Granularity.Day, D(0), RollupLayout.Prop, RollupLayout.PropValue(name, key, value), metrics);
            }
            else
            {
                await data.ItemAsync(Granularity.Day, RollupLayout.Prop, D(daysAgo), RollupLayout.PropValue(name, key, value), metrics);
            }
        }

        await Prop(0, "Signup", "plan", "pro", 3);
        await Prop(1, "Signup", "plan", "pro", 2);
        await Prop(0, "Signup", "plan", "free", 4);
        await Prop(1, "Signup", "plan", "team", 1);
        await Prop(0, "Signup", "ref", "<script>alert(1)</script>", 2);
        await Prop(0, "Download", "plan", "pro", 50);
        await Prop(5, "Signup", "plan", "old", 9); // outside the range
        await data.HashAsync(Granularity.Day, D(0), RollupLayout.Prop, RollupLayout.Other, new() { [RollupLayout.Events] = 7 });
        using var client = fixture.CreateSiteClient(site);
        var range = $"site_id={site.SiteId}&from={D(1)}&to={D(0)}";

        var body = await client.GetJsonAsync($"/api/stats/event-props?{range}&name=Signup");
        Assert.Equal("Signup", body.GetProperty("name").GetString());
        var keys = body.GetProperty("props").EnumerateArray().ToList();
        Assert.Equal(["plan", "ref"], keys.Select(k => k.GetProperty("key").GetString()));
        Assert.Equal(10, keys[0].GetProperty("events").GetInt64());
        Assert.Equal([("pro", 5L), ("free", 4L), ("team", 1L)], Values(keys[0]));
        Assert.Equal([("<script>alert(1)</script>", 2L)], Values(keys[1]));

        var top = await client.GetJsonAsync($"/api/stats/event-props?{range}&name=Signup&limit=1");
        Assert.Equal([("pro", 5L)], Values(top.GetProperty("props")[0]));
        Assert.Empty((await client.GetJsonAsync($"/api/stats/event-props?{range}&name=Nothing")).GetProperty("props").EnumerateArray());

        var csv = (await (await client.GetAsync($"/api/stats/event-props?{range}&name=Signup&format=csv")).Content.ReadAsStringAsync()).Split("\r\n");
        Assert.Equal("key,value,events", csv[0]);
        Assert.Contains("plan,pro,5", csv);
        Assert.Contains("ref,<script>alert(1)</script>,2", csv);
    }

    [Theory]
    [InlineData("", "name")]
    [InlineData("&name=%20", "name")]
    [InlineData("&name=Signup&page=/a", "cannot be filtered")]
    public async Task Event_props_without_a_usable_name_or_with_a_filter_answer_400(string query, string detail)
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateSiteClient(site);

        await StatsApiTests.AssertProblemAsync(
            await client.GetAsync($"/api/stats/event-props?site_id={site.SiteId}{query}"), HttpStatusCode.BadRequest, detail);
        await StatsApiTests.AssertProblemAsync(
            await client.GetAsync($"/api/stats/event-props?site_id={site.SiteId}&name={new string('n', 101)}"), HttpStatusCode.BadRequest, "100");
    }

    private static (long, double, double) Row(JsonElement page) =>
        (page.GetProperty("pageviews").GetInt64(), page.GetProperty("time_on_page_seconds").GetDouble(), page.GetProperty("scroll_depth").GetDouble());

    private static (double, double, double) Compared(JsonElement summary, string metric) =>
        (summary.GetProperty(metric).GetProperty("value").GetDouble(), summary.GetProperty(metric).GetProperty("previous").GetDouble(),
            summary.GetProperty(metric).GetProperty("change").GetDouble());

    private static List<(string, long)> Values(JsonElement key) =>
        key.GetProperty("values").EnumerateArray().Select(v => (v.GetProperty("value").GetString()!, v.GetProperty("events").GetInt64())).ToList();
}
