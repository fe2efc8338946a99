using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Api.Ingestion;
using LiveInsight.Api.Tests.Infrastructure;
using static LiveInsight.Api.Tests.Ingestion.EventPosting;

namespace LiveInsight.Api.Tests.Sites;

[Collection(nameof(ApiCollection))]
public sealed class SubdomainTests(ApiFixture fixture)
{
    public static TheoryData<string, string, bool, bool> Hosts => new()
    {
        { "example.com", "example.com", false, true },
        { "www.example.com", "example.com", false, true },
        { "example.com", "www.example.com", false, true },
        { "blog.example.com", "example.com", false, false },
        { "blog.example.com", "example.com", true, true },
        { "a.b.example.com", "example.com", true, true },
        { "blog.example.com", "www.example.com", true, true },
        { "BLOG.Example.COM", "example.com", true, true },
        { "evilexample.com", "example.com", true, false },
        { "www.evilexample.com", "example.com", true, false },
        { "example.com.evil.net", "example.com", true, false },
        { "1.203.0.113.5", "203.0.113.5", true, false },
    };

    [Theory]
    [MemberData(nameof(Hosts))]
    public void Origin_hosts_match_a_domain_by_the_sites_subdomain_setting(string host, string domain, bool allowSubdomains, bool expected) =>
        Assert.Equal(expected, OriginRules.HostMatches(host, domain, allowSubdomains));

    [Fact]
    public async Task With_subdomains_allowed_a_subdomain_may_send_events_and_a_lookalike_may_not()
    {
        var domain = TestSites.UniqueDomain();
        var site = await fixture.CreateAsync(domains: [domain], allowSubdomains: true);
        using var client = fixture.CreateClient();

        Assert.Equal(HttpStatusCode.Accepted, await IngestAsync(client, site.PublicKey, $"https://blog.{domain}"));
        Assert.Equal(HttpStatusCode.Forbidden, await IngestAsync(client, site.PublicKey, $"https://evil{domain}"));
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(Preflight($"https://blog.{domain}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(Preflight($"https://evil{domain}"))).StatusCode);
        Assert.True((await fixture.GetSummaryAsync(site.SiteId)).GetProperty("allow_subdomains").GetBoolean());
    }

    [Fact]
    public async Task Without_the_setting_a_subdomain_is_refused_on_ingestion_and_preflight()
    {
        var domain = TestSites.UniqueDomain();
        var site = await fixture.CreateAsync(domains: [domain]);
        using var client = fixture.CreateClient();

        Assert.Equal(HttpStatusCode.Forbidden, await IngestAsync(client, site.PublicKey, $"https://blog.{domain}"));
        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(Preflight($"https://blog.{domain}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, await IngestAsync(client, site.PublicKey, $"https://www.{domain}"));
        Assert.False((await fixture.GetSummaryAsync(site.SiteId)).GetProperty("allow_subdomains").GetBoolean());
    }

    [Fact]
    public async Task The_preflight_follows_each_sites_own_setting()
    {
        var strict = TestSites.UniqueDomain();
        var open = TestSites.UniqueDomain();
        await fixture.CreateAsync(domains: [strict]);
        await fixture.CreateAsync(domains: [open], allowSubdomains: true);
        using var client = fixture.CreateClient();

        Assert.Equal(HttpStatusCode.Forbidden, (await client.SendAsync(Preflight($"https://shop.{strict}"))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(Preflight($"https://shop.{open}"))).StatusCode);
    }

    [Fact]
    public async Task Turning_the_setting_on_with_patch_takes_effect_at_once()
    {
        var domain = TestSites.UniqueDomain();
        var site = await fixture.CreateAsync(domains: [domain]);
        using var admin = fixture.CreateAdminClient();
        using var client = fixture.CreateClient();
        Assert.Equal(HttpStatusCode.Forbidden, await IngestAsync(client, site.PublicKey, $"https://blog.{domain}"));

        var response = await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new { allow_subdomains = true });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("allow_subdomains").GetBoolean());
        Assert.Equal(HttpStatusCode.Accepted, await IngestAsync(client, site.PublicKey, $"https://blog.{domain}"));
        Assert.Equal(HttpStatusCode.NoContent, (await client.SendAsync(Preflight($"https://blog.{domain}"))).StatusCode);
    }

    private static async Task<HttpStatusCode> IngestAsync(HttpClient client, string publicKey, string origin) =>
        (await client.SendAsync(Request(Batch(publicKey, PageView(origin + "/")), origin: origin))).StatusCode;

    private static HttpRequestMessage Preflight(string origin)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, "/api/events");
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", "POST");
        return request;
    }
}
