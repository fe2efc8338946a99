using System.Security.Claims;
using LiveInsight.Core.Audit;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Extensions;
using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Account;

/// <summary>
/// Two-factor sign-in (RFC 6238, <see cref="Totp"/>). After a right password an account with it gets the code form
/// instead of a session; the form carries a signed 5-minute token of the password step (<see cref="TwoFactorService"/>),
/// and each code counts against the account's tries like a password (5, then the 15-minute lock) and the address's
/// sign-in budget. Settings are one server-rendered page: set up (pending secret, confirmed by a code, then 10
/// recovery codes shown once) and turn off (with a current code). With <c>RequireTwoFactor</c>, an account without it
/// is signed in only to this page (<see cref="TwoFactorGate"/>).
/// </summary>
public static class TwoFactorApi
{
    public const string Page = "/account/two-factor";
    public const string WrongCode = "That code is not right, or was used already. Codes change every 30 seconds; each works once.";

    public static IEndpointRouteBuilder MapTwoFactorApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/login/two-factor", SignIn).WithName("TwoFactorSignIn").AllowAnonymous();
        app.MapGet(Page, SettingsPage).WithName("TwoFactorPage").RequireAuthorization(Policies.Viewer);
        app.MapPost(Page, Change).WithName("TwoFactorChange").RequireAuthorization(Policies.Viewer);
        return app;
    }

    /// <summary>The password was right: what the login form answers instead of a session.</summary>
    public static IResult CodeForm(HttpContext context, IAntiforgery antiforgery, TwoFactorService twoFactor, DashboardUser user, string? returnUrl) =>
        CodeForm(context, antiforgery, twoFactor.PendingSignIn(user), returnUrl, null, StatusCodes.Status200OK);

    public static async Task<IResult> SignIn(
        HttpContext context, IAntiforgery antiforgery, UserService users, TwoFactorService twoFactor, LoginThrottle throttle, AuditTrail audit,
        [FromForm] string? pending, [FromForm] string? code, [FromForm] string? returnUrl, CancellationToken ct)
    {
        if (twoFactor.ReadPendingSignIn(pending) is not { } step)
        {
            return AccountApi.Html(AccountPages.Refused("The sign-in took longer than 5 minutes or was not valid: sign in again."), StatusCodes.Status400BadRequest);
        }

        var (attempt, retryAfter) = await throttle.ReserveAsync(audit.MaskedIp(context), ct);
        if (attempt is null)
        {
            AccountApi.SetRetryAfter(context, retryAfter);
            return CodeForm(context, antiforgery, pending!, returnUrl, AccountApi.TooManyAttempts(retryAfter), StatusCodes.Status429TooManyRequests);
        }

        var user = await users.FindLocalAsync(step.Email, ct);
        if (user is null || SignedTokens.Fingerprint(user.PasswordHash) != step.Fingerprint || !user.HasTwoFactor
            || !await users.ReserveCodeAttemptAsync(user, ct))
        {
            // Gone, password changed, or locked: the same words as a wrong code.
            return CodeForm(context, antiforgery, pending!, returnUrl, WrongCode, StatusCodes.Status401Unauthorized);
        }

        if (!await twoFactor.VerifyAsync(user, code, ct))
        {
            await users.FailedCodeAsync(user, ct);
            return CodeForm(context, antiforgery, pending!, returnUrl, WrongCode, StatusCodes.Status401Unauthorized);
        }

        await users.SucceededAsync(user, ct);
        await throttle.ReleaseAsync(attempt, ct);
        await AccountApi.SignInAsync(context, user.Email, user.Role);
        return TypedResults.LocalRedirect(AccountApi.SafeReturnUrl(returnUrl));
    }

    public static async Task<IResult> SettingsPage(
        HttpContext context, IAntiforgery antiforgery, UserService users, TwoFactorService twoFactor, IOptions<DashboardOptions> options, CancellationToken ct)
    {
        if (await users.FindLocalAsync(AuditTrail.Actor(context), ct) is not { } user)
        {
            return AccountApi.Html(AccountPages.Refused("Two-factor sign-in is for accounts with a password; single sign-on has its own."), StatusCodes.Status404NotFound);
        }

        if (user.HasTwoFactor && TwoFactorGate.MustEnrol(context.User))
        {
            // Turned on in another session: this one may go on.
            await AccountApi.SignInAsync(context, user.Email, user.Role, sessionId: SessionList.IdOf(context.User));
        }

        return Settings(context, antiforgery, user, await twoFactor.PendingAsync(user, ct), null, options, null, null, StatusCodes.Status200OK);
    }

    public static async Task<IResult> Change(
        HttpContext context, IAntiforgery antiforgery, UserService users, TwoFactorService twoFactor, AuditTrail audit, IOptions<DashboardOptions> options,
        [FromForm] string? step, [FromForm] string? code, CancellationToken ct)
    {
        if (await users.FindLocalAsync(AuditTrail.Actor(context), ct) is not { } user)
        {
            return AccountApi.Html(AccountPages.Refused("Two-factor sign-in is for accounts with a password; single sign-on has its own."), StatusCodes.Status404NotFound);
        }

        switch (step)
        {
            case "begin" when !user.HasTwoFactor:
                var started = await twoFactor.BeginAsync(user, ct);
                return Settings(context, antiforgery, user, started, null, options, null, null, StatusCodes.Status200OK);

            case "confirm" when !user.HasTwoFactor:
                var pending = await twoFactor.PendingAsync(user, ct);
                if (pending is null)
                {
                    return Settings(context, antiforgery, user, null, null, options, null, "Start the set-up again.", StatusCodes.Status400BadRequest);
                }

                if (await twoFactor.ConfirmAsync(user, code, ct) is not { } codes)
                {
                    return Settings(context, antiforgery, user, pending, null, options, null, WrongCode, StatusCodes.Status400BadRequest);
                }

                await audit.WriteAsync(context, AuditLog.Installation, AuditActions.UserTwoFactorEnable, user.Email, null);
                await AccountApi.SignInAsync(context, user.Email, user.Role, sessionId: SessionList.IdOf(context.User)); // an enforced enrolment is done
                return Settings(context, antiforgery, user with { TotpSecret = "on", RecoveryCodesLeft = codes.Count }, null, codes, options, null, null, StatusCodes.Status200OK);

            case "disable" when user.HasTwoFactor && !options.Value.Dashboard.RequireTwoFactor:
                if (!await users.ReserveCodeAttemptAsync(user, ct) || !await twoFactor.VerifyAsync(user, code, ct))
                {
                    await users.FailedCodeAsync(user, ct);
                    return Settings(context, antiforgery, user, null, null, options, null, WrongCode, StatusCodes.Status400BadRequest);
                }

                await users.SucceededAsync(user, ct);
                await twoFactor.DisableAsync(user, ct);
                await audit.WriteAsync(context, AuditLog.Installation, AuditActions.UserTwoFactorDisable, user.Email, null);
                return Settings(context, antiforgery, user with { TotpSecret = null }, null, null, options, "Two-factor sign-in is off.", null, StatusCodes.Status200OK);

            default:
                return Settings(context, antiforgery, user, await twoFactor.PendingAsync(user, ct), null, options, null,
                    "That cannot be done now (reload the page).", StatusCodes.Status400BadRequest);
        }
    }

    private static IResult Settings(
        HttpContext context, IAntiforgery antiforgery, DashboardUser user, (string Uri, string Key)? pending, IReadOnlyList<string>? codes,
        IOptions<DashboardOptions> options, string? notice, string? error, int status)
    {
        var form = antiforgery.GetAndStoreTokens(context);
        return AccountApi.Html(AccountPages.TwoFactorSettings(form.FormFieldName, form.RequestToken!, user.Email, user.HasTwoFactor,
            user.RecoveryCodesLeft, pending, codes, options.Value.Dashboard.RequireTwoFactor, notice, error), status);
    }

    private static IResult CodeForm(HttpContext context, IAntiforgery antiforgery, string pending, string? returnUrl, string? error, int status)
    {
        var form = antiforgery.GetAndStoreTokens(context);
        return AccountApi.Html(AccountPages.TwoFactorSignIn(form.FormFieldName, form.RequestToken!, pending, AccountApi.SafeReturnUrl(returnUrl), error), status);
    }
}

