using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Lake;

namespace LiveInsight.Api.Tests.Query;

/// <summary>
/// Visit attributes read from the session stamps of compact files give the answers computed from the events: the same
/// rows laid out three ways (every day compacted and stamped; compacted before stamps existed; the second day still in
/// parts, its sessions looked up in the first day's compact file) answer every question alike. S2 crosses midnight:
/// its visit is Twitter's and entered on /blog even in a range that holds only its second page view.
/// <code>
/// S1 V1  11-10 10:00 pv / (Google, DE)  10:01 pv /pricing (no source: an internal click)  10:03 custom Signup
/// S2 V2  11-10 23:59:30 pv /blog (Twitter, US)   V2b 11-11 00:00:30 pv / (no source; the daily salt gave a new visitor id)
/// S3 V3  11-11 09:00 pv /blog (direct, FR)
/// </code>
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class QueryStampTests(ApiFixture fixture)
{
    private static readonly DateTime Day10 = new(2026, 11, 10);

    public static TheoryData<string, string, string[]> Cases => new()
    {
        { "sources of the 11th: S2 keeps its first event's source", "\"date_range\":[\"2026-11-11\",\"2026-11-11\"],\"metrics\":[\"visits\",\"pageviews\"],\"dimensions\":[\"visit:source\"]",
            ["Direct / None = 1,1", "Twitter = 1,1"] },
        { "entry pages of the 11th", "\"date_range\":[\"2026-11-11\",\"2026-11-11\"],\"metrics\":[\"visits\"],\"dimensions\":[\"visit:entry_page\"]", ["/blog = 2"] },
        { "pages of Google's visits, internal clicks included", "\"date_range\":[\"2026-11-10\",\"2026-11-11\"],\"metrics\":[\"visitors\",\"pageviews\",\"events\"],\"dimensions\":[\"event:page\"],\"filters\":[[\"is\",\"visit:source\",[\"Google\"]]]",
            ["/ = 1,1,1", "/pricing = 1,1,2"] },
        { "three visit filters and a session metric", "\"date_range\":[\"2026-11-10\",\"2026-11-11\"],\"metrics\":[\"visits\",\"bounce_rate\",\"visit_duration\"],\"filters\":[[\"is_not\",\"visit:source\",[\"Google\"]],[\"is\",\"visit:country\",[\"US\",\"FR\"]],[\"contains\",\"visit:entry_page\",[\"blog\"]]]",
            ["= 2,50,30"] },
        { "channels and an event filter", "\"date_range\":[\"2026-11-10\",\"2026-11-11\"],\"metrics\":[\"visitors\",\"events\"],\"dimensions\":[\"visit:channel\"],\"filters\":[[\"is\",\"event:name\",[\"Signup\"]]]",
            ["Organic Search = 1,1"] },
        // Filters also said as column comparisons in the scan: a NULL stamp is the "Direct / None" a clause may name.
        { "is with the missing value", "\"date_range\":[\"2026-11-10\",\"2026-11-11\"],\"metrics\":[\"visits\"],\"filters\":[[\"is\",\"visit:source\",[\"Direct / None\",\"Google\"]]]", ["= 2"] },
        { "is pageview", "\"date_range\":[\"2026-11-10\",\"2026-11-11\"],\"metrics\":[\"events\"],\"dimensions\":[\"event:name\"],\"filters\":[[\"is\",\"event:name\",[\"pageview\"]]]", ["pageview = 5"] },
        // A session metric under an event filter counts the whole session (10:00 to 10:03, three events), not the rows.
        { "event filter, whole sessions", "\"date_range\":[\"2026-11-10\",\"2026-11-11\"],\"metrics\":[\"visits\",\"bounce_rate\",\"visit_duration\",\"views_per_visit\"],\"filters\":[[\"is\",\"event:page\",[\"/pricing\"]]]",
            ["= 1,0,180,2"] },
        { "exit pages (computed, not stamped)", "\"date_range\":[\"2026-11-10\",\"2026-11-11\"],\"metrics\":[\"visits\"],\"dimensions\":[\"visit:exit_page\"]",
            ["/ = 1", "/blog = 1", "/pricing = 1"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Stamped_unstamped_and_mixed_layouts_give_the_same_exact_answer(string name, string query, string[] expected)
    {
        foreach (var (layout, site) in await SitesAsync())
        {
            var answer = QueryApiTests.Rows(await QueryApiTests.QueryAsync(fixture, site, query));
            Assert.True(expected.SequenceEqual(answer), $"{name}, {layout}: expected [{string.Join("; ", expected)}], got [{string.Join("; ", answer)}]");
        }
    }

    [Fact]
    public async Task A_stamped_compact_file_carries_the_sessions_first_event_on_every_event_even_across_midnight()
    {
        var sites = await SitesAsync();
        var file = Path.Combine(LakeLayout.SitePartition(fixture.LakeRoot, sites["stamped"].SiteId, DateOnly.FromDateTime(Day10).AddDays(1)), LakeLayout.CompactFile);
        using var db = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = $"SELECT event_id, s_source, s_entry_page, s_country FROM read_parquet('{file}') ORDER BY event_id";
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
        {
            rows.Add(string.Join("|", Enumerable.Range(0, 4).Select(i => reader.IsDBNull(i) ? "NULL" : reader.GetString(i))));
        }

        Assert.Equal(["e2b|Twitter|/blog|US", "e3a|NULL|/blog|FR"], rows);
    }

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static Dictionary<string, TestSite>? sites;

    private async Task<Dictionary<string, TestSite>> SitesAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (sites is not null)
            {
                return sites;
            }

            var made = new Dictionary<string, TestSite>();
            foreach (var layout in new[] { "stamped", "unstamped", "mixed" })
            {
                var site = await fixture.CreateAsync(timeZone: "Europe/Berlin");
                var (first, second) = Rows();
                TestLake.Write(fixture.LakeRoot, site.SiteId, QueryDataset.Berlin, LakeLayout.CompactFile, first, stamped: layout != "unstamped");
                TestLake.Write(fixture.LakeRoot, site.SiteId, QueryDataset.Berlin, layout == "mixed" ? "part-1-0-2-0.parquet" : LakeLayout.CompactFile, second,
                    stamped: layout != "unstamped");
                made[layout] = site;
            }

            return sites = made;
        }
        finally
        {
            Gate.Release();
        }
    }

    private static (LakeRow[] First, LakeRow[] Second) Rows()
    {
        static DateTime T(int day, int h, int m, int s = 0) => new(2026, 11, day, h, m, s);
        var s1 = new LakeRow("e1a", T(10, 10, 0), "V1", "S1", "page_view", "/") { Source = "Google", Referrer = "google.com", Country = "DE" };
        var s2 = new LakeRow("e2a", T(10, 23, 59, 30), "V2", "S2", "page_view", "/blog") { Source = "Twitter", Referrer = "t.co", Country = "US" };
        return (
            [s1, s1 with { EventId = "e1b", Local = T(10, 10, 1), Path = "/pricing", Source = null, Referrer = null },
                s1 with { EventId = "e1c", Local = T(10, 10, 3), Path = "/pricing", Source = null, Referrer = null, Type = "custom", Name = "Signup" }, s2],
            [s2 with { EventId = "e2b", Visitor = "V2b", Local = T(11, 0, 0, 30), Path = "/", Source = null, Referrer = null },
                new LakeRow("e3a", T(11, 9, 0), "V3", "S3", "page_view", "/blog") { Country = "FR" }]);
    }
}
