using System.Net;
using LiveInsight.Api.Tests.Infrastructure;
using static LiveInsight.Api.Tests.Stats.StatsApiTests;

namespace LiveInsight.Api.Tests.Stats;

[Collection(nameof(ApiCollection))]
public sealed class ReadAccessTests(ApiFixture fixture)
{
    public static TheoryData<string> ReadUrls =>
    [
        "/api/realtime/users", "/api/realtime/pages", "/api/stats/daily", "/api/stats/pages", "/api/stats/summary",
        "/api/stats/timeseries", "/api/stats/sources", "/api/stats/countries", "/api/stats/events",
    ];

    [Theory]
    [MemberData(nameof(ReadUrls))]
    public async Task A_key_of_site_a_reading_site_b_gets_404_like_an_unknown_site(string url)
    {
        var a = await fixture.CreateAsync();
        var b = await fixture.CreateAsync();
        using var client = fixture.CreateSiteClient(a);

        var own = await client.GetAsync($"{url}?site_id={a.SiteId}");
        var other = await client.GetAsync($"{url}?site_id={b.SiteId}");
        var unknown = await client.GetAsync($"{url}?site_id=nosuchsite00");

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        await AssertProblemAsync(other, HttpStatusCode.NotFound, "no site");
        await AssertProblemAsync(unknown, HttpStatusCode.NotFound, "no site");
    }

    [Fact]
    public async Task No_key_a_public_key_or_a_wrong_secret_is_401_and_the_admin_token_reads_any_site()
    {
        var site = await fixture.CreateAsync();
        using var anonymous = fixture.CreateClient();
        using var publicKey = fixture.CreateClient();
        publicKey.DefaultRequestHeaders.Authorization = new("Bearer", site.PublicKey);
        using var wrong = fixture.CreateClient();
        wrong.DefaultRequestHeaders.Authorization = new("Bearer", "sk_" + new string('x', 43));
        using var admin = fixture.CreateAdminClient();
        var url = $"/api/stats/summary?site_id={site.SiteId}";

        var none = await anonymous.GetAsync(url);
        await AssertProblemAsync(none, HttpStatusCode.Unauthorized, "secret key");
        Assert.Equal("Bearer", none.Headers.WwwAuthenticate.ToString());
        await AssertProblemAsync(await publicKey.GetAsync(url), HttpStatusCode.Unauthorized, "not a valid secret key");
        await AssertProblemAsync(await wrong.GetAsync(url), HttpStatusCode.Unauthorized, "not a valid secret key");
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync(url)).StatusCode);
        await AssertProblemAsync(await admin.GetAsync("/api/stats/summary?site_id=nosuchsite00"), HttpStatusCode.NotFound, "no site");
    }
}