/// <summary>With <c>RequireTwoFactor</c>, a session of an account without two-factor sign-in carries
/// <see cref="ClaimType"/> and reaches only the two-factor page, the session call and sign-out; pages redirect there,
/// calls answer 403 saying why.</summary>
public static class TwoFactorGate
{
    public const string ClaimType = "li_must_enrol_2fa";

    public static bool MustEnrol(ClaimsPrincipal user) => user.HasClaim(ClaimType, "1");

    public static IApplicationBuilder UseTwoFactorGate(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var path = context.Request.Path;
        if (!MustEnrol(context.User) || path.StartsWithSegments(TwoFactorApi.Page) || path.StartsWithSegments("/account/session")
            || path.StartsWithSegments("/account/logout") || path.StartsWithSegments("/login") || path.StartsWithSegments("/health")
            || path.StartsWithSegments("/alive"))
        {
            await next(context);
            return;
        }

        if (HttpMethods.IsGet(context.Request.Method) && !path.StartsWithSegments("/proxy") && !path.StartsWithSegments("/account"))
        {
            context.Response.Redirect(TwoFactorApi.Page);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = StatusCodes.Status403Forbidden, Title = "Two-factor sign-in required", Detail = "This installation requires two-factor sign-in: set it up at " + TwoFactorApi.Page + " first." },
        });
    });
}
