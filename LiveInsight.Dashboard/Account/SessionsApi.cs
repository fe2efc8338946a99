using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Extensions;
using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Dashboard.Account;

/// <summary>The signed-in account's sessions (<see cref="SessionList"/>): listed with when they began, were last seen
/// and from which browser, ended one at a time, or all but this one (a new session stamp, this cookie re-issued).</summary>
public static class SessionsApi
{
    public static IEndpointRouteBuilder MapSessionsApi(this IEndpointRouteBuilder app)
    {
        var sessions = app.MapGroup("/account/sessions").RequireAuthorization(Policies.Viewer).WithTags("Sessions");
        sessions.MapGet("", List).WithName("ListSessions").WithSummary("The signed-in account's sessions, this one marked current");
        sessions.MapDelete("/{id}", End).WithName("EndSession").AddEndpointFilter<CsrfFilter>()
            .WithSummary("End one session of the signed-in account (refused on every replica within SessionCheckSeconds)");
        sessions.MapPost("/revoke-others", EndOthers).WithName("EndOtherSessions").AddEndpointFilter<CsrfFilter>()
            .WithSummary("End every session of the signed-in account but this one");
        return app;
    }

    public static async Task<Ok<SessionInfoItem[]>> List(HttpContext context, SessionList sessions, CancellationToken ct)
    {
        var current = SessionList.IdOf(context.User);
        var list = await sessions.ListAsync(AuditTrail.Actor(context), ct);
        return TypedResults.Ok(list.Select(s => new SessionInfoItem(s.Id, s.CreatedAt, s.LastSeenAt, s.UserAgent, s.Id == current)).ToArray());
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> End(HttpContext context, string id, SessionList sessions, CancellationToken ct)
    {
        if (id.Length != 16 || !id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_')
            || !await sessions.RemoveAsync(AuditTrail.Actor(context), id, ct))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Session not found",
                detail: "This account has no session with this id (it ended already, or the id is not one the list shows).");
        }

        if (id == SessionList.IdOf(context.User))
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        }

        return TypedResults.NoContent();
    }

    public static async Task<NoContent> EndOthers(HttpContext context, SessionStamps stamps, SessionList sessions, CancellationToken ct)
    {
        var email = AuditTrail.Actor(context);
        var current = SessionList.IdOf(context.User);
        await stamps.RevokeAsync(email, ct);
        await sessions.KeepOnlyAsync(email, current, ct);
        await AccountApi.SignInAsync(context, email, context.User.IsInRole(Roles.Admin) ? Roles.Admin : Roles.Member,
            TwoFactorGate.MustEnrol(context.User), current);
        return TypedResults.NoContent();
    }
}

public sealed record SessionInfoItem(string Id, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt, string UserAgent, bool Current);
