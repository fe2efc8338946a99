using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Extensions;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Account;

/// <summary>The dashboard page itself (a static shell; its data comes through the proxy) for signed-in users only.</summary>
public static class AppShell
{
    public static IEndpointRouteBuilder MapAppShell(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", (HttpContext context, IWebHostEnvironment env) =>
            {
                // A signed-in page: after signing out, a reload or a new visit must ask the server (and meet the login
                // page), not show the shell from the browser's cache.
                context.Response.Headers.CacheControl = "no-store";
                return TypedResults.PhysicalFile(Path.Combine(env.WebRootPath, "app.html"), "text/html; charset=utf-8");
            })
            .WithName("Dashboard")
            .RequireAuthorization(Policies.Viewer);

        if (app.ServiceProvider.GetRequiredService<IOptions<DashboardOptions>>().Value.Dashboard.Oidc.Enabled)
        {
            app.MapGet("/login/oidc", (string? returnUrl) => TypedResults.Challenge(
                    new AuthenticationProperties { RedirectUri = AccountApi.SafeReturnUrl(returnUrl) },
                    [OpenIdConnectDefaults.AuthenticationScheme]))
                .WithName("LoginOidc")
                .AllowAnonymous();
        }

        return app;
    }
}
