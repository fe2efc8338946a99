using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using DuckDB.NET.Data;
using LiveInsight.Api.Lifecycle;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Query;
using LiveInsight.Core.Events;
using LiveInsight.Core.Lake;
using LiveInsight.Core.Sites;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using static LiveInsight.Api.Tests.Ingestion.EventPosting;

namespace LiveInsight.Api.Tests.Lifecycle;

[Collection(nameof(ApiCollection))]
public sealed class LifecycleApiTests(ApiFixture fixture)
{
    private static readonly DateTime Day1 = new(2026, 3, 10, 12, 0, 0);
    private static readonly DateTime Day2 = new(2026, 3, 11, 12, 0, 0);
    private static readonly DateTime Day3 = new(2026, 3, 12, 12, 0, 0);

    [Fact]
    public async Task A_site_is_deleted_only_with_its_exact_name_and_then_refuses_events_and_reads_and_leaves_no_key_or_file()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        using var client = fixture.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(Request(Batch(site.PublicKey, PageView())))).StatusCode);
        TestLake.Write(fixture.LakeRoot, site.SiteId, TimeZoneInfo.Utc, "compact.parquet", [new LakeRow("e1", Day1, "v1", "s1")]);
        Assert.NotEmpty(await SiteKeysAsync(site.SiteId));

        var wrong = await admin.DeleteAsync($"/api/sites/{site.SiteId}?confirm=test%20site");
        Assert.Equal(HttpStatusCode.BadRequest, wrong.StatusCode);
        Assert.Contains("confirm", await wrong.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.DeleteAsync($"/api/sites/{site.SiteId}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(site));

        var deleted = await admin.DeleteAsync($"/api/sites/{site.SiteId}?confirm=Test%20site");
        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        var body = await deleted.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("deleting", body.GetProperty("status").GetString());
        Assert.True(body.GetProperty("removed").GetProperty("redis_keys").GetInt64() > 0);
        Assert.Equal(1, body.GetProperty("removed").GetProperty("lake_files").GetInt64());
        Assert.Empty(await SiteKeysAsync(site.SiteId));
        Assert.False(Directory.Exists(Path.Combine(fixture.LakeRoot, LakeLayout.SiteKeyPrefix(site.SiteId))));

        var refused = await client.SendAsync(Request(Batch(site.PublicKey, PageView())));
        Assert.Equal(HttpStatusCode.Gone, refused.StatusCode);
        Assert.Contains("being deleted", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadAsync(site));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/realtime/users?site_id={site.SiteId}")).StatusCode);
        var listing = await admin.GetFromJsonAsync<JsonElement>("/api/sites");
        Assert.DoesNotContain(listing.GetProperty("sites").EnumerateArray(), s => s.GetProperty("site_id").GetString() == site.SiteId);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new { name = "Back" })).StatusCode);

        // A repeat (say, after a crash) finishes what is left and answers the same.
        Assert.Equal(HttpStatusCode.Accepted, (await admin.DeleteAsync($"/api/sites/{site.SiteId}?confirm=Test%20site")).StatusCode);
        var marked = await fixture.Factory.Services.GetRequiredService<SiteRepository>().FindAnyByIdAsync(site.SiteId, CancellationToken.None);
        Assert.NotNull(marked?.DeletingSince);
    }

    [Fact]
    public async Task A_reset_removes_the_stats_and_keeps_the_site_and_its_keys()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        using var client = fixture.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(Request(Batch(site.PublicKey, PageView())))).StatusCode);
        TestLake.Write(fixture.LakeRoot, site.SiteId, TimeZoneInfo.Utc, "compact.parquet", [new LakeRow("e1", Day1, "v1", "s1")]);

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync($"/api/sites/{site.SiteId}/reset?confirm=nope", null)).StatusCode);
        var reset = await admin.PostAsync($"/api/sites/{site.SiteId}/reset?confirm=Test%20site", null);
        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);

        // What is left: when the keys were last used (a setting, not a stat) and the read cache's invalidation stamp.
        Assert.Equal([RedisKeys.KeysLastUsed(site.SiteId)], (await SiteKeysAsync(site.SiteId)).Where(k => !k.StartsWith(RedisKeys.ReadCachePrefix, StringComparison.Ordinal)));
        Assert.False(Directory.Exists(Path.Combine(fixture.LakeRoot, LakeLayout.SiteKeyPrefix(site.SiteId))));
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(site));
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(Request(Batch(site.PublicKey, PageView())))).StatusCode);
    }

    [Fact]
    public async Task Erasing_a_period_removes_exactly_its_days_from_the_lake_and_the_day_sketches()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        TestLake.Write(fixture.LakeRoot, site.SiteId, TimeZoneInfo.Utc, "compact.parquet",
            [new LakeRow("e1", Day1, "v1", "s1"), new LakeRow("e2", Day2, "v2", "s2"), new LakeRow("e3", Day3, "v3", "s3")]);
        var db = fixture.Redis.GetDatabase();
        foreach (var day in new[] { Day1, Day2, Day3 })
        {
            await db.HyperLogLogAddAsync(RedisKeys.DayVisitors(site.SiteId, DateOnly.FromDateTime(day)), "v");
        }

        var erased = await admin.PostAsJsonAsync($"/api/sites/{site.SiteId}/erase", new { from = "2026-03-11", to = "2026-03-11" });
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        Assert.Equal(1, (await erased.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("removed").GetProperty("lake_files").GetInt64());

        var days = Directory.GetDirectories(Path.Combine(fixture.LakeRoot, LakeLayout.SiteKeyPrefix(site.SiteId))).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(["day=2026-03-10", "day=2026-03-12"], days);
        Assert.True(await db.KeyExistsAsync(RedisKeys.DayVisitors(site.SiteId, DateOnly.FromDateTime(Day1))));
        Assert.False(await db.KeyExistsAsync(RedisKeys.DayVisitors(site.SiteId, DateOnly.FromDateTime(Day2))));
        Assert.True(await db.KeyExistsAsync(RedisKeys.DayVisitors(site.SiteId, DateOnly.FromDateTime(Day3))));
    }

    [Theory]
    [InlineData("""{"from":"2026-03-12","to":"2026-03-11"}""", "to")]
    [InlineData("""{"from":"2026-13-01","to":"2026-03-11"}""", "from")]
    [InlineData("""{"from":"2000-01-01","to":"2026-03-11"}""", "to")]
    [InlineData("""{"user_id":"u1","from":"2026-03-11","to":"2026-03-11"}""", "user_id")]
    [InlineData("""{"user_id":""}""", "user_id")]
    [InlineData("""{}""", "from")]
    public async Task An_erasure_that_names_no_clear_period_or_user_is_refused(string body, string field)
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        var response = await admin.PostAsync($"/api/sites/{site.SiteId}/erase", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(field, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Erasing_an_identified_user_rewrites_only_the_files_holding_their_rows()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        TestLake.Write(fixture.LakeRoot, site.SiteId, TimeZoneInfo.Utc, "compact.parquet",
            [new LakeRow("e1", Day1, "v1", "s1"), new LakeRow("e2", Day1, "v2", "s2"), new LakeRow("e3", Day2, "v3", "s3")]);
        var stored = await fixture.Factory.Services.GetRequiredService<SiteRepository>().FindByIdAsync(site.SiteId, CancellationToken.None);
        var hash = UserErasure.HashOf(stored!, "alice@example.com")!;
        var day1 = Path.Combine(LakeLayout.SitePartition(fixture.LakeRoot, site.SiteId, DateOnly.FromDateTime(Day1)), "compact.parquet");
        AddUserHash(day1, ("e1", hash), ("e2", UserErasure.HashOf(stored!, "bob@example.com")!));
        TestLake.WriteDaySums(fixture.LakeRoot, site.SiteId);
        Assert.Equal(["day=2026-03-09", "day=2026-03-10", "day=2026-03-11", "day=2026-03-12"], SumsDays(site.SiteId));

        var erased = await admin.PostAsJsonAsync($"/api/sites/{site.SiteId}/erase", new { user_id = "alice@example.com" });
        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        Assert.Equal(1, (await erased.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("removed").GetProperty("lake_files").GetInt64());
        Assert.Equal(["e2"], EventIds(day1));
        Assert.Equal(["e3"], EventIds(Path.Combine(LakeLayout.SitePartition(fixture.LakeRoot, site.SiteId, DateOnly.FromDateTime(Day2)), "compact.parquet")));
        // The rewritten compact file keeps the codec compact files are read in (not DuckDB's default, snappy).
        Assert.Equal(["LZ4_RAW"], Codecs(day1));
        // The day sums counted from the rewritten file (the UTC days it may hold) are gone with the user's rows.
        Assert.Equal(["day=2026-03-12"], SumsDays(site.SiteId));
    }

    private List<string?> SumsDays(string siteId) =>
        Directory.GetDirectories(Path.Combine(fixture.LakeRoot, LakeDaySums.SiteKeyPrefix(siteId))).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();

    [Fact]
    public async Task The_export_zips_one_file_per_day_without_duplicates_and_guards_csv_formulas()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        TestLake.Write(fixture.LakeRoot, site.SiteId, TimeZoneInfo.Utc, "compact.parquet",
            [new LakeRow("e1", Day1, "v1", "s1", Path: "=HYPERLINK(\"x\")"), new LakeRow("e2", Day2, "v2", "s2")]);
        // A crash's copy of e1 in a part file of the same day: exported once.
        TestLake.Write(fixture.LakeRoot, site.SiteId, TimeZoneInfo.Utc, "part-1-1.parquet", [new LakeRow("e1", Day1, "v1", "s1", Path: "=HYPERLINK(\"x\")")]);

        var parquet = await admin.GetAsync($"/api/sites/{site.SiteId}/export?format=parquet");
        Assert.Equal(HttpStatusCode.OK, parquet.StatusCode);
        Assert.Equal("application/zip", parquet.Content.Headers.ContentType?.MediaType);
        using (var zip = new ZipArchive(await parquet.Content.ReadAsStreamAsync()))
        {
            Assert.Equal(["day=2026-03-10.parquet", "day=2026-03-11.parquet"], zip.Entries.Select(e => e.FullName).Order().ToList());
            var copy = Path.Combine(Path.GetTempPath(), $"{Guid.NewGuid():N}.parquet");
            zip.GetEntry("day=2026-03-10.parquet")!.ExtractToFile(copy);
            Assert.Equal(["e1"], EventIds(copy));
            File.Delete(copy);
        }

        var csv = await admin.GetAsync($"/api/sites/{site.SiteId}/export?format=csv&from=2026-03-10&to=2026-03-10");
        Assert.Equal(HttpStatusCode.OK, csv.StatusCode);
        using (var zip = new ZipArchive(await csv.Content.ReadAsStreamAsync()))
        {
            var entry = Assert.Single(zip.Entries);
            Assert.Equal("day=2026-03-10.csv", entry.FullName);
            var lines = new StreamReader(entry.Open()).ReadToEnd().Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(2, lines.Length);
            Assert.StartsWith("event_id,ts,", lines[0]);
            Assert.Contains("\"'=HYPERLINK(\"\"x\"\")\"", lines[1]);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"/api/sites/{site.SiteId}/export?format=xlsx")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync($"/api/sites/{site.SiteId}/export?from=yesterday")).StatusCode);
    }

    [Fact]
    public async Task Retention_is_one_of_the_allowed_months_or_forever()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        Assert.Equal(JsonValueKind.Null, (await fixture.GetSummaryAsync(site.SiteId)).GetProperty("retention_months").ValueKind);

        var refused = await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new { retention_months = 7 });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Contains("retention_months", await refused.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new { retention_months = 12 })).StatusCode);
        Assert.Equal(12, (await fixture.GetSummaryAsync(site.SiteId)).GetProperty("retention_months").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new { name = "Renamed" })).StatusCode);
        Assert.Equal(12, (await fixture.GetSummaryAsync(site.SiteId)).GetProperty("retention_months").GetInt32());
        Assert.Equal(HttpStatusCode.OK, (await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new { retention_months = 0 })).StatusCode);
        Assert.Equal(JsonValueKind.Null, (await fixture.GetSummaryAsync(site.SiteId)).GetProperty("retention_months").ValueKind);
    }

    private async Task<List<string>> SiteKeysAsync(string siteId)
    {
        var keys = new List<string>();
        foreach (var server in fixture.Redis.GetServers())
        {
            await foreach (var key in server.KeysAsync(pattern: $"*{siteId}*"))
            {
                keys.Add(key.ToString());
            }
        }

        return keys;
    }

    private async Task<HttpStatusCode> ReadAsync(TestSite site)
    {
        using var reader = fixture.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", site.SecretKey);
        return (await reader.GetAsync($"/api/realtime/users?site_id={site.SiteId}")).StatusCode;
    }

    /// <summary>Rewrites a lake file with the identify column (what a writer with identify lays out): the given events
    /// get the given hashes, the rest NULL.</summary>
    private static void AddUserHash(string file, params (string EventId, string Hash)[] hashes)
    {
        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        var cases = string.Join(" ", hashes.Select(h => $"WHEN event_id = '{h.EventId}' THEN '{h.Hash}'"));
        var temp = file + ".new";
        using (var command = duck.CreateCommand())
        {
            command.CommandText = $"COPY (SELECT * REPLACE (CASE {cases} ELSE NULL END AS {UserErasure.UserHashColumn}) FROM read_parquet('{file}')) TO '{temp}' (FORMAT parquet)";
            command.ExecuteNonQuery();
        }

        File.Move(temp, file, overwrite: true);
    }

    private static List<string> EventIds(string file) => Strings($"SELECT event_id FROM read_parquet('{file}') ORDER BY event_id");

    /// <summary>The compression codecs of a Parquet file's column chunks.</summary>
    private static List<string> Codecs(string file) => Strings($"SELECT DISTINCT compression FROM parquet_metadata('{file}')");

    private static List<string> Strings(string sql) => TestLake.Query(sql, reader => reader.GetString(0));
}
