using System.Net.Http.Headers;
using LiveInsight.Api.Tests.Infrastructure;

namespace LiveInsight.Api.Tests;

/// <summary>Only ingestion is cross-origin (and only for a site's own origins): the read and admin APIs hold secret
/// keys, so no browser page on another origin may call them, not even the site's own pages.</summary>
[Collection(nameof(ApiCollection))]
public sealed class CorsTests(ApiFixture fixture)
{
    [Theory]
    [InlineData("GET", "/api/stats/summary?site_id={0}&range=today")]
    [InlineData("GET", "/api/realtime/users?site_id={0}")]
    [InlineData("GET", "/api/sites")]
    [InlineData("POST", "/api/sites")]
    [InlineData("PATCH", "/api/sites/{0}")]
    [InlineData("POST", "/api/sites/{0}/rotate-keys")]
    public async Task Read_and_admin_apis_answer_no_preflight_and_send_no_cors_headers_even_to_the_sites_own_origin(string method, string pathFormat)
    {
        var site = await fixture.CreateAsync(domains: ["cors.example.com"]);
        var path = string.Format(System.Globalization.CultureInfo.InvariantCulture, pathFormat, site.SiteId);
        using var client = fixture.CreateClient();

        using var preflight = new HttpRequestMessage(HttpMethod.Options, path);
        preflight.Headers.Add("Origin", "https://cors.example.com");
        preflight.Headers.Add("Access-Control-Request-Method", method);
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization");
        var answer = await client.SendAsync(preflight);

        Assert.False(answer.IsSuccessStatusCode, $"preflight answered {(int)answer.StatusCode}");
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"));

        // Even a simple request with a valid key gets no CORS header, so a page cannot read the answer.
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        request.Headers.Add("Origin", "https://cors.example.com");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", path.StartsWith("/api/sites", StringComparison.Ordinal) ? ApiFixture.AdminToken : site.SecretKey);
        if (method != "GET")
        {
            request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        }

        var response = await client.SendAsync(request);
        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"), $"{method} {path} sent Access-Control-Allow-Origin");
        Assert.False(response.Headers.Contains("Access-Control-Allow-Credentials"));
    }
}
