using System.Net.Http.Json;
using System.Text.Json;

namespace LiveInsight.Api.Tests.Infrastructure;

public sealed record TestSite(string SiteId, string PublicKey, string SecretKey);

public static class TestSites
{
    /// <summary>A fresh site per test, so tests never see each other's data.</summary>
    public static async Task<TestSite> CreateAsync(
        this ApiFixture fixture,
        string[]? domains = null,
        string[]? excludedPaths = null,
        string[]? excludedIpRanges = null,
        bool honorDnt = true,
        string timeZone = "UTC",
        int? rateLimitPerMinute = null,
        bool? allowSubdomains = null,
        bool? allowNullOrigin = null,
        bool? identifyEnabled = null)
    {
        using var admin = fixture.CreateAdminClient();
        var response = await admin.PostAsJsonAsync("/api/sites", new
        {
            name = "Test site",
            domains = domains ?? ["example.com"],
            excluded_paths = excludedPaths,
            excluded_ip_ranges = excludedIpRanges,
            honor_dnt = honorDnt,
            time_zone = timeZone,
            rate_limit_per_minute = rateLimitPerMinute,
            allow_subdomains = allowSubdomains,
            allow_null_origin = allowNullOrigin,
            identify_enabled = identifyEnabled,
        });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new TestSite(
            body.GetProperty("site_id").GetString()!,
            body.GetProperty("public_key").GetString()!,
            body.GetProperty("secret_key").GetString()!);
    }

    /// <summary>The site as <c>GET /api/sites</c> lists it.</summary>
    public static async Task<JsonElement> GetSummaryAsync(this ApiFixture fixture, string siteId)
    {
        using var admin = fixture.CreateAdminClient();
        var listing = await admin.GetFromJsonAsync<JsonElement>("/api/sites");
        return listing.GetProperty("sites").EnumerateArray().Single(s => s.GetProperty("site_id").GetString() == siteId);
    }

    /// <summary>A domain no other test uses, so checks against "any site's domains" see only this test's sites.</summary>
    public static string UniqueDomain() => $"t{Guid.NewGuid():N}"[..13] + ".example";
}
