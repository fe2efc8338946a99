using LiveInsight.Dashboard.Tests.Infrastructure;

namespace LiveInsight.Dashboard.Tests.Security;

/// <summary><c>X-Forwarded-Proto</c> says the browser's request was https: believed only from the configured trusted
/// proxies (the load balancer), never from a client that claims it. The Testing environment sets cookies Secure only on
/// https requests, so a cookie's Secure flag shows which scheme the Dashboard believed.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class ForwardedProtoTests(DashboardFixture fixture)
{
    [Fact]
    public async Task A_client_that_is_not_a_trusted_proxy_cannot_claim_https()
    {
        using var client = fixture.NewHttpClient();

        Assert.False(await CookieIsSecureAsync(client));
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("127.0.0.0/8", true)]
    [InlineData("10.0.0.0/8", false)]
    public async Task Only_a_trusted_proxy_says_the_request_was_https(string trustedProxy, bool secure)
    {
        var (dashboard, client) = fixture.StartSecondDashboard(new() { ["LiveInsight:Dashboard:TrustedProxies:0"] = trustedProxy });
        await using var running = dashboard;
        using var browser = client;

        Assert.Equal(secure, await CookieIsSecureAsync(client));
    }

    /// <summary>The antiforgery cookie the login page sets, asked for as if through a load balancer that ended TLS.</summary>
    private static async Task<bool> CookieIsSecureAsync(HttpClient client)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/login");
        request.Headers.Add("X-Forwarded-Proto", "https");
        var response = await client.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var cookie = response.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("li_csrf=", StringComparison.Ordinal));
        return cookie.Split(';').Any(part => part.Trim().Equals("secure", StringComparison.OrdinalIgnoreCase));
    }
}
