using System.Net;
using LiveInsight.Dashboard.Account;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace LiveInsight.Dashboard.Tests.Security;

/// <summary>After sign-in the Dashboard goes back to where the person was: only ever a path of its own.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class ReturnUrlTests(DashboardFixture fixture)
{
    [Theory]
    [InlineData("/", true)]
    [InlineData("/?site=abc123&range=7d", true)]
    [InlineData("/share/abc-DEF_123/api", true)]
    [InlineData("/?q=a%20b", false)] // whitespace, even encoded: no page of ours needs it
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("https://evil.example/", false)]
    [InlineData("javascript:alert(1)", false)]
    [InlineData("evil.example", false)]
    [InlineData("//evil.example", false)]
    [InlineData("/\\evil.example", false)]
    [InlineData("\\\\evil.example", false)]
    [InlineData("/%09/evil.example", false)]
    [InlineData("/\t/evil.example", false)]
    [InlineData("/\n/evil.example", false)]
    [InlineData("/ /evil.example", false)]
    [InlineData("/%2fevil.example", false)]
    [InlineData("/%2Fevil.example", false)]
    [InlineData("/%5cevil.example", false)]
    [InlineData("/%252f%252fevil.example", false)]
    [InlineData("/%25252f%25252fevil.example", false)]
    [InlineData("/a/../%2f/evil.example", false)]
    [InlineData("/\u0000", false)]
    [InlineData("/caf\u00e9", false)]
    [InlineData("/%", true)] // not an escape at all: stays a harmless local path
    public void Only_a_path_of_this_site_is_a_return_url(string? url, bool safe)
    {
        Assert.Equal(safe, LocalUrl.IsSafe(url));
        Assert.Equal(safe ? url : "/", AccountApi.SafeReturnUrl(url));
    }

    [Theory]
    [InlineData("/%09/evil.example")]
    [InlineData("/\t/evil.example")]
    [InlineData("/%2f%2fevil.example")]
    [InlineData("/\\evil.example")]
    public async Task A_sign_in_with_a_foreign_return_url_goes_to_the_dashboard_and_never_fails(string returnUrl)
    {
        using var client = fixture.NewHttpClient();
        var form = await client.GetStringAsync($"/login?returnUrl={Uri.EscapeDataString(returnUrl)}");

        var response = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = DashboardFixture.CsrfField(form),
            ["email"] = DashboardFixture.AdminEmail,
            ["password"] = DashboardFixture.AdminPassword,
            ["returnUrl"] = returnUrl,
        }));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
        Assert.DoesNotContain("evil.example", form, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_single_sign_on_challenge_returns_only_to_a_path_of_this_site()
    {
        var (dashboard, client) = fixture.StartSecondDashboard(
            new()
            {
                ["LiveInsight:Dashboard:Oidc:Authority"] = "http://127.0.0.1:1/",
                ["LiveInsight:Dashboard:Oidc:ClientId"] = "dashboard",
            },
            // The provider is never contacted: its endpoints are given instead of discovered.
            services => services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
                options.Configuration = new OpenIdConnectConfiguration { AuthorizationEndpoint = "http://127.0.0.1:1/authorize" }));
        await using var running = dashboard;
        using var browser = client;
        var options = dashboard.Services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(OpenIdConnectDefaults.AuthenticationScheme);

        async Task<string?> RedirectAfterSignInAsync(string returnUrl)
        {
            var challenge = await client.GetAsync($"/login/oidc?returnUrl={Uri.EscapeDataString(returnUrl)}");
            Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
            var query = System.Web.HttpUtility.ParseQueryString(challenge.Headers.Location!.Query);
            return options.StateDataFormat.Unprotect(query["state"])?.RedirectUri;
        }

        Assert.Equal("/", await RedirectAfterSignInAsync("/%09/evil.example"));
        Assert.Equal("/", await RedirectAfterSignInAsync("/%5c%5cevil.example"));
        Assert.Equal("/?site=abc", await RedirectAfterSignInAsync("/?site=abc"));
    }
}
