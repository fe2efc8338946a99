using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Stats;
using Microsoft.AspNetCore.Hosting;

namespace LiveInsight.Api.Tests.Query;

/// <summary>
/// Funnel answers on a known lake (site in UTC, 2026-11-10), steps "/" → "/pricing" → Signup:
/// <code>
/// V1 S1  10:00 /   10:01 /pricing   10:03 Signup{plan: pro}                 Google, Desktop, DE   (all three, 60 s and 120 s)
/// V2 S2  11:00 /pricing   11:01 /   11:02 Signup{plan: free}                 direct, Mobile, US    (/pricing before /: step 1 only)
/// V3 S3  12:00 /   12:05 /   12:10 /pricing   12:11 /pricing; S3b 12:40 Signup  Twitter, Desktop, DE (first "/" counts: 600 s;
///        Signup in another session: session window step 2, 1h window step 3 after 1,800 s)
/// V4 S4  13:00 /   13:30 /pricing;   S4b 14:30 Signup                        Google, Mobile, FR    (Signup 90 min after "/": not in 1h, in 24h)
/// V5 S5  15:00 Signup                                                         direct, Desktop, DE   (no step 1)
/// V6 S6  16:00 /   16:00:30 /pricing                                          Google, Desktop, DE   (30 s)
/// </code>
/// V1's /pricing is also in a part file (read once). Session window: 5, 4 (median of 30, 60, 600, 1800 s = 330), 1 (120).
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class FunnelQueryTests(ApiFixture fixture)
{
    private const string Day = "\"date_range\":[\"2026-11-10\",\"2026-11-10\"]";
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static (TestSite Site, Dictionary<string, string> Funnels)? shared;

    public static TheoryData<string, string, string, string[]> Cases => new()
    {
        // visitors, conversion from step 1, from the previous step, drop-off, drop-off %, median seconds.
        { "session window", "session", Day, ["5 100 100 0 0 null", "4 80 80 1 20 330", "1 20 25 3 75 120"] },
        { "1h window, by visitor", "1h", Day, ["5 100 100 0 0 null", "4 80 80 1 20 330", "2 40 50 2 50 960"] },
        { "24h window", "24h", Day, ["5 100 100 0 0 null", "4 80 80 1 20 330", "3 60 75 1 25 1800"] },
        { "visit filter", "session", $"{Day},\"filters\":[[\"is\",\"visit:device\",[\"Desktop\"]]]", ["3 100 100 0 0 null", "3 100 100 0 0 60", "1 33.3 33.3 2 66.7 120"] },
        { "visit filter, 1h", "1h", $"{Day},\"filters\":[[\"is\",\"visit:device\",[\"Desktop\"]]]", ["3 100 100 0 0 null", "3 100 100 0 0 60", "2 66.7 66.7 1 33.3 960"] },
        // An event filter keeps only the events it passes: without /pricing page views nobody reaches step 2.
        { "event filter", "session", $"{Day},\"filters\":[[\"is_not\",\"event:page\",[\"/pricing\"]]]", ["5 100 100 0 0 null", "0 0 0 5 100 null", "0 0 0 0 0 null"] },
        { "prop step", "pro", Day, ["5 100 100 0 0 null", "1 20 20 4 80 120"] },
        // A trailing ** is a prefix ("/" or "/pric", then anything); "/pricin*" stays a pattern. Step 3 needs a second
        // /pricing after the first: only V3 (12:11, 60 s) has one; V1's copy of its /pricing (another file) is not one.
        { "prefix and pattern steps", "prefix", Day, ["5 100 100 0 0 null", "4 80 80 1 20 330", "1 20 25 3 75 60"] },
        // The same step twice (one predicate, one list): the second needs another /pricing after the first, V3's at 12:11.
        { "a step repeated", "repeat", Day, ["5 100 100 0 0 null", "4 80 80 1 20 330", "1 20 25 3 75 60"] },
        { "another day", "session", "\"date_range\":[\"2026-11-11\",\"2026-11-11\"]", ["0 0 0 0 0 null", "0 0 0 0 0 null", "0 0 0 0 0 null"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_window_and_filter_gives_the_exact_funnel_on_the_known_lake(string name, string funnel, string body, string[] expected)
    {
        var (site, funnels) = await DataAsync();

        var answer = await QueryAsync(site, funnels[funnel], body);

        var steps = answer.GetProperty("steps").EnumerateArray().Select(s => string.Join(" ",
            new[] { "visitors", "conversion_rate", "conversion_rate_step", "dropoff", "dropoff_percentage", "median_seconds" }.Select(p => s.GetProperty(p).GetRawText()))).ToList();
        Assert.True(expected.SequenceEqual(steps), $"{name}: expected [{string.Join("; ", expected)}], got [{string.Join("; ", steps)}]");
    }

    [Fact]
    public async Task The_answer_names_the_steps_counts_all_visitors_and_echoes_the_range_and_filters()
    {
        var (site, funnels) = await DataAsync();

        var answer = await QueryAsync(site, funnels["session"], $"{Day},\"filters\":[[\"is\",\"visit:country\",[\"DE\"]]]");

        Assert.Equal(["Visit /", "Visit /pricing", "Signup"], answer.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("label").GetString()));
        Assert.Equal(4, answer.GetProperty("all_visitors").GetInt32()); // V1, V3, V5, V6
        Assert.Equal("[\"2026-11-10T00:00:00+00:00\",\"2026-11-10T23:59:59+00:00\"]", answer.GetProperty("date_range").GetRawText());
        Assert.Equal("[[\"is\",\"visit:country\",[\"DE\"]]]", answer.GetProperty("filters").GetRawText());
        Assert.Equal("session", answer.GetProperty("funnel").GetProperty("window").GetString());
    }

    [Theory]
    [InlineData("session", 2, "visit:source", new[] { "Google 3", "Twitter 1" })]
    [InlineData("session", 1, "visit:country", new[] { "DE 3", "FR 1", "US 1" })]
    [InlineData("1h", 3, "visit:device", new[] { "Desktop 2" })]
    [InlineData("24h", 3, "visit:device", new[] { "Desktop 2", "Mobile 1" })]
    public async Task A_steps_converters_break_down_by_source_country_or_device(string funnel, int step, string by, string[] expected)
    {
        var (site, funnels) = await DataAsync();

        var answer = await QueryAsync(site, funnels[funnel], $"{Day},\"breakdown\":{{\"step\":{step},\"by\":\"{by}\"}}");

        var breakdown = answer.GetProperty("breakdown");
        Assert.Equal(step, breakdown.GetProperty("step").GetInt32());
        Assert.Equal(expected, breakdown.GetProperty("results").EnumerateArray().Select(r => $"{r.GetProperty("value").GetString()} {r.GetProperty("visitors").GetInt32()}"));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_period_holding_several_whole_days_reads_every_days_file(bool stamped)
    {
        // Two days inside a week's range: each day's file is read whole (no ts bounds), and the answer counts both.
        var site = await fixture.CreateAsync();
        LakeRow Visit(string id, int day, int minute, string visitor, string path) =>
            new(id, new DateTime(2026, 11, day, 10, minute, 0), visitor, "s" + visitor, "page_view", path);
        TestLake.Write(fixture.LakeRoot, site.SiteId, TimeZoneInfo.Utc, "compact.parquet",
            [Visit("a0", 18, 0, "a", "/"), Visit("a1", 18, 1, "a", "/pricing"), Visit("b0", 18, 0, "b", "/"), Visit("c0", 19, 0, "c", "/"), Visit("c1", 19, 1, "c", "/pricing")],
            stamped);
        string id;
        using (var client = fixture.CreateSiteClient(site))
        {
            id = await CreateAsync(client, site, "{\"name\":\"Week\",\"steps\":[{\"kind\":\"page\",\"path\":\"/\"},{\"kind\":\"page\",\"path\":\"/pricing\"}]}");
        }

        var answer = await QueryAsync(site, id, "\"date_range\":[\"2026-11-16\",\"2026-11-22\"]");

        Assert.Equal([3, 2], answer.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("visitors").GetInt32()));
        Assert.Equal(3, answer.GetProperty("all_visitors").GetInt32());
    }

    [Theory]
    [InlineData("previous_period", "{\"mode\":\"previous_period\"}", "2026-11-10")]
    [InlineData("custom", "{\"mode\":\"custom\",\"date_range\":[\"2026-11-09\",\"2026-11-10\"]}", "2026-11-09")]
    public async Task A_comparison_gives_the_same_funnel_over_the_other_days_beside_the_answer(string mode, string comparisons, string from)
    {
        var (site, funnels) = await DataAsync();

        // The day after the data, compared with the days that hold it: the answer is empty, its comparison is not.
        var answer = await QueryAsync(site, funnels["session"],
            $"\"date_range\":[\"2026-11-11\",\"2026-11-11\"],\"include\":{{\"comparisons\":{comparisons}}},\"breakdown\":{{\"step\":2,\"by\":\"visit:source\"}}");

        Assert.Equal([0, 0, 0], answer.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("visitors").GetInt32()));
        var comparison = answer.GetProperty("comparison");
        Assert.Equal(mode, comparison.GetProperty("mode").GetString());
        Assert.Equal($"[\"{from}T00:00:00+00:00\",\"2026-11-10T23:59:59+00:00\"]", comparison.GetProperty("date_range").GetRawText());
        Assert.Equal(6, comparison.GetProperty("all_visitors").GetInt32());
        Assert.Equal(["5 100 100 0 0 null", "4 80 80 1 20 330", "1 20 25 3 75 120"], comparison.GetProperty("steps").EnumerateArray().Select(s => string.Join(" ",
            new[] { "visitors", "conversion_rate", "conversion_rate_step", "dropoff", "dropoff_percentage", "median_seconds" }.Select(p => s.GetProperty(p).GetRawText()))));
        Assert.False(comparison.TryGetProperty("breakdown", out _)); // the breakdown is the answer's only
        Assert.Equal(0, answer.GetProperty("breakdown").GetProperty("results").GetArrayLength());
    }

    [Theory]
    [InlineData("{\"date_range\":\"7d\",\"metrics\":[\"visitors\"]}", "Unknown key 'metrics'")]
    [InlineData("{\"date_range\":\"7d\",\"site_id\":\"x\"}", "Unknown key 'site_id'")]
    [InlineData("{}", "date_range is required")]
    [InlineData("{\"date_range\":\"forever\"}", "date_range must be one of")]
    [InlineData("{\"date_range\":\"7d\",\"filters\":[[\"is\",\"visit:planet\",[\"Mars\"]]]}", "Unknown dimension")]
    [InlineData("{\"date_range\":\"7d\",\"filters\":[[\"matches\",\"event:page\",[\"(\"]]]}", "not a valid RE2")]
    [InlineData("{\"date_range\":\"7d\",\"breakdown\":{\"step\":4,\"by\":\"visit:source\"}}", "breakdown.step must be between 1 and 3")]
    [InlineData("{\"date_range\":\"7d\",\"breakdown\":{\"step\":9,\"by\":\"visit:source\"}}", "breakdown is")]
    [InlineData("{\"date_range\":\"7d\",\"breakdown\":{\"step\":1,\"by\":\"visit:browser\"}}", "breakdown is")]
    [InlineData("{\"date_range\":\"7d\",\"breakdown\":{\"step\":\"1\",\"by\":\"visit:source\"}}", "breakdown is")]
    [InlineData("[]", "one JSON object")]
    [InlineData("{\"date_range\":\"7d\",\"include\":{\"total_rows\":true}}", "include takes comparisons only")]
    [InlineData("{\"date_range\":\"7d\",\"include\":{\"comparisons\":{\"mode\":\"last_week\"}}}", "include.comparisons is")]
    [InlineData("{\"date_range\":\"7d\",\"include\":[]}", "include must be an object")]
    public async Task A_bad_funnel_query_is_a_400_that_says_why(string body, string reason)
    {
        var (site, funnels) = await DataAsync();
        using var client = fixture.CreateSiteClient(site);

        using var response = await client.PostAsync($"/api/sites/{site.SiteId}/funnels/{funnels["session"]}/query", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_funnel_is_404_and_a_value_that_looks_like_sql_or_a_regex_stays_a_value()
    {
        var (site, _) = await DataAsync();
        using var client = fixture.CreateSiteClient(site);
        using var unknown = await client.PostAsync($"/api/sites/{site.SiteId}/funnels/f_23456789/query", new StringContent($"{{{Day}}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);

        var id = await CreateAsync(client, site, "{\"name\":\"Hostile\",\"steps\":[{\"kind\":\"page\",\"path\":\"/p(r|x)i.+ing\"},{\"kind\":\"event\",\"event_name\":\"x' OR '1'='1\"}]}");
        var answer = await QueryAsync(site, id, $"{Day},\"filters\":[[\"is\",\"visit:source\",[\"') OR 1=1 --\"]]]");
        Assert.Equal([0, 0], answer.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("visitors").GetInt32()));
    }

    [Fact]
    public async Task Funnel_queries_count_against_the_sites_uncached_queries_a_minute_and_with_the_lake_off_say_so()
    {
        var site = await fixture.CreateAsync();
        string id;
        using (var admin = fixture.CreateSiteClient(site))
        {
            id = await CreateAsync(admin, site, "{\"name\":\"Limited\",\"steps\":[{\"kind\":\"page\",\"path\":\"/\"},{\"kind\":\"page\",\"path\":\"/b\"}]}");
        }

        await using var limited = fixture.Factory.WithWebHostBuilder(web => web.UseSetting("LiveInsight:Read:UncachedStatsQueriesPerSitePerMinute", "2"));
        using var client = limited.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", site.SecretKey);
        await CountedApi.WaitForFreshMinuteAsync();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 4; i++)
        {
            using var response = await client.PostAsync($"/api/sites/{site.SiteId}/funnels/{id}/query", new StringContent($"{{{Day}}}", Encoding.UTF8, "application/json"));
            statuses.Add(response.StatusCode);
        }

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], statuses);

        await using var lakeOff = fixture.Factory.WithWebHostBuilder(web => web.UseSetting("Lake:Enabled", "false"));
        using var off = lakeOff.CreateClient();
        off.DefaultRequestHeaders.Authorization = new("Bearer", site.SecretKey);
        using var unavailable = await off.PostAsync($"/api/sites/{site.SiteId}/funnels/{id}/query", new StringContent($"{{{Day}}}", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, unavailable.StatusCode);
        Assert.Contains("Lake:Enabled=false", await unavailable.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    private async Task<JsonElement> QueryAsync(TestSite site, string funnelId, string body)
    {
        using var client = fixture.CreateSiteClient(site);
        using var response = await client.PostAsync($"/api/sites/{site.SiteId}/funnels/{funnelId}/query", new StringContent($"{{{body}}}", Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<string> CreateAsync(HttpClient client, TestSite site, string body)
    {
        using var response = await client.PostAsync($"/api/sites/{site.SiteId}/funnels", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    private async Task<(TestSite, Dictionary<string, string>)> DataAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return shared ??= await CreateDataAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    private async Task<(TestSite, Dictionary<string, string>)> CreateDataAsync()
    {
        var site = await fixture.CreateAsync();
        static DateTime T(int h, int m, int s = 0) => new(2026, 11, 10, h, m, s);
        LakeRow Row(string id, DateTime at, string visitor, string session, string path, string? source, string device, string country) =>
            new(id, at, visitor, session, "page_view", path) { Source = source, Device = device, Country = country };
        LakeRow Signup(string id, DateTime at, string visitor, string session, string? source, string device, string country, string? plan = null) =>
            Row(id, at, visitor, session, "/signup", source, device, country) with
            {
                Type = "custom", Name = "Signup", Props = plan is null ? null : new Dictionary<string, string> { ["plan"] = plan },
            };
        var v1Pricing = Row("a2", T(10, 1), "V1", "S1", "/pricing", "Google", "Desktop", "DE");
        TestLake.Write(fixture.LakeRoot, site.SiteId, TimeZoneInfo.Utc, "compact.parquet",
        [
            Row("a1", T(10, 0), "V1", "S1", "/", "Google", "Desktop", "DE"), v1Pricing, Signup("a3", T(10, 3), "V1", "S1", "Google", "Desktop", "DE", "pro"),
            Row("b1", T(11, 0), "V2", "S2", "/pricing", null, "Mobile", "US"), Row("b2", T(11, 1), "V2", "S2", "/", null, "Mobile", "US"),
            Signup("b3", T(11, 2), "V2", "S2", null, "Mobile", "US", "free"),
            Row("c1", T(12, 0), "V3", "S3", "/", "Twitter", "Desktop", "DE"), Row("c2", T(12, 5), "V3", "S3", "/", "Twitter", "Desktop", "DE"),
            Row("c3", T(12, 10), "V3", "S3", "/pricing", "Twitter", "Desktop", "DE"), Row("c4", T(12, 11), "V3", "S3", "/pricing", "Twitter", "Desktop", "DE"),
            Signup("c5", T(12, 40), "V3", "S3b", "Twitter", "Desktop", "DE"),
            Row("d1", T(13, 0), "V4", "S4", "/", "Google", "Mobile", "FR"), Row("d2", T(13, 30), "V4", "S4", "/pricing", "Google", "Mobile", "FR"),
            Signup("d3", T(14, 30), "V4", "S4b", "Google", "Mobile", "FR"),
            Signup("e1", T(15, 0), "V5", "S5", null, "Desktop", "DE"),
            Row("f1", T(16, 0), "V6", "S6", "/", "Google", "Desktop", "DE"), Row("f2", T(16, 0, 30), "V6", "S6", "/pricing", "Google", "Desktop", "DE"),
        ]);
        TestLake.Write(fixture.LakeRoot, site.SiteId, TimeZoneInfo.Utc, "part-1-0-2-0.parquet", [v1Pricing]);

        using var client = fixture.CreateSiteClient(site);
        const string Steps = "[{\"kind\":\"page\",\"path\":\"/\"},{\"kind\":\"page\",\"path\":\"/pricing\"},{\"kind\":\"event\",\"event_name\":\"Signup\"}]";
        var funnels = new Dictionary<string, string>();
        foreach (var window in new[] { "session", "1h", "24h" })
        {
            funnels[window] = await CreateAsync(client, site, $"{{\"name\":\"Signup {window}\",\"window\":\"{window}\",\"steps\":{Steps}}}");
        }

        funnels["prefix"] = await CreateAsync(client, site,
            "{\"name\":\"Prefix\",\"steps\":[{\"kind\":\"page\",\"path\":\"/**\"},{\"kind\":\"page\",\"path\":\"/pric**\"},{\"kind\":\"page\",\"path\":\"/pricin*\"}]}");
        funnels["repeat"] = await CreateAsync(client, site,
            "{\"name\":\"Repeat\",\"steps\":[{\"kind\":\"page\",\"path\":\"/\"},{\"kind\":\"page\",\"path\":\"/pricing\"},{\"kind\":\"page\",\"path\":\"/pricing\",\"display_name\":\"Pricing again\"}]}");
        funnels["pro"] = await CreateAsync(client, site,
            "{\"name\":\"Pro\",\"steps\":[{\"kind\":\"page\",\"path\":\"/pri*\"},{\"kind\":\"event\",\"event_name\":\"Signup\",\"prop_key\":\"plan\",\"prop_value\":\"pro\"}]}");
        return (site, funnels);
    }
}
