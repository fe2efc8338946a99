using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using LiveInsight.Core.Audit;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Extensions;
using LiveInsight.Dashboard.Proxy;
using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Account;

/// <summary>Login, logout, the one-time setup of the first administrator, the session the front end reads, and adding users.</summary>
public static class AccountApi
{
    public static IEndpointRouteBuilder MapAccountApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/login", LoginPage).WithName("LoginPage").AllowAnonymous();
        app.MapPost("/login", Login).WithName("Login").AllowAnonymous();
        app.MapGet("/setup", SetupPage).WithName("SetupPage").AllowAnonymous();
        app.MapPost("/setup", Setup).WithName("Setup").AllowAnonymous();

        var account = app.MapGroup("/account").RequireAuthorization(Policies.Viewer);
        account.MapGet("/session", Session).WithName("Session");
        account.MapPost("/logout", (Delegate)Logout).WithName("Logout").AddEndpointFilter<CsrfFilter>();
        account.MapPost("/sessions/revoke", RevokeSessions).WithName("RevokeSessions").AddEndpointFilter<CsrfFilter>()
            .WithSummary("Sign out everywhere: every session of the signed-in account ends, this one included");
        account.MapPost("/users", CreateUser).WithName("CreateUser").AddEndpointFilter<CsrfFilter>()
            .RequireAuthorization(Policies.Admin);
        return app;
    }

    public static async Task<IResult> LoginPage(
        HttpContext context, IAntiforgery antiforgery, UserService users, IOptions<DashboardOptions> options,
        string? returnUrl, string? error, CancellationToken ct)
    {
        if (!await users.SetupDoneAsync(ct) && !options.Value.Dashboard.Oidc.Enabled)
        {
            return TypedResults.Redirect("/setup");
        }

        var message = error == SingleSignOn.FailedError ? SingleSignOn.FailedMessage : null;
        var notice = context.Request.Query["notice"] == "reset" ? PasswordResetApi.DoneNotice : null;
        return LoginForm(context, antiforgery, options, returnUrl, null, message, StatusCodes.Status200OK, notice);
    }

    public static readonly string WrongCredentials =
        $"Wrong e-mail or password. After {UserService.MaxFailedLogins} wrong passwords an account is locked for {UserService.LockoutDuration.TotalMinutes:0} minutes.";

    public static string TooManyAttempts(TimeSpan retryAfter) =>
        $"Too many wrong passwords from your network. Try again in {RetryAfterSeconds(retryAfter)} seconds.";

    public static async Task<IResult> Login(
        HttpContext context, IAntiforgery antiforgery, UserService users, LoginThrottle throttle, AuditTrail audit, TwoFactorService twoFactor,
        IOptions<DashboardOptions> options, [FromForm] string? email, [FromForm] string? password, [FromForm] string? returnUrl,
        CancellationToken ct)
    {
        var (attempt, retryAfter) = await throttle.ReserveAsync(audit.MaskedIp(context), ct);
        if (attempt is null)
        {
            SetRetryAfter(context, retryAfter);
            return LoginForm(context, antiforgery, options, returnUrl, email, TooManyAttempts(retryAfter), StatusCodes.Status429TooManyRequests);
        }

        if (await users.VerifyAsync(email, password, ct) is not { } user)
        {
            // One message for every failure, lockout included, so a guesser learns nothing about the account.
            return LoginForm(context, antiforgery, options, returnUrl, email, WrongCredentials, StatusCodes.Status401Unauthorized);
        }

        await throttle.ReleaseAsync(attempt, ct);
        if (user.HasTwoFactor)
        {
            return TwoFactorApi.CodeForm(context, antiforgery, twoFactor, user, returnUrl);
        }

        if (options.Value.Dashboard.RequireTwoFactor)
        {
            await SignInAsync(context, user.Email, user.Role, mustEnrolTwoFactor: true);
            return TypedResults.LocalRedirect(TwoFactorApi.Page);
        }

        await SignInAsync(context, user.Email, user.Role);
        return TypedResults.LocalRedirect(SafeReturnUrl(returnUrl));
    }

    public static async Task<IResult> SetupPage(HttpContext context, IAntiforgery antiforgery, UserService users, CancellationToken ct) =>
        await users.SetupDoneAsync(ct) ? TypedResults.Redirect("/login") : SetupForm(context, antiforgery, null, null, StatusCodes.Status200OK);

    public static string TooManyTokenGuesses(TimeSpan retryAfter) =>
        $"Too many wrong admin tokens from your network. Try again in {RetryAfterSeconds(retryAfter)} seconds.";

    public static async Task<IResult> Setup(
        HttpContext context, IAntiforgery antiforgery, UserService users, LoginThrottle throttle, AuditTrail audit,
        IOptions<DashboardOptions> options, [FromForm] string? adminToken, [FromForm] string? email, [FromForm] string? password,
        [FromForm] string? confirm, CancellationToken ct)
    {
        if (await users.SetupDoneAsync(ct))
        {
            return TypedResults.Redirect("/login");
        }

        // The admin token is a password to the whole installation: guesses share the sign-in budget of the address.
        var (attempt, retryAfter) = await throttle.ReserveAsync(audit.MaskedIp(context), ct);
        if (attempt is null)
        {
            SetRetryAfter(context, retryAfter);
            return SetupForm(context, antiforgery, email, TooManyTokenGuesses(retryAfter), StatusCodes.Status429TooManyRequests);
        }

        if (!TokenEquals(adminToken, options.Value.AdminToken))
        {
            return SetupForm(context, antiforgery, email, "That is not the admin token.", StatusCodes.Status401Unauthorized);
        }

        await throttle.ReleaseAsync(attempt, ct);

        if (UserService.Validate(email, password, confirm) is { } problem)
        {
            return SetupForm(context, antiforgery, email, problem, StatusCodes.Status400BadRequest);
        }

        // Recorded before the account exists, like every administrative change; the actor is the new administrator,
        // who proved the admin token (issue 23: the first administrator was missing from the installation's log).
        var first = DashboardUser.NormaliseEmail(email!);
        await audit.WriteAsync(context, AuditLog.Installation, AuditActions.UserCreate, first, "first administrator (setup with the admin token)", actor: first);
        if (!await users.CreateFirstAdminAsync(email!, password!, ct))
        {
            return TypedResults.Redirect("/login");
        }

        await SignInAsync(context, DashboardUser.NormaliseEmail(email!), Roles.Admin);
        return TypedResults.LocalRedirect("/");
    }

    public static Ok<SessionInfo> Session(HttpContext context, IAntiforgery antiforgery, IOptions<DashboardOptions> options, IConfiguration configuration)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var apiUrl = options.Value.Dashboard.PublicApiUrl ?? configuration["services:api:http:0"] ?? "https://YOUR-API-HOST";
        return TypedResults.Ok(new SessionInfo(
            context.User.Identity?.Name ?? "", context.User.IsInRole(Roles.Admin), tokens.RequestToken!, apiUrl.TrimEnd('/'),
            options.Value.Dashboard.Oidc.Enabled));
    }

    public static async Task<NoContent> Logout(HttpContext context)
    {
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.NoContent();
    }

    public static async Task<NoContent> RevokeSessions(HttpContext context, SessionStamps stamps, SessionList sessions, CancellationToken ct)
    {
        await stamps.RevokeAsync(AuditTrail.Actor(context), ct);
        await sessions.KeepOnlyAsync(AuditTrail.Actor(context), null, ct);
        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.NoContent();
    }

    /// <summary>An installation administrator adds a user: without <c>site_id</c>, <c>role</c> is the global role
    /// (admin or member); with it, the user is a member with <c>role</c> (owner, admin or viewer) on that site.</summary>
    public static async Task<Results<Created, ValidationProblem, ProblemHttpResult>> CreateUser(
        HttpContext context, NewUserRequest request, UserService users, ApiSites sites, AuditTrail audit, CancellationToken ct)
    {
        var problem = UserService.Validate(request.Email, request.Password, null);
        var globalRole = Roles.Member;
        var siteRoles = new Dictionary<string, SiteRole>();
        if (string.IsNullOrEmpty(request.SiteId))
        {
            globalRole = Roles.Normalise(request.Role ?? Roles.Member);
            problem ??= Roles.IsValid(request.Role ?? Roles.Member) ? null : "The role is admin or member (or, with a site_id, owner, admin or viewer).";
        }
        else if (!SiteRoleNames.TryParse(request.Role ?? "viewer", out var siteRole))
        {
            problem ??= "With a site_id, the role is owner, admin or viewer.";
        }
        else if (!await sites.ExistsAsync(request.SiteId, ct))
        {
            problem ??= $"There is no site '{request.SiteId}'.";
        }
        else
        {
            siteRoles[request.SiteId] = siteRole;
        }

        if (problem is not null)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["user"] = [problem] });
        }

        var user = users.NewUser(request.Email!, request.Password!, globalRole) with { Sites = siteRoles };
        if (await users.ExistsAsync(user.Email, ct))
        {
            return UserExists();
        }

        // Recorded before the account exists, like every administrative change.
        var details = siteRoles.Count == 0 ? $"global role {globalRole}" : $"{siteRoles.Single().Value.Name()} of {request.SiteId}";
        await audit.WriteAsync(context, AuditLog.Installation, AuditActions.UserCreate, user.Email, details);
        if (siteRoles.Count > 0)
        {
            await audit.WriteAsync(context, request.SiteId!, AuditActions.UserCreate, user.Email, $"role {siteRoles.Single().Value.Name()}");
        }

        return await users.CreateAsync(user, ct) ? TypedResults.Created() : UserExists(); // a racing creation won

        static ProblemHttpResult UserExists() => TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "User exists",
            detail: "A user with that e-mail already exists.");
    }

    /// <param name="mustEnrolTwoFactor">The installation requires two-factor sign-in and the account has none: the
    /// session reaches only the page that sets it up (<see cref="TwoFactorGate"/>).</param>
    /// <param name="sessionId">Re-issues the cookie of this listed session (<see cref="SessionList"/>) rather than starting a new one.</param>
    public static Task SignInAsync(HttpContext context, string email, string role, bool mustEnrolTwoFactor = false, string? sessionId = null)
    {
        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, email), new Claim(ClaimTypes.Email, email), new Claim(ClaimTypes.Role, role)],
            CookieAuthenticationDefaults.AuthenticationScheme);
        if (sessionId is not null)
        {
            identity.AddClaim(new Claim(SessionList.ClaimType, sessionId));
        }

        if (mustEnrolTwoFactor)
        {
            identity.AddClaim(new Claim(TwoFactorGate.ClaimType, "1"));
        }

        return context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, new ClaimsPrincipal(identity));
    }

    /// <summary>Only a path on this site: never an open redirect to another host (<see cref="LocalUrl"/>).</summary>
    public static string SafeReturnUrl(string? returnUrl) => LocalUrl.OrRoot(returnUrl);

    private static int RetryAfterSeconds(TimeSpan retryAfter) => Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));

    public static void SetRetryAfter(HttpContext context, TimeSpan retryAfter) =>
        context.Response.Headers.RetryAfter = RetryAfterSeconds(retryAfter).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static bool TokenEquals(string? presented, string expected) =>
        presented is not null && CryptographicOperations.FixedTimeEquals(
            SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected)));

    private static IResult LoginForm(
        HttpContext context, IAntiforgery antiforgery, IOptions<DashboardOptions> options, string? returnUrl, string? email, string? error, int status,
        string? notice = null)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        var oidc = options.Value.Dashboard.Oidc;
        return Html(AccountPages.Login(tokens.FormFieldName, tokens.RequestToken!, SafeReturnUrl(returnUrl), email, error,
            oidc.Enabled ? oidc.DisplayName : null, notice), status);
    }

    private static IResult SetupForm(HttpContext context, IAntiforgery antiforgery, string? email, string? error, int status)
    {
        var tokens = antiforgery.GetAndStoreTokens(context);
        return Html(AccountPages.Setup(tokens.FormFieldName, tokens.RequestToken!, email, error), status);
    }

    public static IResult Html(string html, int status) => TypedResults.Content(html, "text/html; charset=utf-8", statusCode: status);
}

/// <param name="SingleSignOn">People sign in through OpenID Connect: owners add them by e-mail (no invite, no password).</param>
public sealed record SessionInfo(string Email, bool IsAdmin, string CsrfToken, string ApiUrl, bool SingleSignOn);

public sealed record NewUserRequest(string? Email, string? Password, string? Role, string? SiteId = null);
