using System.Net;
using System.Text;
using System.Text.Json;
using LiveInsight.Dashboard.Tests.Infrastructure;

namespace LiveInsight.Dashboard.Tests.Security;

/// <summary>The proxy decides on the body the Api will bind, not on a second reading of the raw text: a site admin
/// cannot reach the installation-only rate limit through another spelling of its name, and what is checked is what
/// the Api gets.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class ProxyCanonicalBodyTests(DashboardFixture fixture)
{
    [Theory]
    [InlineData("""{"RATE_LIMIT_PER_MINUTE":10000000}""", HttpStatusCode.Forbidden)]
    [InlineData("""{"Rate_Limit_Per_Minute":10000000}""", HttpStatusCode.Forbidden)]
    [InlineData("""{"rate_limit_per_minut\u0065":10000000}""", HttpStatusCode.Forbidden)]
    [InlineData("""{"\u0072ATE_limit_per_minute":10000000}""", HttpStatusCode.Forbidden)]
    [InlineData("""{"name":"x","rate_limit_per_minute":1,"rate_limit_per_minute":10000000}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"name":"x","NAME":"y","RATE_LIMIT_PER_MINUTE":10000000}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"name":"Renamed","name":"Renamed again"}""", HttpStatusCode.BadRequest)]
    [InlineData("""[{"rate_limit_per_minute":10000000}]""", HttpStatusCode.BadRequest)]
    [InlineData("\"rate_limit_per_minute\"", HttpStatusCode.BadRequest)]
    [InlineData("10000000", HttpStatusCode.BadRequest)]
    [InlineData("not json at all", HttpStatusCode.BadRequest)]
    [InlineData("""{"name":"x",}""", HttpStatusCode.BadRequest)]
    [InlineData("", HttpStatusCode.BadRequest)]
    [InlineData("""{"name":"x\ud800y"}""", HttpStatusCode.BadRequest)]
    [InlineData("""{"\udfff\ud800":1}""", HttpStatusCode.BadRequest)]
    public async Task A_site_admin_cannot_change_the_rate_limit_or_anything_with_an_ambiguous_body(string body, HttpStatusCode expected)
    {
        var site = await fixture.CreateSiteAsync("Canonical", "canonical.test");
        var (owner, csrf, _) = await fixture.MemberAsync(site.SiteId, "admin");
        using var client = owner;

        var response = await PatchRawAsync(client, csrf, site.SiteId, body);

        Assert.Equal(expected, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var after = await SiteAsync(site.SiteId);
        Assert.Equal((0, "Canonical"), (after.GetProperty("rate_limit_per_minute").GetInt32(), after.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task What_the_proxy_checked_is_what_the_api_binds()
    {
        var site = await fixture.CreateSiteAsync("Escaped", "escaped.test");
        var (owner, csrf, _) = await fixture.MemberAsync(site.SiteId, "owner");
        var (admin, adminCsrf) = await fixture.SignInAsAdminAsync();
        using (owner)
        using (admin)
        {
            var renamed = await PatchRawAsync(owner, csrf, site.SiteId, """{"n\u0061me":"Caf\u00e9 by escape","HONOR_DNT":false}""");
            var limited = await PatchRawAsync(admin, adminCsrf, site.SiteId, """{"RATE_LIMIT_PER_MINUTE":5000}""");

            Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (renamed.StatusCode, limited.StatusCode));
            var after = await SiteAsync(site.SiteId);
            Assert.Equal(("Café by escape", false, 5000), (after.GetProperty("name").GetString(),
                after.GetProperty("honor_dnt").GetBoolean(), after.GetProperty("rate_limit_per_minute").GetInt32()));
        }
    }

    /// <summary>The proxy forwards the bytes it read as UTF-8 JSON, so only that is accepted: another charset or type
    /// would be checked as one text and bound by the Api as another (or, for a charset it cannot decode, fail there).</summary>
    [Theory]
    [InlineData("application/json; charset=utf-7")]
    [InlineData("application/json; charset=nonsense")]
    [InlineData("application/json; charset=utf-16")]
    [InlineData("text/plain")]
    public async Task A_settings_change_that_is_not_utf8_json_is_refused_by_the_dashboard_with_415(string contentType)
    {
        var site = await fixture.CreateSiteAsync("Charset", "charset.test");
        var (owner, csrf, _) = await fixture.MemberAsync(site.SiteId, "admin");
        using var client = owner;

        var response = await PatchRawAsync(client, csrf, site.SiteId, """{"name":"Renamed"}""", contentType);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("UTF-8", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal("Charset", (await SiteAsync(site.SiteId)).GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("site_id={mine}&site_id={other}")]
    [InlineData("site_id={other}&site_id={mine}")]
    [InlineData("site_id={mine}&SITE_ID={other}")]
    public async Task A_site_id_given_twice_is_refused_before_anything_is_read(string query)
    {
        var mine = await fixture.CreateSiteAsync("Mine", "mine-twice.test");
        var other = await fixture.CreateSiteAsync("Other", "other-twice.test");
        var (viewer, _, _) = await fixture.MemberAsync(mine.SiteId, "viewer");
        using var client = viewer;

        var response = await client.GetAsync("/proxy/api/stats/summary?" + query.Replace("{mine}", mine.SiteId).Replace("{other}", other.SiteId));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Give site_id once", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/proxy/api/stats/summary?site_id={mine.SiteId}")).StatusCode);
    }

    private static async Task<HttpResponseMessage> PatchRawAsync(HttpClient client, string csrf, string siteId, string body, string contentType = "application/json")
    {
        using var request = new HttpRequestMessage(HttpMethod.Patch, $"/proxy/api/sites/{siteId}") { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        request.Headers.Add("X-CSRF-TOKEN", csrf);
        return await client.SendAsync(request);
    }

    private async Task<JsonElement> SiteAsync(string siteId) =>
        (await fixture.ApiJsonAsync("/api/sites")).GetProperty("sites").EnumerateArray().Single(s => s.GetProperty("site_id").GetString() == siteId);
}
