using System.Security.Claims;
using LiveInsight.Dashboard.Extensions;
using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Auth;

/// <summary>
/// Who a person signed in through OpenID Connect is here: their e-mail is their name (it picks their site roles and, for
/// <see cref="OidcSettings.AdminEmails"/>, the administrator role), so it counts only when the provider says it has
/// verified it. Many providers let anyone type any address into a new account; without <c>email_verified</c> such an
/// account could call itself an administrator's address. There is no setting to turn this off.
/// </summary>
public static class SingleSignOn
{
    public const string EmailVerifiedClaim = "email_verified";

    /// <summary>The login page's <c>?error=</c> after a failed single sign-on, and what it then says.</summary>
    public const string FailedError = "sso";

    public const string FailedMessage =
        "Single sign-on did not sign you in: the identity provider refused, or did not confirm that your e-mail address is verified.";

    public static Task OnTokenValidated(TokenValidatedContext context)
    {
        if (PrincipalFor(context.Principal, context.HttpContext.RequestServices.GetRequiredService<IOptions<DashboardOptions>>().Value.Dashboard.Oidc) is { } principal)
        {
            // Keep only what the dashboard uses: the e-mail as name and a role from the configured administrators.
            context.Principal = principal;
        }
        else
        {
            context.Fail("The identity provider has not verified this person's e-mail address.");
        }

        return Task.CompletedTask;
    }

    /// <summary>A failed sign-in goes back to the login page with a reason, instead of an error page.</summary>
    public static Task OnRemoteFailure(RemoteFailureContext context)
    {
        context.Response.Redirect($"/login?error={FailedError}");
        context.HandleResponse();
        return Task.CompletedTask;
    }

    /// <summary>The Dashboard's principal for the provider's, or null when there is no verified e-mail address. The
    /// administrator role comes from <see cref="OidcSettings.AdminEmails"/> or from a group of
    /// <see cref="OidcSettings.AdminGroups"/> in the provider's <see cref="OidcSettings.GroupsClaim"/> (Cognito's
    /// <c>cognito:groups</c>); a group's name is compared exactly, as the provider spells it.</summary>
    public static ClaimsPrincipal? PrincipalFor(ClaimsPrincipal? provided, OidcSettings settings)
    {
        var email = provided?.FindFirstValue(ClaimTypes.Email) ?? provided?.FindFirstValue("email");
        // A JSON boolean arrives as "true"; some providers (older Cognito pools) send the string "true".
        var verified = string.Equals(provided?.FindFirstValue(EmailVerifiedClaim), "true", StringComparison.OrdinalIgnoreCase);
        if (!verified || EmailAddress.Normalise(email) is not { } normalised)
        {
            return null;
        }

        var groups = provided!.FindAll(settings.GroupsClaim).Select(claim => claim.Value).ToHashSet(StringComparer.Ordinal);
        var admin = settings.AdminEmails.Any(address => EmailAddress.Normalise(address) == normalised)
            || settings.AdminGroups.Any(groups.Contains);
        var role = admin ? Roles.Admin : Roles.Member;
        return new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, normalised), new Claim(ClaimTypes.Email, normalised), new Claim(ClaimTypes.Role, role)],
            CookieAuthenticationDefaults.AuthenticationScheme));
    }
}
