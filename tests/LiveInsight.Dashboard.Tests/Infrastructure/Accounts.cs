using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace LiveInsight.Dashboard.Tests.Infrastructure;

/// <summary>Signed-in HTTP clients and users with roles, the way the front end and an administrator make them.</summary>
public sealed partial class DashboardFixture
{
    public const string UserPassword = "a member's password 2026";

    /// <summary>A client signed in through the login form, with the CSRF token the front end would send.</summary>
    /// <param name="client">A client of another Dashboard (see <see cref="StartSecondDashboard"/>); default: a new one of the fixture's.</param>
    public async Task<(HttpClient Client, string Csrf)> SignInAsync(string email, string password, HttpClient? client = null)
    {
        client ??= NewHttpClient();
        var form = await client.GetStringAsync("/login");
        var login = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = CsrfField(form), ["email"] = email, ["password"] = password,
        }));
        if (login.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"{email} could not sign in: {(int)login.StatusCode}");
        }

        var session = await client.GetFromJsonAsync<JsonElement>("/account/session");
        return (client, session.GetProperty("csrf_token").GetString()!);
    }

    public Task<(HttpClient Client, string Csrf)> SignInAsAdminAsync() => SignInAsync(AdminEmail, AdminPassword);

    /// <summary>A new user (unique e-mail) with a role on one site, created by the administrator; signed in.</summary>
    public async Task<(HttpClient Client, string Csrf, string Email)> MemberAsync(string siteId, string role)
    {
        var email = $"{role}-{Guid.NewGuid():N}"[..20] + "@example.com";
        var (admin, csrf) = await SignInAsAdminAsync();
        using (admin)
        {
            var created = await SendAsync(admin, csrf, HttpMethod.Post, "/account/users",
                new { email, password = UserPassword, role, site_id = siteId });
            if (created.StatusCode != HttpStatusCode.Created)
            {
                throw new InvalidOperationException($"user not created: {(int)created.StatusCode} {await created.Content.ReadAsStringAsync()}");
            }
        }

        var (client, memberCsrf) = await SignInAsync(email, UserPassword);
        return (client, memberCsrf, email);
    }

    /// <summary>A state-changing call as the front end makes it: JSON body and the X-CSRF-TOKEN header.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, string csrf, HttpMethod method, string url, object? body = null)
    {
        using var request = new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.Add("X-CSRF-TOKEN", csrf);
        return await client.SendAsync(request);
    }
}
