using System.Net;
using System.Text;
using System.Text.Json;
using LiveInsight.Dashboard.Tests.Infrastructure;

namespace LiveInsight.Dashboard.Tests.Security;

/// <summary>Issue 14: a refusal says what was wrong. The JSON surfaces answer problem+json with a detail even where the
/// framework alone sends a bare status (a body it cannot bind, another content type, an unknown route); a form post the
/// framework refuses gets a page, not a blank one.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class RefusalFormatTests(DashboardFixture fixture)
{
    [Theory]
    [InlineData("POST", "/account/users", "application/json", "{\"email\":1}", 400, "not valid JSON")]
    [InlineData("POST", "/account/users", "application/json", "{\"email\":\"x", 400, "not valid JSON")]
    [InlineData("POST", "/account/users", "application/xml", "<x/>", 415, "application/json")]
    [InlineData("POST", "/account/users", "application/json; charset=utf-7", "{}", 415, "utf-7")]
    [InlineData("POST", "/account/users", "application/json; charset=nonsense", "{}", 415, "nonsense")]
    [InlineData("PUT", "/account/sites/{site}/members/a%40example.com", "application/json; charset=utf-7", "{}", 415, "utf-7")]
    [InlineData("POST", "/account/sites/{site}/invites", "text/plain", "{}", 415, "application/json")]
    [InlineData("GET", "/account/audit?limit=abc", null, null, 400, "limit")]
    [InlineData("GET", "/account/sites/{site}/audit?limit=99999999999", null, null, 400, "limit")]
    [InlineData("GET", "/proxy/api/sites/{site}/secret?site_id={site}", null, null, 404, "nothing at this address")]
    public async Task A_json_endpoint_refuses_bad_input_with_a_problem_that_says_what_was_wrong(
        string method, string path, string? contentType, string? body, int status, string reason)
    {
        var (siteId, _) = await fixture.CreateSiteAsync("Refusals", "refusals.test");
        var (admin, csrf) = await fixture.SignInAsAdminAsync();
        using var client = admin;
        using var request = new HttpRequestMessage(new HttpMethod(method), path.Replace("{site}", siteId, StringComparison.Ordinal));
        request.Headers.Add("X-CSRF-TOKEN", csrf);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        var response = await client.SendAsync(request);

        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(reason, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_proxy_refuses_a_change_without_its_csrf_token_and_a_second_user_with_one_e_mail_as_problems_with_a_detail()
    {
        var (siteId, _) = await fixture.CreateSiteAsync("Refusals", "refusals.test");
        var (admin, csrf) = await fixture.SignInAsAdminAsync();
        using var client = admin;

        var noToken = await client.PatchAsync($"/proxy/api/sites/{siteId}", new StringContent("{\"name\":\"x\"}", Encoding.UTF8, "application/json"));
        var exists = await DashboardFixture.SendAsync(client, csrf, HttpMethod.Post, "/account/users",
            new { email = DashboardFixture.AdminEmail, password = DashboardFixture.UserPassword, role = "member" });

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.Conflict), (noToken.StatusCode, exists.StatusCode));
        foreach (var (response, reason) in new[] { (noToken, "Reload the page"), (exists, "already exists") })
        {
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains(reason, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("email=a%40example.com&password=x", "application/x-www-form-urlencoded")]
    [InlineData("{\"email\":\"a@example.com\"}", "application/json")]
    public async Task A_login_form_the_framework_cannot_accept_gets_a_page_that_says_so(string body, string contentType)
    {
        using var client = fixture.NewHttpClient();
        await client.GetStringAsync("/login");

        var response = await client.PostAsync("/login", new StringContent(body, Encoding.UTF8, contentType));

        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("The form could not be sent", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
