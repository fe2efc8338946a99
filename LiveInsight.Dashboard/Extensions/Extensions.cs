using System.Text.Json;
using LiveInsight.Core.Privacy;
using LiveInsight.Core.Storage;
using LiveInsight.Dashboard.Account;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Proxy;
using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;

namespace LiveInsight.Dashboard.Extensions;

public static class Extensions
{
    public static IHostApplicationBuilder AddDashboardServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DashboardOptions>()
            .BindConfiguration(DashboardOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.AddLiveInsightStorage();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSharedDataProtection();
        builder.Services.AddSingleton<UserRepository>();
        builder.Services.AddSingleton<IPasswordHasher<DashboardUser>, PasswordHasher<DashboardUser>>();
        builder.Services.AddSingleton<UserService>();
        builder.Services.AddSingleton<LoginThrottle>();
        builder.Services.AddSingleton<SessionStamps>();
        builder.Services.AddSingleton<SessionList>();
        builder.Services.AddAccountSecurity();
        builder.Services.AddMemoryCache();
        builder.Services.AddSingleton<MembershipRepository>();
        builder.Services.AddSingleton<MembershipSiteRoles>();
        builder.Services.AddSingleton<InviteStore>();
        builder.Services.AddSingleton<ISiteRoles>(sp => sp.GetRequiredService<MembershipSiteRoles>());
        builder.Services.AddSingleton(sp => new ClientIpResolver(sp.GetRequiredService<IOptions<DashboardOptions>>().Value.Dashboard.TrustedProxies));
        builder.Services.AddSingleton<AuditTrail>();
        builder.Services.AddHttpClient<ApiSites>(client => client.BaseAddress = new Uri("http://api"));
        builder.Services.AddHttpClient<ApiReference>(client => client.BaseAddress = new Uri("http://api"));
        builder.Services.AddDashboardProblems();
        // Snake case like the Api, so the front end reads one style.
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower);

        var oidc = builder.Configuration.GetSection("LiveInsight:Dashboard:Oidc").Get<OidcSettings>() ?? new();
        var plainHttp = !(builder.Configuration.GetValue<bool?>("LiveInsight:Dashboard:SecureCookies")
            ?? !(builder.Environment.IsDevelopment() || builder.Environment.IsEnvironment("Testing")));
        var trustedProxies = builder.Configuration.GetSection("LiveInsight:Dashboard:TrustedProxies").Get<List<string>>() ?? [];
        builder.Services.Configure<ForwardedHeadersOptions>(options =>
        {
            // Only the scheme (the load balancer ends TLS), and only from the trusted proxies: from anyone else a claimed
            // "https" would make cookies and HSTS believe a plain-http request was secure. The client address for the
            // audit log comes from ClientIpResolver and the same proxies, never from whoever sent X-Forwarded-For.
            // With no known proxy at all the middleware would believe every sender, so then it reads nothing.
            options.ForwardedHeaders = trustedProxies.Count > 0 ? ForwardedHeaders.XForwardedProto : ForwardedHeaders.None;
            options.KnownIPNetworks.Clear();
            options.KnownProxies.Clear();
            foreach (var network in ProxyNetworks(trustedProxies))
            {
                options.KnownIPNetworks.Add(network);
            }
        });
        var authentication = builder.Services
            .AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(options =>
            {
                options.Cookie.Name = "li_session";
                options.Cookie.HttpOnly = true;
                // Strict unless an identity provider must send the user back here (a cross-site redirect).
                options.Cookie.SameSite = oidc.Enabled ? SameSiteMode.Lax : SameSiteMode.Strict;
                options.Cookie.SecurePolicy = plainHttp ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
                options.LoginPath = "/login";
                options.ExpireTimeSpan = TimeSpan.FromHours(12);
                options.SlidingExpiration = true;
                options.Events.OnSigningIn = SessionStamps.OnSigningInAsync;
                options.Events.OnValidatePrincipal = SessionStamps.OnValidatePrincipalAsync;
                options.Events.OnRedirectToLogin = context => Deny(context, StatusCodes.Status401Unauthorized);
                options.Events.OnRedirectToAccessDenied = context => Deny(context, StatusCodes.Status403Forbidden);
            });
        if (oidc.Enabled)
        {
            authentication.AddOpenIdConnect(OpenIdConnectDefaults.AuthenticationScheme, options => ConfigureOidc(options, oidc, plainHttp));
        }

