using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.DynamoDBv2;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Storage;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static LiveInsight.Api.Tests.Stats.StatsApiTests;

namespace LiveInsight.Api.Tests.Sites;

[Collection(nameof(ApiCollection))]
public sealed class AuditTests(ApiFixture fixture)
{
    private const string DashboardUser = "ada@example.com";

    [Fact]
    public async Task Changes_made_for_a_dashboard_user_are_recorded_with_that_user_and_a_masked_address()
    {
        using var admin = AsDashboardUser(fixture.CreateAdminClient(), DashboardUser, "203.0.113.77");
        var created = await admin.PostAsJsonAsync("/api/sites", new { name = "Audited", domains = new[] { "audited.example.com" } });
        var siteId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("site_id").GetString()!;

        await admin.PatchAsJsonAsync($"/api/sites/{siteId}", new { name = "Renamed", allow_subdomains = true, excluded_ip_ranges = new[] { "198.51.100.7/32" } });
        await admin.PostAsync($"/api/sites/{siteId}/rotate-keys?grace_seconds=60", null);
        await admin.DeleteAsync($"/api/sites/{siteId}/retired-keys");

        var entries = (await EntriesAsync(siteId)).OrderBy(e => e.At).ToList();
        Assert.Equal(
            [AuditActions.SiteCreate, AuditActions.SiteUpdate, AuditActions.SiteRotateKeys, AuditActions.SiteRevokeRetiredKeys],
            entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal(DashboardUser, e.Actor));
        Assert.All(entries, e => Assert.Equal("203.0.113.0", e.MaskedIp));
        Assert.Contains("domains=audited.example.com", entries[0].Details!);
        Assert.Equal("name=Renamed; allow_subdomains=true; excluded_ip_ranges=1 ranges", entries[1].Details);
        Assert.Equal("grace_seconds=60", entries[2].Details);
        Assert.StartsWith("public_keys=pk_", entries[3].Details!);
        Assert.DoesNotContain(entries, e => $"{e.Details} {e.MaskedIp}".Contains("198.51.100.7") || $"{e.Details}".Contains("203.0.113.77"));
    }

    [Fact]
    public async Task Without_a_forwarded_user_the_admin_token_is_the_actor_from_the_masked_client_address()
    {
        using var admin = fixture.CreateAdminClient();
        admin.DefaultRequestHeaders.Add(TestClientIpStartupFilter.Header, "2001:db8:1234:5678::9");
        var site = await fixture.CreateAsync();

        await admin.PostAsync($"/api/sites/{site.SiteId}/rotate-keys", null);

        var entry = Assert.Single(await EntriesAsync(site.SiteId), e => e.Action == AuditActions.SiteRotateKeys);
        Assert.Equal(AuditLog.AdminTokenActor, entry.Actor);
        Assert.Equal("2001:db8:1234::", entry.MaskedIp);
    }

    [Fact]
    public async Task An_unparsable_forwarded_address_falls_back_to_the_client_and_a_long_actor_is_capped()
    {
        var site = await fixture.CreateAsync();
        using var admin = AsDashboardUser(fixture.CreateAdminClient(), new string('a', 300) + "@example.com", "not-an-ip");
        admin.DefaultRequestHeaders.Add(TestClientIpStartupFilter.Header, "192.0.2.44");

        await admin.PostAsync($"/api/sites/{site.SiteId}/rotate-keys", null);

        var entry = Assert.Single(await EntriesAsync(site.SiteId), e => e.Action == AuditActions.SiteRotateKeys);
        Assert.Equal(254, entry.Actor.Length);
        Assert.Equal("192.0.2.0", entry.MaskedIp);
    }

    [Fact]
    public async Task When_the_audit_log_cannot_be_written_the_change_is_refused_and_not_made()
    {
        var site = await fixture.CreateAsync();
        await using var broken = WithAuditTableMissing();
        using var admin = broken.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ApiFixture.AdminToken);
        var name = "Never created " + Guid.NewGuid();

        var create = await admin.PostAsJsonAsync("/api/sites", new { name, domains = new[] { "never.example.com" } });
        var update = await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new { name = "Changed" });
        var rotate = await admin.PostAsync($"/api/sites/{site.SiteId}/rotate-keys", null);

        await AssertProblemAsync(create, HttpStatusCode.ServiceUnavailable, "audit log");
        await AssertProblemAsync(update, HttpStatusCode.ServiceUnavailable, "audit log");
        await AssertProblemAsync(rotate, HttpStatusCode.ServiceUnavailable, "audit log");
        using var healthy = fixture.CreateAdminClient();
        Assert.DoesNotContain(name, await healthy.GetStringAsync("/api/sites"));
        var summary = await fixture.GetSummaryAsync(site.SiteId);
        Assert.Equal("Test site", summary.GetProperty("name").GetString());
        Assert.Equal(site.PublicKey, summary.GetProperty("public_key").GetString());
        using var client = fixture.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, await KeyUsageTests.IngestAsync(client, site.PublicKey));
    }

    [Fact]
    public async Task A_revoke_that_cannot_be_audited_leaves_the_retired_keys_working()
    {
        var site = await fixture.CreateAsync();
        using var healthy = fixture.CreateAdminClient();
        await KeyUsageTests.RotateAsync(healthy, site.SiteId, grace: 3600);
        await using var broken = WithAuditTableMissing();
        using var admin = broken.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new("Bearer", ApiFixture.AdminToken);

        await AssertProblemAsync(await admin.DeleteAsync($"/api/sites/{site.SiteId}/retired-keys"), HttpStatusCode.ServiceUnavailable, "audit log");

        using var client = fixture.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, await KeyUsageTests.IngestAsync(client, site.PublicKey));
        Assert.Single((await fixture.GetSummaryAsync(site.SiteId)).GetProperty("retired_keys").EnumerateArray());
    }

    private static HttpClient AsDashboardUser(HttpClient client, string email, string maskedIp)
    {
        client.DefaultRequestHeaders.Add("X-LiveInsight-Actor", email);
        client.DefaultRequestHeaders.Add("X-LiveInsight-Actor-Ip", maskedIp);
        return client;
    }

    private Task<IReadOnlyList<AuditEntry>> EntriesAsync(string siteId) =>
        fixture.Factory.Services.GetRequiredService<AuditLog>().ListAsync(siteId, 50, CancellationToken.None);

    /// <summary>The same Api, but its audit log writes to a table that does not exist, so every write throws.</summary>
    private WebApplicationFactory<Program> WithAuditTableMissing() =>
        fixture.Factory.WithWebHostBuilder(web => web.ConfigureTestServices(services => services.AddSingleton(sp => new AuditLog(
            sp.GetRequiredService<IAmazonDynamoDB>(),
            Options.Create(new StorageOptions { TablePrefix = "missing-" + fixture.TablePrefix })))));
}
