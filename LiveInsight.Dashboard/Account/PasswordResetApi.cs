using LiveInsight.Core.Audit;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Extensions;
using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Account;

/// <summary>
/// "Forgot your password?": the request form answers the same words, status and (within noise) time for any address,
/// so it tells nobody which addresses have accounts: both paths read the Users table once and sign one link, and the
/// mail itself goes out in the background (<see cref="AccountMail"/>). Each request counts against the address's
/// sign-in budget (<see cref="LoginThrottle"/>), which also bounds the mail one network can cause. The link
/// (<see cref="PasswordResetTokens"/>) sets a new password once, within 30 minutes, and ends every session.
/// </summary>
public static class PasswordResetApi
{
    public const string Prefix = "/reset";

    public const string DoneNotice = "Your password was changed and every session of the account ended. Sign in with the new password.";

    public static IEndpointRouteBuilder MapPasswordResetApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/login/forgot", ForgotPage).WithName("ForgotPasswordPage").AllowAnonymous();
        app.MapPost("/login/forgot", Forgot).WithName("ForgotPassword").AllowAnonymous();
        app.MapGet(Prefix + "/{token}", ResetPage).WithName("ResetPasswordPage").AllowAnonymous();
        app.MapPost(Prefix + "/{token}", Reset).WithName("ResetPassword").AllowAnonymous();
        return app;
    }

    public static IResult ForgotPage(HttpContext context, IAntiforgery antiforgery) =>
        ForgotForm(context, antiforgery, null, null, null, StatusCodes.Status200OK);

    public static async Task<IResult> Forgot(
        HttpContext context, IAntiforgery antiforgery, UserService users, PasswordResetTokens tokens, AccountMail mail,
        LoginThrottle throttle, AuditTrail audit, IOptions<DashboardOptions> options, ILoggerFactory logs,
        [FromForm] string? email, CancellationToken ct)
    {
        var (attempt, retryAfter) = await throttle.ReserveAsync(audit.MaskedIp(context), ct);
        if (attempt is null)
        {
            AccountApi.SetRetryAfter(context, retryAfter);
            return ForgotForm(context, antiforgery, email, null, AccountApi.TooManyAttempts(retryAfter), StatusCodes.Status429TooManyRequests);
        }

        if (!EmailAddress.IsValid(email))
        {
            return ForgotForm(context, antiforgery, email, null, EmailAddress.Problem, StatusCodes.Status400BadRequest);
        }

        var user = await users.FindLocalAsync(email, ct);
        // Signed either way, so both answers cost the same work.
        var token = tokens.Issue(user?.Email ?? DashboardUser.NormaliseEmail(email!), user?.PasswordHash ?? "");
        if (user is not null)
        {
            if (ResetLink(options.Value.Dashboard.PublicUrl, token) is { } link && mail.IsConfigured)
            {
                mail.EnqueueReset(user.Email, link);
            }
            else
            {
                logs.CreateLogger(typeof(PasswordResetApi)).LogWarning(
                    "A password reset was asked but no mail can be sent: set Mail:Host and LiveInsight:Dashboard:PublicUrl");
            }
        }

        return ForgotForm(context, antiforgery, null, AccountPages.ResetRequested, null, StatusCodes.Status200OK);
    }

    public static async Task<IResult> ResetPage(HttpContext context, IAntiforgery antiforgery, string token, UserService users,
        PasswordResetTokens tokens, CancellationToken ct) =>
        await ValidUserAsync(token, users, tokens, ct) is { } user
            ? ResetForm(context, antiforgery, token, user.Email, null, StatusCodes.Status200OK)
            : Invalid();

    public static async Task<IResult> Reset(
        HttpContext context, IAntiforgery antiforgery, string token, UserService users, PasswordResetTokens tokens, AuditTrail audit,
        [FromForm] string? password, [FromForm] string? confirm, CancellationToken ct)
    {
        if (await ValidUserAsync(token, users, tokens, ct) is not { } user)
        {
            return Invalid();
        }

        if (UserService.Validate(user.Email, password, confirm) is { } problem)
        {
            return ResetForm(context, antiforgery, token, user.Email, problem, StatusCodes.Status400BadRequest);
        }

        if (!await users.ReplacePasswordAsync(user, password!, ct))
        {
            return Invalid(); // used a moment ago, through another request
        }

        await audit.WriteAsync(context, AuditLog.Installation, AuditActions.UserPasswordReset, user.Email, "through an e-mailed link", actor: user.Email);
        return TypedResults.Redirect("/login?notice=reset");
    }

    /// <summary>The link's account when the link is genuine, unexpired and made for the account's current password.</summary>
    private static async Task<DashboardUser?> ValidUserAsync(string token, UserService users, PasswordResetTokens tokens, CancellationToken ct) =>
        tokens.Read(token) is { } read && await users.FindLocalAsync(read.Email, ct) is { } user
            && SignedTokens.Fingerprint(user.PasswordHash) == read.Fingerprint
            ? user
            : null;

    private static Uri? ResetLink(string? publicUrl, string token) =>
        Uri.TryCreate(publicUrl?.TrimEnd('/') + Prefix + "/" + token, UriKind.Absolute, out var link)
            && link.Scheme is "http" or "https" ? link : null;

    private static IResult Invalid() =>
        TypedResults.Content(AccountPages.ResetInvalid(), "text/html; charset=utf-8", statusCode: StatusCodes.Status400BadRequest);

    private static IResult ForgotForm(HttpContext context, IAntiforgery antiforgery, string? email, string? notice, string? error, int status)
    {
        var form = antiforgery.GetAndStoreTokens(context);
        return TypedResults.Content(AccountPages.ForgotPassword(form.FormFieldName, form.RequestToken!, email, notice, error),
            "text/html; charset=utf-8", statusCode: status);
    }

    private static IResult ResetForm(HttpContext context, IAntiforgery antiforgery, string token, string email, string? error, int status)
    {
        var form = antiforgery.GetAndStoreTokens(context);
        return TypedResults.Content(AccountPages.ResetPassword(form.FormFieldName, form.RequestToken!, token, email, error),
            "text/html; charset=utf-8", statusCode: status);
    }
}
