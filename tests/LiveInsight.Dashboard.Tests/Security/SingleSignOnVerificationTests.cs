using System.Net;
using System.Security.Claims;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Tests.Infrastructure;
using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace LiveInsight.Dashboard.Tests.Security;

/// <summary>A provider's e-mail names the person here (and may make them an administrator), so it counts only when the
/// provider has verified it. The provider is never contacted: the Dashboard's own configured token-validated step is
/// run on the claims a provider would send.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class SingleSignOnVerificationTests(DashboardFixture fixture)
{
    private const string Boss = "boss@example.com";

    [Theory]
    [InlineData(null)]
    [InlineData("false")]
    [InlineData("")]
    [InlineData("yes")]
    public async Task An_unverified_email_is_refused_and_gains_no_admin_role(string? emailVerified)
    {
        var (dashboard, client) = StartOidcDashboard();
        await using var running = dashboard;
        using var browser = client;

        var result = await ValidateAsync(dashboard.Services, Boss, emailVerified);

        Assert.NotNull(result.Result?.Failure);
        Assert.False(result.Principal?.IsInRole(Roles.Admin) ?? false);
        Assert.NotEqual(Boss, result.Principal?.Identity?.Name);
    }

    [Theory]
    [InlineData("true", Boss, Roles.Admin)]
    [InlineData("True", " BOSS@Example.com ", Roles.Admin)]
    [InlineData("true", "someone@example.com", Roles.Member)]
    public async Task A_verified_email_signs_in_with_the_role_its_address_has(string emailVerified, string email, string role)
    {
        var (dashboard, client) = StartOidcDashboard();
        await using var running = dashboard;
        using var browser = client;

        var result = await ValidateAsync(dashboard.Services, email, emailVerified);

        Assert.Null(result.Result?.Failure);
        Assert.Equal(email.Trim().ToLowerInvariant(), result.Principal!.Identity!.Name);
        Assert.True(result.Principal.IsInRole(role));
    }

    [Fact]
    public async Task A_verified_address_with_a_display_name_is_refused()
    {
        var (dashboard, client) = StartOidcDashboard();
        await using var running = dashboard;
        using var browser = client;

        var result = await ValidateAsync(dashboard.Services, $"Eve <{Boss}>", "true");

        Assert.NotNull(result.Result?.Failure);
        Assert.False(result.Principal?.IsInRole(Roles.Admin) ?? false);
    }

    [Fact]
    public async Task A_refused_single_sign_on_lands_on_the_login_page_saying_why()
    {
        var (dashboard, client) = StartOidcDashboard();
        await using var running = dashboard;
        using var browser = client;

        // A callback the handler cannot accept (no state) is a remote failure, as a refused token is.
        var callback = await client.PostAsync("/signin-oidc", new FormUrlEncodedContent(new Dictionary<string, string> { ["code"] = "x" }));
        var login = await client.GetStringAsync(callback.Headers.Location!.OriginalString);

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/login?error=sso", callback.Headers.Location.OriginalString);
        Assert.Contains(WebUtility.HtmlEncode(Auth.SingleSignOn.FailedMessage), login, StringComparison.Ordinal);
    }

    private (Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactory<UserService> Dashboard, HttpClient Client) StartOidcDashboard() =>
        fixture.StartSecondDashboard(
            new()
            {
                ["LiveInsight:Dashboard:Oidc:Authority"] = "http://127.0.0.1:1/",
                ["LiveInsight:Dashboard:Oidc:ClientId"] = "dashboard",
                ["LiveInsight:Dashboard:Oidc:AdminEmails:0"] = Boss,
            },
            services => services.Configure<OpenIdConnectOptions>(OpenIdConnectDefaults.AuthenticationScheme, options =>
                options.Configuration = new OpenIdConnectConfiguration { AuthorizationEndpoint = "http://127.0.0.1:1/authorize" }));

    /// <summary>What the Dashboard makes of a provider's validated ID token with these claims.</summary>
    private static async Task<TokenValidatedContext> ValidateAsync(IServiceProvider services, string email, string? emailVerified)
    {
        var options = services.GetRequiredService<IOptionsMonitor<OpenIdConnectOptions>>().Get(OpenIdConnectDefaults.AuthenticationScheme);
        List<Claim> claims = [new("sub", "provider-user-1"), new(ClaimTypes.Email, email)];
        if (emailVerified is not null)
        {
            claims.Add(new("email_verified", emailVerified));
        }

        var http = new DefaultHttpContext { RequestServices = services };
        var scheme = new AuthenticationScheme(OpenIdConnectDefaults.AuthenticationScheme, null, typeof(OpenIdConnectHandler));
        var context = new TokenValidatedContext(http, scheme, options, new ClaimsPrincipal(new ClaimsIdentity(claims, "oidc")), new AuthenticationProperties());
        await options.Events.TokenValidated(context);
        return context;
    }
}
