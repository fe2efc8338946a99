using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Stats;
using LiveInsight.Testing;

namespace LiveInsight.Api.Tests.Sites;

/// <summary><c>GET /api/sites</c> is a Scan of the Sites table; the Dashboard asks it on every page load.</summary>
[Collection(nameof(ApiCollection))]
public sealed class SiteListCacheTests(ApiFixture fixture)
{
    [Fact]
    public async Task Listing_sites_again_does_not_scan_again_until_this_replica_changes_a_site()
    {
        var calls = new DynamoCallCounter();
        await using var api = fixture.WithCountedDynamo(calls);
        using var admin = api.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ApiFixture.AdminToken);

        await admin.GetFromJsonAsync<JsonElement>("/api/sites");
        var scans = calls.CountOf("ScanAsync");
        for (var i = 0; i < 5; i++)
        {
            await admin.GetFromJsonAsync<JsonElement>("/api/sites");
        }

        var scansAfterRepeats = calls.CountOf("ScanAsync");
        var created = await admin.PostAsJsonAsync("/api/sites", new { name = "Listed at once", domains = new[] { TestSites.UniqueDomain() } });
        var newId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("site_id").GetString();
        var listing = await admin.GetFromJsonAsync<JsonElement>("/api/sites");

        Assert.Equal(1, scans);
        Assert.Equal(scans, scansAfterRepeats);
        Assert.Contains(listing.GetProperty("sites").EnumerateArray(), s => s.GetProperty("site_id").GetString() == newId);
    }
}
