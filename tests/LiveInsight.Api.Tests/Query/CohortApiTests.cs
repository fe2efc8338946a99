using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DuckDB.NET.Data;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Lake;

namespace LiveInsight.Api.Tests.Query;

/// <summary>
/// <c>POST /api/sites/{siteId}/cohorts/query</c> on a known lake (UTC site, weeks start on Monday):
/// A first seen Wed 10-28 (week 0) and back in weeks 1 and 3; B first Tue 10-27 (week 0), back in week 2;
/// C first 11-03 (week 1), back in week 2; D 11-04 only (week 1); E 11-17 only (week 3); F first seen 10-20, before the
/// range, and back in week 1 (never "new" in the range); an anonymous visitor in week 0; and a day written before the
/// lake had <c>user_hash</c> (anonymous rows only). A, C and E are in DE, the others in FR.
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class CohortApiTests(ApiFixture fixture)
{
    private const string Range = "\"date_range\":[\"2026-10-26\",\"2026-11-22\"]";

    private static string U(char c) => new(c, 32);

    private static LakeRow Row(string id, int month, int day, char user, string country, string type = "page_view") =>
        new(id, new DateTime(2026, month, day, 10, 0, 0), "v" + user, "s" + user + month + day, type)
        {
            UserHash = user == '-' ? null : U(user),
            Country = country,
            Name = type == "custom" ? "Signup" : null,
        };

    private async Task<TestSite> SeedAsync(bool identify = true)
    {
        var site = await fixture.CreateAsync(identifyEnabled: identify);
        var utc = TimeZoneInfo.Utc;
        LakeRow[] rows =
        [
            Row("f1", 10, 20, 'f', "FR"),
            Row("b1", 10, 27, 'b', "FR"),
            Row("a1", 10, 28, 'a', "DE"),
            Row("anon", 10, 28, '-', "DE"),
            Row("f2", 11, 3, 'f', "FR"),
            Row("c1", 11, 3, 'c', "DE"),
            Row("d1", 11, 4, 'd', "FR"),
            Row("a2", 11, 5, 'a', "DE"),
            Row("b2", 11, 10, 'b', "FR"),
            Row("c2", 11, 12, 'c', "DE"),
            Row("e1", 11, 17, 'e', "DE"),
            Row("a3", 11, 18, 'a', "DE", "custom"),
        ];
        TestLake.Write(fixture.LakeRoot, site.SiteId, utc, "compact.parquet", rows);
        // The same event again in a part (a crash's copy): counted once.
        TestLake.Write(fixture.LakeRoot, site.SiteId, utc, "part-1-0-2-0.parquet", [rows[2]]);
        // A day written before user_hash existed.
        TestLake.Write(fixture.LakeRoot, site.SiteId, utc, "compact.parquet", [Row("old", 10, 29, '-', "DE")]);
        var old = Path.Combine(LakeLayout.SitePartition(fixture.LakeRoot, site.SiteId, new DateOnly(2026, 10, 29)), "compact.parquet");
        using (var duck = new DuckDBConnection("DataSource=:memory:"))
        {
            duck.Open();
            using var command = duck.CreateCommand();
            command.CommandText = $"COPY (SELECT * EXCLUDE (user_hash) FROM read_parquet('{old}')) TO '{old}.old' (FORMAT parquet)";
            command.ExecuteNonQuery();
        }

        File.Move(old + ".old", old, overwrite: true);
        return site;
    }

    private async Task<HttpResponseMessage> PostAsync(TestSite site, string body)
    {
        using var client = fixture.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", site.SecretKey);
        return await client.PostAsync($"/api/sites/{site.SiteId}/cohorts/query", new StringContent(body, Encoding.UTF8, "application/json"));
    }

    private static List<string> Grid(JsonElement answer) =>
        answer.GetProperty("cohorts").EnumerateArray().Select(c =>
            $"{c.GetProperty("cohort").GetString()} {c.GetProperty("size").GetInt64()}: " +
            string.Join(",", c.GetProperty("users").EnumerateArray().Select(u => u.GetInt64())) + " / " +
            string.Join(",", c.GetProperty("percent").EnumerateArray().Select(p => p.GetDouble().ToString(System.Globalization.CultureInfo.InvariantCulture)))).ToList();

    [Fact]
    public async Task Weekly_cohorts_count_each_user_in_their_first_week_and_the_weeks_they_came_back()
    {
        var site = await SeedAsync();

        var response = await PostAsync(site, $"{{{Range},\"period\":\"week\"}}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(
            ["2026-10-26 2: 2,1,1,1 / 100,50,50,50", "2026-11-02 2: 2,1,0 / 100,50,0", "2026-11-09 0: 0,0 / 0,0", "2026-11-16 1: 1 / 100"],
            Grid(answer));
        Assert.Equal(["2026-10-26", "2026-11-02", "2026-11-09", "2026-11-16"], answer.GetProperty("periods").EnumerateArray().Select(p => p.GetString()));
        Assert.Equal(5, answer.GetProperty("meta").GetProperty("identified_users").GetInt64());
        Assert.Equal("week", answer.GetProperty("period").GetString());
    }

    [Fact]
    public async Task Monthly_cohorts_and_a_filter_on_the_visits_country()
    {
        var site = await SeedAsync();

        var monthly = await (await PostAsync(site, "{\"date_range\":[\"2026-10-01\",\"2026-11-30\"],\"period\":\"month\"}")).Content.ReadFromJsonAsync<JsonElement>();
        var germany = await (await PostAsync(site, $"{{{Range},\"period\":\"week\",\"filters\":[[\"is\",\"visit:country\",[\"DE\"]]]}}")).Content.ReadFromJsonAsync<JsonElement>();
        var signups = await (await PostAsync(site, $"{{{Range},\"period\":\"week\",\"filters\":[[\"is\",\"event:name\",[\"Signup\"]]]}}")).Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal(["2026-10-01 3: 3,3 / 100,100", "2026-11-01 3: 3 / 100"], Grid(monthly));
        Assert.Equal(["2026-10-26 1: 1,1,0,1 / 100,100,0,100", "2026-11-02 1: 1,1,0 / 100,100,0", "2026-11-09 0: 0,0 / 0,0", "2026-11-16 1: 1 / 100"], Grid(germany));
        Assert.Equal(["2026-10-26 0: 0,0,0,0 / 0,0,0,0", "2026-11-02 0: 0,0,0 / 0,0,0", "2026-11-09 0: 0,0 / 0,0", "2026-11-16 1: 1 / 100"], Grid(signups));
    }

    [Fact]
    public async Task A_goal_filter_keeps_the_identified_events_that_convert_it()
    {
        var site = await SeedAsync();
        using (var admin = fixture.CreateAdminClient())
        {
            (await admin.PostAsJsonAsync($"/api/sites/{site.SiteId}/goals", new { kind = "event", event_name = "Signup" })).EnsureSuccessStatusCode();
            (await admin.PostAsJsonAsync($"/api/sites/{site.SiteId}/goals", new { kind = "page", path = "/**", display_name = "Any page" })).EnsureSuccessStatusCode();
        }

        var signups = await (await PostAsync(site, $"{{{Range},\"period\":\"week\",\"filters\":[[\"is\",\"event:goal\",[\"Signup\"]]]}}")).Content.ReadFromJsonAsync<JsonElement>();
        var pages = await (await PostAsync(site, $"{{{Range},\"period\":\"week\",\"filters\":[[\"is_not\",\"event:goal\",[\"Signup\"]]]}}")).Content.ReadFromJsonAsync<JsonElement>();
        var anyPage = await (await PostAsync(site, $"{{{Range},\"period\":\"week\",\"filters\":[[\"contains\",\"event:goal\",[\"page\"]]]}}")).Content.ReadFromJsonAsync<JsonElement>();

        // Signup: A's conversion on 11-18 only. Not Signup: A's week 3 visit was the signup, so A is not back in week 3.
        Assert.Equal(["2026-10-26 0: 0,0,0,0 / 0,0,0,0", "2026-11-02 0: 0,0,0 / 0,0,0", "2026-11-09 0: 0,0 / 0,0", "2026-11-16 1: 1 / 100"], Grid(signups));
        Assert.Equal(["2026-10-26 2: 2,1,1,0 / 100,50,50,0", "2026-11-02 2: 2,1,0 / 100,50,0", "2026-11-09 0: 0,0 / 0,0", "2026-11-16 1: 1 / 100"], Grid(pages));
        Assert.Equal(Grid(pages), Grid(anyPage));
    }

    [Fact]
    public async Task Without_identify_the_answer_is_409_and_says_why()
    {
        var site = await SeedAsync(identify: false);

        var response = await PostAsync(site, $"{{{Range},\"period\":\"week\"}}");

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("identify", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{\"date_range\":[\"2026-10-26\",\"2026-11-22\"]}", "period is required")]
    [InlineData("{\"date_range\":[\"2026-10-26\",\"2026-11-22\"],\"period\":\"year\"}", "period is required")]
    [InlineData("{\"period\":\"week\"}", "date_range is required")]
    [InlineData("{\"date_range\":[\"2026-01-01\",\"2026-12-31\"],\"period\":\"day\"}", "at most 100 periods")]
    [InlineData("{\"date_range\":\"30d\",\"period\":\"week\",\"metrics\":[\"visitors\"]}", "Unknown key 'metrics'")]
    [InlineData("{\"date_range\":\"30d\",\"period\":\"week\",\"filters\":[[\"is\",\"event:goal\",[\"Signup\"]]]}", "no goal named 'Signup'")]
    [InlineData("{\"date_range\":\"30d\",\"period\":\"week\",\"filters\":[[\"is\",\"time:day\",[\"2026-11-03\"]]]}", "Time dimensions cannot be filtered on")]
    [InlineData("{\"date_range\":\"30d\",\"period\":\"week\",\"filters\":[[\"matches\",\"event:page\",[\"(\"]]]}", "RE2")]
    [InlineData("[1]", "one JSON object")]
    public async Task A_bad_query_is_a_400_naming_the_problem(string body, string says)
    {
        var site = await SeedAsync();

        var response = await PostAsync(site, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(says, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_sites_secret_key_gets_404_like_an_unknown_site()
    {
        var site = await SeedAsync();
        var other = await fixture.CreateAsync(identifyEnabled: true);

        var response = await PostAsync(other with { SiteId = site.SiteId }, $"{{{Range},\"period\":\"week\"}}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
