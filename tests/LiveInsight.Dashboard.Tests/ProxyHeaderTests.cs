using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Dashboard.Tests.Infrastructure;
using LiveInsight.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;

namespace LiveInsight.Dashboard.Tests;

/// <summary>
/// What the proxy tells the Api about the acting user. A second Dashboard (same tables, so the same accounts) is pointed
/// at a stand-in "Api" that answers with the headers it received, and trusts 127.0.0.1 as its load balancer.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class ProxyHeaderTests(DashboardFixture fixture)
{
    [Fact]
    public async Task The_proxy_names_the_signed_in_user_and_their_masked_address_and_drops_what_the_browser_claims()
    {
        var echoPort = ExternalProcess.FreePort();
        var echo = WebApplication.CreateBuilder();
        echo.WebHost.UseUrls($"http://127.0.0.1:{echoPort}");
        await using var api = echo.Build();
        api.Run(context => context.Response.WriteAsJsonAsync(
            context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString())));
        await api.StartAsync();

        var port = ExternalProcess.FreePort();
        await using var dashboard = new WebApplicationFactory<Users.UserService>().WithWebHostBuilder(web => web
            .UseEnvironment("Testing")
            .UseSetting("ConnectionStrings:dynamodb", fixture.Infrastructure.DynamoConnectionString)
            .UseSetting("LiveInsight:AdminToken", DashboardFixture.AdminToken)
            .UseSetting("LiveInsight:Storage:TablePrefix", fixture.TablePrefix)
            .UseSetting("LiveInsight:Dashboard:TrustedProxies:0", "127.0.0.1")
            .UseSetting("services:api:http:0", $"http://127.0.0.1:{echoPort}"));
        dashboard.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        dashboard.StartServer();

        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        };
        var form = await client.GetStringAsync("/login");
        await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = DashboardFixture.CsrfField(form),
            ["email"] = DashboardFixture.AdminEmail,
            ["password"] = DashboardFixture.AdminPassword,
        }));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/proxy/api/stats/summary?site_id=anysite");
        request.Headers.Add("X-LiveInsight-Actor", "someone-else@example.com");
        request.Headers.Add("X-LiveInsight-Actor-Ip", "10.9.8.7");
        request.Headers.Add("X-Forwarded-For", "198.51.100.1, 203.0.113.77");

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(DashboardFixture.AdminEmail, headers.GetProperty("x-liveinsight-actor").GetString());
        Assert.Equal("203.0.113.0", headers.GetProperty("x-liveinsight-actor-ip").GetString());
        Assert.Equal($"Bearer {DashboardFixture.AdminToken}", headers.GetProperty("authorization").GetString());
        Assert.False(headers.TryGetProperty("cookie", out _));
    }
}
