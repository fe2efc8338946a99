using LiveInsight.Core.Audit;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Extensions;
using LiveInsight.Dashboard.Proxy;
using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;

namespace LiveInsight.Dashboard.Account;

/// <summary>
/// The page behind a one-time invite link: someone new chooses a password, someone with an account confirms theirs
/// (wrong passwords count towards the lockout and the address's throttle as at sign-in). Then the invite is used up
/// (atomically: a second use, even at the same moment, is refused), the role granted, the person signed in and sent to
/// the site's dashboard.
/// </summary>
public static class InviteApi
{
    public static IEndpointRouteBuilder MapInviteApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/invite/{token}", InvitePage).WithName("InvitePage").AllowAnonymous()
            .AddEndpointFilter<Sharing.TokenLookupLimitFilter>();
        app.MapPost("/invite/{token}", AcceptInvite).WithName("AcceptInvite").AllowAnonymous()
            .AddEndpointFilter<Sharing.TokenLookupLimitFilter>();
        return app;
    }

    public static async Task<IResult> InvitePage(
        HttpContext context, string token, IAntiforgery antiforgery, InviteStore invites, UserRepository users, ApiSites sites,
        CancellationToken ct)
    {
        if (await invites.FindAsync(token, context, ct) is not { } invite)
        {
            return Invalid();
        }

        var existing = await users.FindAsync(invite.Email, ct) is not null;
        return await FormAsync(context, antiforgery, sites, token, invite, existing, null, StatusCodes.Status200OK, ct);
    }

    public static async Task<IResult> AcceptInvite(
        HttpContext context, string token, IAntiforgery antiforgery, InviteStore invites, UserRepository users, UserService accounts,
        MembershipRepository memberships, MembershipSiteRoles roles, ApiSites sites, AuditTrail audit, LoginThrottle throttle,
        [FromForm] string? password, [FromForm] string? confirm, CancellationToken ct)
    {
        if (await invites.FindAsync(token, context, ct) is not { } invite)
        {
            return Invalid();
        }

        var existing = await users.FindAsync(invite.Email, ct);
        if (existing is not null)
        {
            // A password check like sign-in, so it draws on the same budget of the address: invite links are no way
            // around the login throttle.
            var (attempt, retryAfter) = await throttle.ReserveAsync(audit.MaskedIp(context), ct);
            if (attempt is null)
            {
                AccountApi.SetRetryAfter(context, retryAfter);
                return await FormAsync(context, antiforgery, sites, token, invite, true, AccountApi.TooManyAttempts(retryAfter), StatusCodes.Status429TooManyRequests, ct);
            }

            if (await accounts.VerifyAsync(invite.Email, password, ct) is null)
            {
                return await FormAsync(context, antiforgery, sites, token, invite, true, AccountApi.WrongCredentials, StatusCodes.Status401Unauthorized, ct);
            }

            await throttle.ReleaseAsync(attempt, ct);
        }

        if (existing is null && UserService.Validate(invite.Email, password, confirm ?? "") is { } problem)
        {
            return await FormAsync(context, antiforgery, sites, token, invite, false, problem, StatusCodes.Status400BadRequest, ct);
        }

        // The password is right (or acceptable): only now is the link used up, exactly once.
        if (await invites.ConsumeAsync(token, ct) is not { } used)
        {
            return Invalid();
        }

        // Recorded once the link is used up and before the account or role exists: a join that could not be recorded
        // does not happen (the link is spent; the owner sends a new one).
        await audit.WriteAsync(context, used.SiteId, AuditActions.MemberJoin, used.Email,
            $"as {used.Role.Name()}, invited by {used.InvitedBy}{(existing is null ? ", new account" : "")}", actor: used.Email);

        if (existing is null)
        {
            var user = accounts.NewUser(used.Email, password!, Roles.Member) with { Sites = new Dictionary<string, SiteRole> { [used.SiteId] = used.Role } };
            if (!await accounts.CreateAsync(user, ct))
            {
                return Invalid(); // an account with this e-mail appeared meanwhile; a new link will ask for its password
            }
        }
        else if (!existing.IsAdmin && !(existing.Sites.TryGetValue(used.SiteId, out var current) && current >= used.Role))
        {
            // An invite never lowers a role someone already has.
            await memberships.SetAsync(used.Email, used.SiteId, used.Role, ct);
        }

        roles.Forget(used.Email);
        await AccountApi.SignInAsync(context, used.Email, existing?.Role ?? Roles.Member);
        return TypedResults.LocalRedirect("/?site=" + Uri.EscapeDataString(used.SiteId));
    }

    private static async Task<IResult> FormAsync(
        HttpContext context, IAntiforgery antiforgery, ApiSites sites, string token, Invite invite, bool existing, string? error,
        int status, CancellationToken ct)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var siteName = await sites.NameOfAsync(invite.SiteId, ct) ?? invite.SiteId;
        return Html(AccountPages.Invite(tokens.FormFieldName, tokens.RequestToken!, token, invite.Email, siteName, invite.Role.Name(), existing, error), status);
    }

    private static IResult Invalid() => Html(AccountPages.InviteInvalid(), StatusCodes.Status404NotFound);

    private static IResult Html(string html, int status) => TypedResults.Content(html, "text/html; charset=utf-8", statusCode: status);
}
