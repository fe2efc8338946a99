using LiveInsight.Core.Audit;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Extensions;
using LiveInsight.Dashboard.Proxy;
using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Account;

/// <summary>
/// A site's members and invites, for its owners (and installation administrators, who own every site); the list of
/// all users for installation administrators. Every change is written to the site's audit log and forgotten by this
/// replica's role cache at once (other replicas: within <see cref="MembershipSiteRoles.CacheFor"/>).
/// </summary>
public static class MembersApi
{
    public static IEndpointRouteBuilder MapMembersApi(this IEndpointRouteBuilder app)
    {
        var site = app.MapGroup("/account/sites/{siteId}").RequireAuthorization(Policies.Viewer).WithTags("Members");
        site.MapGet("/members", ListMembers).WithName("ListMembers").WithSummary("The site's members and their roles (owners)");
        site.MapPut("/members/{email}", SetMember).WithName("SetMember").AddEndpointFilter<CsrfFilter>()
            .WithSummary("Give an existing user a role on the site, or change it (owners)");
        site.MapDelete("/members/{email}", RemoveMember).WithName("RemoveMember").AddEndpointFilter<CsrfFilter>()
            .WithSummary("Take a member's role on the site away (owners)");
        site.MapPost("/invites", CreateInvite).WithName("CreateInvite").AddEndpointFilter<CsrfFilter>()
            .WithSummary("A one-time link, valid 7 days, that gives its user a role on the site (owners)");

        app.MapGet("/account/users", ListUsers).WithName("ListUsers").WithTags("Members")
            .WithSummary("Every user with their global and site roles (installation administrators)")
            .RequireAuthorization(Policies.Admin);
        return app;
    }

    public static async Task<IResult> ListMembers(HttpContext context, string siteId, MembershipRepository memberships, CancellationToken ct)
    {
        if (await SiteAuthorization.CheckAsync(context, siteId, SiteRole.Owner) is { } denied)
        {
            return denied;
        }

        var members = await memberships.MembersAsync(siteId, ct);
        return TypedResults.Ok(new MemberList(members.Select(m => new MemberView(m.Email, m.Role.Name(), m.IsInstallationAdmin)).ToList()));
    }

