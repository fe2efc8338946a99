using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Audit;
using Microsoft.Extensions.DependencyInjection;
using static LiveInsight.Api.Tests.Ingestion.EventPosting;

namespace LiveInsight.Api.Tests.Ingestion;

/// <summary>
/// Events in a site's name only for the site's own pages: <c>Origin: null</c> (a sandboxed iframe on any page) is
/// refused unless the site opts in, and every event's page must be on the site's domains, whatever the Origin says.
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class ForeignPageTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_request_with_origin_null_is_refused_with_a_403_the_tracker_can_read()
    {
        var domain = TestSites.UniqueDomain();
        var site = await fixture.CreateAsync(domains: [domain]);
        using var client = fixture.CreateClient();

        var response = await client.SendAsync(Request(Batch(site.PublicKey, PageView($"https://{domain}/")), contentType: "text/plain", origin: "null"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("allow_null_origin", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("null", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Empty(await fixture.StreamEventsAsync(site.SiteId));
    }

    [Fact]
    public async Task A_site_that_allows_null_origin_takes_such_requests_but_only_for_pages_on_its_domains()
    {
        var domain = TestSites.UniqueDomain();
        var site = await fixture.CreateAsync(domains: [domain]);
        using var admin = fixture.CreateAdminClient();
        using var client = fixture.CreateClient();

        var patched = await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new { allow_null_origin = true });
        var response = await client.SendAsync(Request(
            Batch(site.PublicKey, PageView($"https://{domain}/embedded"), PageView("https://attacker.example/forged")), origin: "null"));

        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.True((await patched.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("allow_null_origin").GetBoolean());
        Assert.True((await fixture.GetSummaryAsync(site.SiteId)).GetProperty("allow_null_origin").GetBoolean());
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("null", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("foreign_host=1", response.Headers.GetValues("X-LiveInsight-Dropped").Single());
        var kept = Assert.Single(await fixture.StreamEventsAsync(site.SiteId));
        Assert.Equal("/embedded", kept.GetProperty("path").GetString());
        var audit = await fixture.Factory.Services.GetRequiredService<AuditLog>().ListAsync(site.SiteId, 50, CancellationToken.None);
        Assert.Contains(audit, e => e.Action == AuditActions.SiteUpdate && e.Details == "allow_null_origin=true");
    }

    [Fact]
    public async Task A_new_site_refuses_null_origin_unless_created_with_the_setting()
    {
        var strictDomain = TestSites.UniqueDomain();
        var openDomain = TestSites.UniqueDomain();
        var strict = await fixture.CreateAsync(domains: [strictDomain]);
        var open = await fixture.CreateAsync(domains: [openDomain], allowNullOrigin: true);
        using var client = fixture.CreateClient();

        var refused = await client.SendAsync(Request(Batch(strict.PublicKey, PageView($"https://{strictDomain}/")), origin: "null"));
        var accepted = await client.SendAsync(Request(Batch(open.PublicKey, PageView($"https://{openDomain}/")), origin: "null"));

        Assert.False((await fixture.GetSummaryAsync(strict.SiteId)).GetProperty("allow_null_origin").GetBoolean());
        Assert.True((await fixture.GetSummaryAsync(open.SiteId)).GetProperty("allow_null_origin").GetBoolean());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    [Fact]
    public async Task A_server_side_sender_without_origin_is_accepted_but_events_for_other_hosts_are_dropped_as_foreign_host()
    {
        var domain = TestSites.UniqueDomain();
        var site = await fixture.CreateAsync(domains: [domain]);
        using var client = fixture.CreateClient();

        var response = await client.SendAsync(Request(Batch(
            site.PublicKey,
            PageView($"https://www.{domain}/mine"),
            PageView("https://attacker.example/forged"),
            PageView($"https://blog.{domain}/not-allowed-subdomain"))));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((1, 2), (body.GetProperty("accepted").GetInt32(), body.GetProperty("dropped").GetInt32()));
        Assert.Equal("foreign_host=2", response.Headers.GetValues("X-LiveInsight-Dropped").Single());
        Assert.Equal(["/mine"], (await fixture.StreamEventsAsync(site.SiteId)).Select(e => e.GetProperty("path").GetString()));
    }

    [Fact]
    public async Task A_page_on_another_host_is_dropped_even_when_the_origin_is_the_sites_own()
    {
        var domain = TestSites.UniqueDomain();
        var site = await fixture.CreateAsync(domains: [domain], allowSubdomains: true);
        using var client = fixture.CreateClient();

        var response = await client.SendAsync(Request(
            Batch(site.PublicKey, PageView($"https://shop.{domain}/cart"), PageView("https://other.example/")), origin: $"https://{domain}"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("foreign_host=1", response.Headers.GetValues("X-LiveInsight-Dropped").Single());
        Assert.Equal(["/cart"], (await fixture.StreamEventsAsync(site.SiteId)).Select(e => e.GetProperty("path").GetString()));
    }
}
