using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Query;
using LiveInsight.Core.Lake;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Api.Tests.Query;

/// <summary>
/// Visit attributes read from the session stamps of compact files give the answers computed from the events: the same
/// rows laid out five ways (every day compacted and stamped; compacted before stamps existed; the second day still in
/// parts, its sessions looked up in the first day's compact file; stamped but written before the visitor key existed;
/// the first day with the key and the second without) answer every question alike. S2 crosses midnight: its visit is
/// Twitter's and entered on /blog even in a range that holds only its second page view. V3's id has the Api's form
/// (16 hex characters: its key is that number), the others not (their key is a hash).
/// <code>
/// S1 V1  11-10 10:00 pv / (Google, DE)  10:01 pv /pricing (no source: an internal click)  10:03 custom Signup
/// S2 V2  11-10 23:59:30 pv /blog (Twitter, US)   V2b 11-11 00:00:30 pv / (no source; the daily salt gave a new visitor id)
/// S3 V3  11-11 09:00 pv /blog (direct, FR)    (V3 = 0123456789abcdef)
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
        var rows = TestLake.Query($"SELECT event_id, s_source, s_entry_page, s_country FROM read_parquet('{file}') ORDER BY event_id",
            reader => string.Join("|", Enumerable.Range(0, 4).Select(i => reader.IsDBNull(i) ? "NULL" : reader.GetString(i))));

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
            foreach (var layout in new[] { "stamped", "unstamped", "mixed", "unkeyed", "half-keyed" })
            {
                var site = await fixture.CreateAsync(timeZone: "Europe/Berlin");
                var (first, second) = Rows();
                TestLake.Write(fixture.LakeRoot, site.SiteId, QueryDataset.Berlin, LakeLayout.CompactFile, first, stamped: layout != "unstamped");
                TestLake.Write(fixture.LakeRoot, site.SiteId, QueryDataset.Berlin, layout == "mixed" ? "part-1-0-2-0.parquet" : LakeLayout.CompactFile, second,
                    stamped: layout != "unstamped");
                foreach (var day in layout switch { "unkeyed" => new[] { Day10, Day10.AddDays(1) }, "half-keyed" => [Day10.AddDays(1)], _ => [] })
                {
                    WithoutVisitorKey(Path.Combine(LakeLayout.SitePartition(fixture.LakeRoot, site.SiteId, DateOnly.FromDateTime(day)), LakeLayout.CompactFile));
                }

                made[layout] = site;
            }

            return sites = made;
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A visitor whose events lie in a keyed compact file (its key written by compaction) and in a part file
    /// of the next day (its key computed by the query) is one visitor: both ways compute the same key.</summary>
    [Fact]
    public async Task A_visitor_in_a_compacted_day_and_in_a_part_of_the_next_is_counted_once()
    {
        var site = await fixture.CreateAsync(timeZone: "Europe/Berlin");
        var visitors = new[] { "00ff00ff00ff00ff", "not-a-hex-id" };
        TestLake.Write(fixture.LakeRoot, site.SiteId, QueryDataset.Berlin, LakeLayout.CompactFile,
            visitors.Select((v, i) => new LakeRow($"a{i}", new DateTime(2026, 10, 5, 12, i, 0), v, $"s1-{i}", "page_view", "/")));
        TestLake.Write(fixture.LakeRoot, site.SiteId, QueryDataset.Berlin, "part-1-0-1-1.parquet",
            visitors.Select((v, i) => new LakeRow($"b{i}", new DateTime(2026, 10, 6, 12, i, 0), v, $"s2-{i}", "page_view", "/")));

        var keys = VisitorKeys(Path.Combine(LakeLayout.SitePartition(fixture.LakeRoot, site.SiteId, new DateOnly(2026, 10, 5)), LakeLayout.CompactFile));
        // The Api's form is the number itself (shifted into BIGINT's range), the other form a hash.
        Assert.Contains(0x00ff00ff00ff00ffL - long.MaxValue - 1, keys);
        Assert.Equal(2, keys.Count);

        var answer = QueryApiTests.Rows(await QueryApiTests.QueryAsync(fixture, site,
            "\"date_range\":[\"2026-10-05\",\"2026-10-06\"],\"metrics\":[\"visitors\",\"pageviews\"]"));
        Assert.Equal(["= 2,4"], answer);
        var byDay = QueryApiTests.Rows(await QueryApiTests.QueryAsync(fixture, site,
            "\"date_range\":[\"2026-10-05\",\"2026-10-06\"],\"metrics\":[\"visitors\"],\"dimensions\":[\"time:day\"]"));
        Assert.Equal(["2026-10-05 = 2", "2026-10-06 = 2"], byDay);
    }

    /// <summary>Which files carry the key is read from their footers, and read again when a file is replaced (a
    /// compaction or an erasure writes a new version under the same name).</summary>
    [Fact]
    public async Task The_files_with_the_visitor_key_are_told_apart_and_a_replaced_file_is_looked_at_again()
    {
        var sites = await SitesAsync();
        var lake = fixture.Factory.Services.GetRequiredService<LakeFiles>();
        string Day(string layout, int day) =>
            Path.Combine(LakeLayout.SitePartition(fixture.LakeRoot, sites[layout].SiteId, DateOnly.FromDateTime(Day10).AddDays(day)), LakeLayout.CompactFile);
        var keyed = Day("stamped", 0);
        var unkeyed = Day("half-keyed", 1);
        var part = Path.Combine(Path.GetDirectoryName(Day("mixed", 1))!, "part-1-0-2-0.parquet");
        Assert.Equal(new[] { keyed, Day("half-keyed", 0) }.Order(StringComparer.Ordinal),
            lake.Keyed([keyed, unkeyed, part, Day("half-keyed", 0)]).Order(StringComparer.Ordinal));

        // A new version of the same file (here: the key dropped, as if an old writer had put it back) is read again.
        var copy = Path.Combine(Path.GetDirectoryName(keyed)!, "..", "..", $"copy-{Guid.NewGuid():N}.parquet");
        File.Copy(keyed, copy);
        try
        {
            Assert.Contains(copy, lake.Keyed([copy]));
            File.SetLastWriteTimeUtc(copy, DateTime.UtcNow.AddMinutes(-5));
            WithoutVisitorKey(copy);
            Assert.DoesNotContain(copy, lake.Keyed([copy]));
        }
        finally
        {
            File.Delete(copy);
        }
    }

    private static List<long> VisitorKeys(string file) =>
        TestLake.Query($"SELECT {LakeLayout.VisitorKeyColumn} FROM read_parquet('{file}') ORDER BY 1", reader => reader.GetInt64(0));

    /// <summary>A compact file as written before the visitor key existed: the same rows and stamps, no key column.</summary>
    private static void WithoutVisitorKey(string file)
    {
        using var db = new DuckDB.NET.Data.DuckDBConnection("DataSource=:memory:");
        db.Open();
        using (var command = db.CreateCommand())
        {
            command.CommandText = $"COPY (SELECT * EXCLUDE ({LakeLayout.VisitorKeyColumn}) FROM read_parquet('{file}')) TO '{file}.old' (FORMAT parquet)";
            command.ExecuteNonQuery();
        }

        File.Move(file + ".old", file, overwrite: true);
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
                new LakeRow("e3a", T(11, 9, 0), "0123456789abcdef", "S3", "page_view", "/blog") { Country = "FR" }]);
    }
}
