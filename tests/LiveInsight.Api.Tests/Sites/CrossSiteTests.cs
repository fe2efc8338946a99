using System.Net;
using System.Net.Http.Headers;
using LiveInsight.Api.Tests.Infrastructure;
using static LiveInsight.Api.Tests.Ingestion.EventPosting;

namespace LiveInsight.Api.Tests.Sites;

/// <summary>A site's keys reach that site only: nothing written with them lands in, and nothing of, another site.</summary>
[Collection(nameof(ApiCollection))]
public sealed class CrossSiteTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_key_of_site_a_can_neither_write_events_to_nor_read_stats_of_site_b()
    {
        var a = await fixture.CreateAsync(domains: ["a.example.com"]);
        var b = await fixture.CreateAsync(domains: ["b.example.com"]);
        using var client = fixture.CreateClient();

        // From B's pages with A's key: refused by origin.
        var fromB = await client.SendAsync(Request(Batch(a.PublicKey, PageView("https://b.example.com/")), origin: "https://b.example.com"));
        // Without an origin (a server): accepted, counted for A, the key's site, and only for A's own pages.
        var noOrigin = await client.SendAsync(Request(Batch(a.PublicKey, PageView("https://a.example.com/"), PageView("https://b.example.com/"))));
        using var reader = fixture.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", a.SecretKey);
        var readB = await reader.GetAsync($"/api/stats/summary?site_id={b.SiteId}");
        var realtimeB = await reader.GetAsync($"/api/realtime/users?site_id={b.SiteId}");

        Assert.Equal(HttpStatusCode.Forbidden, fromB.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, noOrigin.StatusCode);
        Assert.Equal("foreign_host=1", noOrigin.Headers.GetValues("X-LiveInsight-Dropped").Single());
        Assert.Single(await fixture.StreamEventsAsync(a.SiteId));
        Assert.Empty(await fixture.StreamEventsAsync(b.SiteId));
        Assert.Equal(HttpStatusCode.NotFound, readB.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, realtimeB.StatusCode);
    }
}
