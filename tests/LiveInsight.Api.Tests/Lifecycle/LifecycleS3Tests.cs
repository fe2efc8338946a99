using System.Net;
using System.Net.Http.Headers;
using LiveInsight.Api.Query;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Query;
using LiveInsight.Core.Lake;
using LiveInsight.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Api.Tests.Lifecycle;

/// <summary>The lifecycle on a lake in S3 (a real s3rver): the export downloads the site's files into the Api's cache,
/// and the deletion removes them from the bucket and the cache alike.</summary>
[Collection(nameof(ApiCollection))]
public sealed class LifecycleS3Tests(ApiFixture fixture)
{
    [Fact]
    public async Task Deleting_a_site_removes_its_objects_from_the_bucket_and_its_copies_from_the_cache()
    {
        await using var s3 = new S3rver();
        await s3.StartAsync();
        var local = Path.Combine(Path.GetTempPath(), $"li-lake-{Guid.NewGuid():N}");
        var cache = Path.Combine(Path.GetTempPath(), $"li-lake-cache-{Guid.NewGuid():N}");
        try
        {
            var site = await fixture.CreateAsync();
            TestLake.Write(local, site.SiteId, TimeZoneInfo.Utc, "compact.parquet",
                [new LakeRow("e1", new DateTime(2026, 3, 10, 12, 0, 0), "v1", "s1"), new LakeRow("e2", new DateTime(2026, 3, 11, 12, 0, 0), "v2", "s2")]);
            await s3.UploadFolderAsync(Path.Combine(local, LakeLayout.EventsTable), "lake/" + LakeLayout.EventsTable + "/");
            await using var api = fixture.Factory.WithWebHostBuilder(web =>
            {
                web.UseSetting("Lake:Path", cache);
                foreach (var (key, value) in s3.LakeSettings("lake/"))
                {
                    web.UseSetting(key, value);
                }
            });
            using var admin = api.CreateClient();
            admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiFixture.AdminToken);
            var lake = api.Services.GetRequiredService<LakeFiles>();
            Assert.Equal(2, (await lake.Store.ListAsync(LakeLayout.SiteKeyPrefix(site.SiteId), CancellationToken.None)).Count);

            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/sites/{site.SiteId}/export?format=csv")).StatusCode);
            Assert.Equal(2, lake.Cache!.Count);

            var deleted = await admin.DeleteAsync($"/api/sites/{site.SiteId}?confirm=Test%20site");
            Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
            Assert.Empty(await lake.Store.ListAsync(LakeLayout.SiteKeyPrefix(site.SiteId), CancellationToken.None));
            Assert.Equal(0, lake.Cache.Count);
            Assert.False(Directory.Exists(Path.Combine(lake.Root, LakeLayout.SiteKeyPrefix(site.SiteId))));
        }
        finally
        {
            foreach (var folder in new[] { local, cache }.Where(Directory.Exists))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
