using System.Net;
using System.Text;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Stats;
using LiveInsight.Core.Sites;
using static LiveInsight.Api.Tests.Stats.StatsApiTests;

namespace LiveInsight.Api.Tests;

/// <summary>
/// Issue 14: every refusal says what was wrong, including those the framework makes itself (no route, wrong method,
/// a body it will not bind) and a JSON body in a charset .NET cannot read (that one answered 500).
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class ProblemDetailTests(ApiFixture fixture)
{
    [Theory]
    [InlineData("POST", "utf-7")]
    [InlineData("POST", "nonsense")]
    [InlineData("PATCH", "utf-7")]
    [InlineData("PATCH", "nonsense")]
    public async Task A_site_body_in_a_charset_dotnet_cannot_read_gets_415_naming_the_charset(string method, string charset)
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), method == "POST" ? "/api/sites" : $"/api/sites/{site.SiteId}")
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes("""{"name":"Shop","domains":["shop.example"]}""")),
        };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", $"application/json; charset={charset}");

        await AssertProblemAsync(await admin.SendAsync(request), HttpStatusCode.UnsupportedMediaType, $"charset '{charset}'");
    }

    [Fact]
    public async Task The_api_root_says_where_the_dashboard_health_and_tracker_are_instead_of_a_bare_404()
    {
        using var client = fixture.CreateClient();

        var index = await client.GetJsonAsync("/");

        Assert.Equal("/health", index.GetProperty("health").GetString());
        Assert.Equal("/liveinsight.js", index.GetProperty("tracker").GetString());
        Assert.Contains("dashboard", index.GetProperty("about").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/stats/summary", "site_id=")]
    [InlineData("/api/realtime/users", "'site_id'")]
    public async Task A_missing_parameter_is_named_as_callers_write_it_not_as_the_CSharp_parameter(string path, string named)
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", site.SecretKey);

        var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True(text.Contains(named, StringComparison.Ordinal), text);
        Assert.DoesNotContain("string siteId", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_site_id_is_named_in_the_404_of_every_site_change()
    {
        var unknown = SiteKeys.NewSiteId();
        using var admin = fixture.CreateAdminClient();
        using var patch = new HttpRequestMessage(HttpMethod.Patch, $"/api/sites/{unknown}")
        {
            Content = new StringContent("""{"name":"x"}""", Encoding.UTF8, "application/json"),
        };

        await AssertProblemAsync(await admin.SendAsync(patch), HttpStatusCode.NotFound, $"no site with id '{unknown}'");
        await AssertProblemAsync(await admin.PostAsync($"/api/sites/{unknown}/rotate-keys", null), HttpStatusCode.NotFound, $"no site with id '{unknown}'");
        await AssertProblemAsync(await admin.DeleteAsync($"/api/sites/{unknown}/retired-keys"), HttpStatusCode.NotFound, $"no site with id '{unknown}'");
    }

    [Fact]
    public async Task Unknown_routes_wrong_methods_and_bodies_the_framework_will_not_bind_get_a_detail()
    {
        using var admin = fixture.CreateAdminClient();

        await AssertProblemAsync(await admin.GetAsync("/api/nothing-here"), HttpStatusCode.NotFound, "Nothing answers GET /api/nothing-here");
        await AssertProblemAsync(await admin.PutAsync("/api/events", new StringContent("{}")), HttpStatusCode.MethodNotAllowed, "/api/events does not accept PUT");
        await AssertProblemAsync(await admin.PostAsync("/api/sites", new StringContent("<site/>", Encoding.UTF8, "application/xml")),
            HttpStatusCode.UnsupportedMediaType, "'application/xml; charset=utf-8'");
    }
}