        builder.Services.AddAuthorizationBuilder().AddDashboardPolicies();
        builder.Services.AddAntiforgery(options =>
        {
            options.HeaderName = Security.CsrfHeader;
            options.Cookie.Name = "li_csrf";
            options.Cookie.SameSite = SameSiteMode.Strict;
            options.Cookie.SecurePolicy = plainHttp ? CookieSecurePolicy.SameAsRequest : CookieSecurePolicy.Always;
        });
        builder.AddApiProxy();
        // Invite and share-link tokens are credentials: spans show /invite/{token} and /share/{token}/…, never the token.
        builder.Services.AddTokenPathPrefix("/invite");
        builder.Services.AddTokenPathPrefix(Sharing.SharedDashboard.Prefix);
        builder.Services.AddTokenPathPrefix(PasswordResetApi.Prefix);
        return builder;
    }

    /// <summary>Pages redirect to the login page; calls from the front end (proxy, session) get a status instead, and a
    /// signed-in user refused an administrators-only call is told why.</summary>
    private static Task Deny(Microsoft.AspNetCore.Authentication.RedirectContext<CookieAuthenticationOptions> context, int status)
    {
        var path = context.Request.Path;
        if (path.StartsWithSegments(ApiProxy.Prefix) || path.StartsWithSegments("/account") || path.StartsWithSegments(ApiReference.DocumentPath))
        {
            context.Response.StatusCode = status;
            if (status == StatusCodes.Status403Forbidden)
            {
                return context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = status, Title = "Not allowed", Detail = "This needs an installation administrator." },
                }).AsTask();
            }
        }
        else
        {
            context.Response.Redirect(context.RedirectUri);
        }

        return Task.CompletedTask;
    }

    /// <summary>The trusted proxies as networks (a bare address is that one host). Entries are checked by
    /// <see cref="TrustedProxies"/>, which refuses a bad one at start.</summary>
    private static IEnumerable<System.Net.IPNetwork> ProxyNetworks(List<string> cidrs)
    {
        _ = new TrustedProxies(cidrs);
        return cidrs.Select(entry => entry.Trim()).Select(entry => entry.Contains('/')
            ? System.Net.IPNetwork.Parse(entry)
            : new System.Net.IPNetwork(System.Net.IPAddress.Parse(entry), System.Net.IPAddress.Parse(entry).GetAddressBytes().Length * 8));
    }

    private static void ConfigureOidc(OpenIdConnectOptions options, OidcSettings oidc, bool plainHttp)
    {
        options.Authority = oidc.Authority;
        options.ClientId = oidc.ClientId;
        options.ClientSecret = oidc.ClientSecret;
        options.ResponseType = "code";
        options.UsePkce = true;
        options.SaveTokens = false;
        options.RequireHttpsMetadata = !plainHttp;
        // The provider's claim names as sent (email, email_verified, cognito:groups), not Microsoft's URIs for some of them.
        options.MapInboundClaims = false;
        if (plainHttp)
        {
            // Over plain http (local runs, tests) a browser drops the SameSite=None correlation and nonce cookies (None
            // needs Secure), and the callback then fails. Lax cookies go with a top-level GET from any site, so the
            // provider answers in the query string instead of a cross-site form post (the code is single use and
            // bound to PKCE's verifier either way).
            options.ResponseMode = OpenIdConnectResponseMode.Query;
            options.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.CorrelationCookie.SameSite = SameSiteMode.Lax;
            options.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.NonceCookie.SameSite = SameSiteMode.Lax;
        }

        options.SignInScheme = CookieAuthenticationDefaults.AuthenticationScheme;
        options.Scope.Add("email");
        options.Events.OnTokenValidated = SingleSignOn.OnTokenValidated;
        options.Events.OnRemoteFailure = SingleSignOn.OnRemoteFailure;
    }
}
