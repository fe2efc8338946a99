using System.Net;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Storage;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Sharing;
using LiveInsight.Dashboard.Tests.Infrastructure;
using LiveInsight.Dashboard.Users;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Tests;

/// <summary>Every administrative change is recorded before it is made: a Dashboard whose audit log cannot be written
/// (its Audit client points at a closed port; a fake for the failure path only) refuses the change and changes nothing.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class AuditFirstTests(DashboardFixture fixture)
{
    [Fact]
    public async Task A_change_that_cannot_be_recorded_is_not_made()
    {
        var site = await fixture.CreateSiteAsync("Unrecorded", "unrecorded.test");
        var (member, _, email) = await fixture.MemberAsync(site.SiteId, "viewer");
        member.Dispose();
        var links = fixture.DashboardServices.GetRequiredService<ShareLinks>();
        await links.CreateAsync(site.SiteId, DashboardFixture.AdminEmail, CancellationToken.None);
        var (dashboard, client) = fixture.StartSecondDashboard([], services => services.AddSingleton(provider => new AuditLog(
            new AmazonDynamoDBClient(new BasicAWSCredentials("x", "x"), new AmazonDynamoDBConfig { ServiceURL = "http://127.0.0.1:1", MaxErrorRetry = 0 }),
            provider.GetRequiredService<IOptions<StorageOptions>>())));
        await using var running = dashboard;
        using var admin = client;
        var (_, csrf) = await fixture.SignInAsync(DashboardFixture.AdminEmail, DashboardFixture.AdminPassword, admin);

        var promote = await DashboardFixture.SendAsync(admin, csrf, HttpMethod.Put, $"/account/sites/{site.SiteId}/members/{email}", new { role = "admin" });
        var remove = await DashboardFixture.SendAsync(admin, csrf, HttpMethod.Delete, $"/account/sites/{site.SiteId}/members/{email}");
        var revoke = await DashboardFixture.SendAsync(admin, csrf, HttpMethod.Delete, $"/account/sites/{site.SiteId}/share");
        var newUser = "unrecorded-" + Guid.NewGuid().ToString("N")[..8] + "@example.com";
        var create = await DashboardFixture.SendAsync(admin, csrf, HttpMethod.Post, "/account/users", new { email = newUser, password = "a long enough password", role = "member" });

        // Refused as the Api refuses it: 503 saying nothing was changed, with Retry-After (it was a bare 500).
        foreach (var response in new[] { promote, remove, revoke, create })
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("Nothing was changed", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(30), response.Headers.RetryAfter?.Delta);
        }

        var roles = await fixture.DashboardServices.GetRequiredService<MembershipRepository>().RolesOfAsync(email, CancellationToken.None);
        Assert.Equal(SiteRole.Viewer, roles[site.SiteId]);
        Assert.NotNull(await links.GetAsync(site.SiteId, CancellationToken.None));
        Assert.False(await fixture.DashboardServices.GetRequiredService<UserService>().ExistsAsync(newUser, CancellationToken.None));
    }
}
