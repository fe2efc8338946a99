using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Core.Storage;
using LiveInsight.Dashboard.Tests.Infrastructure;

namespace LiveInsight.Dashboard.Tests.Sharing;

/// <summary>What the share tests do over HTTP as a signed-in user: sign in, make, revoke and read a site's link.</summary>
public sealed class ShareSteps(DashboardFixture fixture)
{
    public static string Unique(string name) => $"{name} {Guid.NewGuid().ToString("N")[..6]}";

    public async Task<(HttpClient Client, string Csrf)> SignedInAsync(string email, string password)
    {
        var client = fixture.NewHttpClient();
        var form = await client.GetStringAsync("/login");
        var login = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = DashboardFixture.CsrfField(form), ["email"] = email, ["password"] = password,
        }));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var session = await client.GetFromJsonAsync<JsonElement>("/account/session");
        return (client, session.GetProperty("csrf_token").GetString()!);
    }

    public Task<(HttpClient Client, string Csrf)> AdminAsync() => SignedInAsync(DashboardFixture.AdminEmail, DashboardFixture.AdminPassword);

    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, string? csrf)
    {
        using var request = new HttpRequestMessage(method, url);
        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF-TOKEN", csrf);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Creates (or replaces) the site's link as the administrator; returns its token.</summary>
    public async Task<string> CreateLinkAsync(string siteId)
    {
        var (admin, csrf) = await AdminAsync();
        using (admin)
        {
            var response = await SendAsync(admin, HttpMethod.Post, $"/account/sites/{siteId}/share", csrf);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var url = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!;
            Assert.StartsWith(fixture.DashboardUrl + "/share/", url);
            return url[(fixture.DashboardUrl.Length + "/share/".Length)..];
        }
    }

    public async Task RevokeLinkAsync(string siteId)
    {
        var (admin, csrf) = await AdminAsync();
        using (admin)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(admin, HttpMethod.Delete, $"/account/sites/{siteId}/share", csrf)).StatusCode);
        }
    }

    public async Task<JsonElement> LinkStatusAsync(string siteId)
    {
        var (admin, _) = await AdminAsync();
        using (admin)
        {
            return await admin.GetFromJsonAsync<JsonElement>($"/account/sites/{siteId}/share");
        }
    }

    public Amazon.DynamoDBv2.IAmazonDynamoDB Dynamo() => DynamoDbExtensions.CreateClient(fixture.Infrastructure.DynamoConnectionString);
}