    public static async Task<IResult> SetMember(
        HttpContext context, string siteId, string email, RoleRequest request, UserRepository users, MembershipRepository memberships,
        MembershipSiteRoles roles, ApiSites sites, AuditTrail audit, IOptions<DashboardOptions> options, TimeProvider time, CancellationToken ct)
    {
        if (await OwnedSiteAsync(context, siteId, sites, ct) is { } denied)
        {
            return denied;
        }

        if (!SiteRoleNames.TryParse(request.Role, out var role))
        {
            return Invalid("role", "The role is owner, admin or viewer.");
        }

        // Only an e-mail can name a person: the Users table's other items (setup marker, invites, share links) have no '@'.
        if (EmailAddress.Normalise(email) is not { } normalised)
        {
            return Invalid("email", EmailAddress.Problem);
        }

        email = normalised;
        if (await users.FindAsync(email, ct) is { IsAdmin: true })
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Installation administrator",
                detail: "Installation administrators own every site; a site role would change nothing.");
        }

        // With single sign-on, people sign in through the identity provider: an owner gives a role to an e-mail that has
        // no item yet by creating one (no password), and the person sees the site at their next sign-in.
        var singleSignOn = options.Value.Dashboard.Oidc.Enabled;
        var person = await memberships.PersonAsync(email, ct);
        if (person is null && !singleSignOn)
        {
            return NoSuchUser();
        }

        // Recorded before it is made, like the Api's site changes: a change that could not be recorded is not made.
        await audit.WriteAsync(context, siteId, AuditActions.MemberRole, email,
            person?.Sites.TryGetValue(siteId, out var before) == true ? $"{before.Name()} → {role.Name()}"
            : person is null ? $"added as {role.Name()} (single sign-on)" : $"added as {role.Name()}");
        var stored = person is null && await users.CreateSingleSignOnAsync(email, siteId, role, time.GetUtcNow(), ct)
            || (await memberships.SetAsync(email, siteId, role, ct)).Exists;
        if (!stored)
        {
            return NoSuchUser(); // deleted in between
        }

        roles.Forget(email);
        return TypedResults.Ok(new MemberView(email, role.Name(), false));
    }

    public static async Task<IResult> RemoveMember(
        HttpContext context, string siteId, string email, MembershipRepository memberships, MembershipSiteRoles roles,
        AuditTrail audit, CancellationToken ct)
    {
        if (await SiteAuthorization.CheckAsync(context, siteId, SiteRole.Owner) is { } denied)
        {
            return denied;
        }

        if (EmailAddress.Normalise(email) is not { } normalised)
        {
            return Invalid("email", EmailAddress.Problem);
        }

        email = normalised;
        if (!(await memberships.RolesOfAsync(email, ct)).TryGetValue(siteId, out var before))
        {
            return NotAMember();
        }

        await audit.WriteAsync(context, siteId, AuditActions.MemberRemove, email, $"was {before.Name()}");
        if (await memberships.RemoveAsync(email, siteId, ct) is null)
        {
            return NotAMember(); // removed in between
        }

        roles.Forget(email);
        return TypedResults.NoContent();
    }

    public static async Task<IResult> CreateInvite(
        HttpContext context, string siteId, InviteRequest request, InviteStore invites, ApiSites sites, AuditTrail audit,
        CancellationToken ct)
    {
        if (await OwnedSiteAsync(context, siteId, sites, ct) is { } denied)
        {
            return denied;
        }

        if (EmailAddress.Normalise(request.Email) is not { } email)
        {
            return Invalid("email", EmailAddress.Problem);
        }

        if (!SiteRoleNames.TryParse(request.Role ?? "viewer", out var role))
        {
            return Invalid("role", "The role is owner, admin or viewer.");
        }

        await audit.WriteAsync(context, siteId, AuditActions.MemberInvite, email, $"as {role.Name()}, link valid {InviteStore.ValidFor.TotalDays:0} days");
        var (token, expiresAt) = await invites.CreateAsync(siteId, email, role, AuditTrail.Actor(context), ct);
        var url = $"{context.Request.Scheme}://{context.Request.Host}/invite/{token}";
        return TypedResults.Created((string?)null, new InviteLink(url, expiresAt));
    }

    public static async Task<Ok<UserList>> ListUsers(MembershipRepository memberships, TimeProvider time, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var users = await memberships.UsersAsync(ct);
        return TypedResults.Ok(new UserList(users.Select(u => new UserView(
            u.Email, u.Role, u.CreatedAt, u.LockedUntil > now, u.Sites.ToDictionary(p => p.Key, p => p.Value.Name()), u.SingleSignOn)).ToList()));
    }

    /// <summary>Owner of the site, and the site exists (installation administrators own every id, even made-up ones).</summary>
    private static Task<IResult?> OwnedSiteAsync(HttpContext context, string siteId, ApiSites sites, CancellationToken ct) =>
        SiteAuthorization.CheckExistingAsync(context, siteId, SiteRole.Owner, sites, ct);

    private static IResult NoSuchUser() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such user",
        detail: "There is no account with that e-mail: send an invite instead.");

    private static IResult NotAMember() => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not a member",
        detail: "That user has no role on this site (installation administrators own every site and cannot be removed).");

    private static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}

public sealed record RoleRequest(string? Role);

public sealed record InviteRequest(string? Email, string? Role);

public sealed record InviteLink(string Url, DateTimeOffset ExpiresAt);

public sealed record MemberView(string Email, string Role, bool InstallationAdmin);

public sealed record MemberList(IReadOnlyList<MemberView> Members);

public sealed record UserView(string Email, string Role, DateTimeOffset CreatedAt, bool Locked, IReadOnlyDictionary<string, string> Sites, bool SingleSignOn);

public sealed record UserList(IReadOnlyList<UserView> Users);
