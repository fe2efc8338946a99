using System.Net;
using System.Text;
using System.Text.Json;
using LiveInsight.Api.Query;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Lake;
using LiveInsight.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Api.Tests.Query;

/// <summary>
/// POST /api/v2/query on a lake in S3 (a real s3rver): the <see cref="QueryDataset"/> files uploaded under a prefix,
/// an Api configured with <c>Lake:S3:*</c> whose cache holds exactly site B's bytes. The same answers as from the
/// local folder; copies named by ETag (a replaced file is fetched again); the cache stays within its bound.
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class QueryS3Tests(ApiFixture fixture) : IAsyncLifetime
{
    private const string Prefix = "lake/";
    private const string Range = "\"date_range\":[\"2026-11-10\",\"2026-11-11\"]";
    private readonly S3rver _s3 = new();
    private readonly string _cacheRoot = Path.Combine(Path.GetTempPath(), $"li-lake-cache-{Guid.NewGuid():N}");
    private WebApplicationFactory<Program> _api = null!;
    private QueryDataset _data = null!;
    private long _siteBBytes;

    public async Task InitializeAsync()
    {
        _data = await QueryDataset.GetAsync(fixture);
        await _s3.StartAsync();
        foreach (var site in new[] { _data.A, _data.B })
        {
            var folder = Path.Combine(fixture.LakeRoot, LakeLayout.EventsTable, $"{LakeLayout.SiteColumn}={site.SiteId}");
            await _s3.UploadFolderAsync(folder, $"{Prefix}{LakeLayout.SiteKeyPrefix(site.SiteId)}");
        }

        _siteBBytes = Directory.GetFiles(Path.Combine(fixture.LakeRoot, LakeLayout.EventsTable, $"{LakeLayout.SiteColumn}={_data.B.SiteId}"), "*.parquet", SearchOption.AllDirectories)
            .Sum(f => new FileInfo(f).Length);
        _api = fixture.Factory.WithWebHostBuilder(web =>
        {
            web.UseSetting("Lake:Path", _cacheRoot);
            web.UseSetting("Lake:S3:CacheMegabytes", (_siteBBytes / 1024.0 / 1024.0).ToString("R", System.Globalization.CultureInfo.InvariantCulture));
            web.UseSetting("LiveInsight:Read:UncachedStatsQueriesPerSitePerMinute", "0");
            foreach (var (key, value) in _s3.LakeSettings(Prefix))
            {
                web.UseSetting(key, value);
            }
        });
    }

    public async Task DisposeAsync()
    {
        await _api.DisposeAsync();
        await _s3.DisposeAsync();
        if (Directory.Exists(_cacheRoot))
        {
            Directory.Delete(_cacheRoot, recursive: true);
        }
    }

    private LakeFiles Lake => _api.Services.GetRequiredService<LakeFiles>();

    [Theory]
    [InlineData("\"metrics\":[\"visitors\",\"visits\",\"pageviews\",\"events\",\"bounce_rate\",\"visit_duration\",\"views_per_visit\"]")]
    [InlineData("\"metrics\":[\"visitors\",\"visits\",\"pageviews\",\"events\",\"bounce_rate\",\"visit_duration\",\"percentage\"],\"dimensions\":[\"visit:source\"]")]
    [InlineData("\"metrics\":[\"visitors\",\"events\"],\"dimensions\":[\"event:props:plan\"],\"filters\":[[\"is\",\"visit:country\",[\"DE\"]],[\"contains\",\"event:page\",[\"/\"]]]")]
    public async Task The_lake_in_s3_gives_the_same_answers_as_the_lake_on_disk(string query)
    {
        var fromS3 = await QueryAsync(_api, _data.A, $"{Range},{query}");
        var fromDisk = await QueryAsync(fixture.Factory, _data.A, $"{Range},{query}");

        Assert.Equal(fromDisk.GetProperty("results").GetRawText(), fromS3.GetProperty("results").GetRawText());
        Assert.NotEqual(0, fromS3.GetProperty("results").GetArrayLength());
        Assert.IsType<S3LakeStore>(Lake.Store);
        Assert.StartsWith(_cacheRoot, Lake.Root, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_cache_evicts_the_least_recently_used_copies_down_to_its_bound_and_fetches_them_again_when_asked()
    {
        var cache = Lake.Cache!;
        Assert.Equal(_siteBBytes, cache.MaxBytes);

        // Site A's six files (two days and a day either side) are more than the bound: kept while A is answered.
        var first = await QueryAsync(_api, _data.A, $"{Range},\"metrics\":[\"visitors\",\"visits\",\"pageviews\"]");
        Assert.Equal("[4,5,6]", first.GetProperty("results")[0].GetProperty("metrics").GetRawText());
        var aCopies = CopiesOnDisk(_data.A.SiteId);
        Assert.Equal(6, aCopies.Length);
        Assert.True(cache.Bytes > cache.MaxBytes);
        var downloads = cache.Downloads;

        // Site B's files take the whole bound: every copy of A goes, least recently used first.
        var b = await QueryAsync(_api, _data.B, $"{Range},\"metrics\":[\"visitors\",\"pageviews\"]");
        Assert.Equal("[1,2]", b.GetProperty("results")[0].GetProperty("metrics").GetRawText());
        Assert.Equal(cache.MaxBytes, cache.Bytes);
        Assert.Empty(CopiesOnDisk(_data.A.SiteId));
        Assert.Equal(2, CopiesOnDisk(_data.B.SiteId).Length);
        Assert.Equal(cache.Count, Directory.GetFiles(Lake.Root, "*", SearchOption.AllDirectories).Length);
        Assert.Equal(downloads + 2, cache.Downloads);

        // B again: from the cache, no download.
        await QueryAsync(_api, _data.B, $"{Range},\"metrics\":[\"visitors\"]");
        Assert.Equal(downloads + 2, cache.Downloads);

        // A again: fetched again, the same answer.
        var again = await QueryAsync(_api, _data.A, $"{Range},\"metrics\":[\"visitors\",\"visits\",\"pageviews\"]");
        Assert.Equal("[4,5,6]", again.GetProperty("results")[0].GetProperty("metrics").GetRawText());
        Assert.Equal(downloads + 8, cache.Downloads);
    }

    /// <summary>A saved funnel on a lake in S3 with day sums: its first query writes the funnel's per-day partials into
    /// the bucket beside the sums, and the answers (that one and the next, read from them) are the lake on disk's.</summary>
    [Fact]
    public async Task A_funnels_partials_are_written_to_the_bucket_and_answer_as_the_lake_on_disk_does()
    {
        using var api = _api.WithWebHostBuilder(web => web.UseSetting("Lake:S3:CacheMegabytes", "64"));
        var site = await fixture.CreateAsync(timeZone: "UTC");
        var rows = new List<LakeRow>();
        var start = new DateTime(2026, 11, 9, 22, 0, 0);
        for (var v = 0; v < 40; v++)
        {
            // A visit every 2 h 10 min over four days: landing, a page, and for some a Signup, 70 s apart (some across midnight).
            var at = start.AddMinutes(130 * v);
            var id = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes($"{at:yyyy-MM-dd}/{v}"))[..8]);
            rows.Add(new LakeRow($"f{v}a", at, id, $"fs{v}", "page_view", "/landing/a"));
            rows.Add(new LakeRow($"f{v}b", at.AddSeconds(70), id, $"fs{v}", "page_view", "/page/1"));
            if (v % 3 == 0)
            {
                rows.Add(new LakeRow($"f{v}c", at.AddSeconds(140.5), id, $"fs{v}", "custom", null) { Name = "Signup" });
            }
        }

        // The sums on disk and in the bucket: each under the version of its own store's files (S3's ETags differ).
        TestLake.Write(fixture.LakeRoot, site.SiteId, TimeZoneInfo.Utc, LakeLayout.CompactFile, rows);
        Assert.True(TestLake.WriteDaySums(fixture.LakeRoot, site.SiteId) >= 2);
        await _s3.UploadFolderAsync(Path.Combine(fixture.LakeRoot, LakeLayout.SiteKeyPrefix(site.SiteId)), Prefix + LakeLayout.SiteKeyPrefix(site.SiteId));
        var bucket = api.Services.GetRequiredService<LakeFiles>().Store;
        Assert.True(TestLake.WriteDaySums(bucket, fixture.LakeRoot, site.SiteId) >= 2);

        using var admin = fixture.Factory.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", site.SecretKey);
        using var created = await admin.PostAsync($"/api/sites/{site.SiteId}/funnels", new StringContent(
            "{\"name\":\"Signup\",\"steps\":[{\"kind\":\"page\",\"path\":\"/landing/**\"},{\"kind\":\"page\",\"path\":\"/page/**\"},{\"kind\":\"event\",\"event_name\":\"Signup\"}]}",
            Encoding.UTF8, "application/json"));
        var funnel = JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        async Task<string> AskAsync(WebApplicationFactory<Program> factory)
        {
            using var client = factory.CreateClient();
            client.DefaultRequestHeaders.Authorization = new("Bearer", site.SecretKey);
            using var response = await client.PostAsync($"/api/sites/{site.SiteId}/funnels/{funnel}/query",
                new StringContent("{\"date_range\":[\"2026-11-09\",\"2026-11-13\"]}", Encoding.UTF8, "application/json"));
            var text = await response.Content.ReadAsStringAsync();
            Assert.True(response.IsSuccessStatusCode, text);
            return JsonDocument.Parse(text).RootElement.GetProperty("steps").GetRawText();
        }

        Assert.DoesNotContain(await _s3.KeysAsync(Prefix + LakeDaySums.SiteKeyPrefix(site.SiteId)), k => k.Contains(LakeDaySums.FunnelSuffixPrefix, StringComparison.Ordinal));
        var fromDisk = await AskAsync(fixture.Factory);
        Assert.Contains("\"visitors\":14", fromDisk, StringComparison.Ordinal);
        Assert.Equal(fromDisk, await AskAsync(api));
        var partials = (await _s3.KeysAsync(Prefix + LakeDaySums.SiteKeyPrefix(site.SiteId))).Where(k => k.Contains(LakeDaySums.FunnelSuffixPrefix, StringComparison.Ordinal)).ToList();
        Assert.True(partials.Count >= 2, string.Join(", ", partials));
        Assert.Equal(fromDisk, await AskAsync(api));
    }

    [Fact]
    public async Task A_file_replaced_in_the_bucket_is_fetched_again_by_its_new_etag_and_one_gone_before_its_download_is_a_changed_lake()
    {
        using var api = _api.WithWebHostBuilder(web => web.UseSetting("Lake:S3:CacheMegabytes", "64"));
        var site = await fixture.CreateAsync(timeZone: "Europe/Berlin");
        var local = Path.Combine(Path.GetTempPath(), $"li-lake-{Guid.NewGuid():N}");
        try
        {
            TestLake.Write(local, site.SiteId, QueryDataset.Berlin, LakeLayout.CompactFile, [new LakeRow("x1", new DateTime(2026, 11, 10, 12, 0, 0), "V1", "S1")]);
            await _s3.UploadFolderAsync(local, Prefix);
            var before = await QueryAsync(api, site, $"{Range},\"metrics\":[\"visitors\"]");
            Assert.Equal("[1]", before.GetProperty("results")[0].GetProperty("metrics").GetRawText());

            // Compaction put a new compact.parquet (two visitors now): a new ETag, a new copy, the new number.
            TestLake.Write(local, site.SiteId, QueryDataset.Berlin, LakeLayout.CompactFile,
                [new LakeRow("x1", new DateTime(2026, 11, 10, 12, 0, 0), "V1", "S1"), new LakeRow("x2", new DateTime(2026, 11, 10, 13, 0, 0), "V2", "S2")]);
            await _s3.UploadFolderAsync(local, Prefix);
            var after = await QueryAsync(api, site, $"{Range},\"metrics\":[\"visitors\"]");
            Assert.Equal("[2]", after.GetProperty("results")[0].GetProperty("metrics").GetRawText());

            // A listing that names a part deleted since (merged by compaction) and not held yet: the Api is told to
            // list again (a copy already held is still that version, and is read).
            TestLake.Write(local, site.SiteId, QueryDataset.Berlin, "part-9-0-9-1.parquet", [new LakeRow("x3", new DateTime(2026, 11, 10, 14, 0, 0), "V3", "S3")]);
            await _s3.UploadFolderAsync(local, Prefix);
            var lake = api.Services.GetRequiredService<LakeFiles>();
            var listing = await lake.ListAsync(site.SiteId, CancellationToken.None);
            var part = Assert.Single(listing.Files, f => LakeStores.FileName(f.Object.Key).StartsWith("part-", StringComparison.Ordinal));
            await _s3.DeleteAsync(Prefix + part.Object.Key);
            await Assert.ThrowsAsync<LakeFilesChangedException>(() =>
                lake.FilesAsync(listing, new DateOnly(2026, 11, 10), new DateOnly(2026, 11, 10), CancellationToken.None));
        }
        finally
        {
            Directory.Delete(local, recursive: true);
        }
    }

    private string[] CopiesOnDisk(string siteId)
    {
        var folder = Path.Combine(Lake.Root, LakeLayout.EventsTable, $"{LakeLayout.SiteColumn}={siteId}");
        return Directory.Exists(folder) ? Directory.GetFiles(folder, "*.parquet", SearchOption.AllDirectories) : [];
    }

    private static async Task<JsonElement> QueryAsync(WebApplicationFactory<Program> api, TestSite site, string query)
    {
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", site.SecretKey);
        using var response = await client.PostAsync("/api/v2/query", new StringContent($"{{\"site_id\":\"{site.SiteId}\",{query}}}", Encoding.UTF8, "application/json"));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }
}
