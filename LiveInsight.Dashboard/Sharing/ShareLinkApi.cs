using System.Security.Claims;
using LiveInsight.Core.Audit;
using LiveInsight.Dashboard.Account;
using LiveInsight.Dashboard.Extensions;
using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Dashboard.Sharing;

/// <summary>
/// A site's public link, for its administrators: whether one exists, create or replace it (the token is in that one
/// answer and nowhere else), revoke it. A user with no role on the site gets 404 as for an unknown site; a viewer 403.
/// </summary>
public static class ShareLinkApi
{
    public static RouteGroupBuilder MapShareLinkApi(this IEndpointRouteBuilder app)
    {
        var share = app.MapGroup("/account/sites/{siteId}/share").RequireAuthorization(Policies.Viewer).WithTags("Sharing");
        share.MapGet("", GetLink).WithName("GetShareLink").WithSummary("Whether the site has a public link, since when and by whom");
        share.MapPost("", CreateLink).WithName("CreateShareLink").AddEndpointFilter<CsrfFilter>()
            .WithSummary("A new public link for the site (replacing the old one); its URL is shown only in this answer");
        share.MapDelete("", RevokeLink).WithName("RevokeShareLink").AddEndpointFilter<CsrfFilter>()
            .WithSummary("Revoke the site's public link");
        return share;
    }

    public static async Task<Results<Ok<ShareLinkStatus>, ProblemHttpResult>> GetLink(
        string siteId, ClaimsPrincipal user, ISiteRoles roles, SiteDirectory sites, ShareLinks links, CancellationToken ct)
    {
        if (await RefuseAsync(siteId, user, roles, sites, ct) is { } refused)
        {
            return refused;
        }

        var link = await links.GetAsync(siteId, ct);
        return TypedResults.Ok(new ShareLinkStatus(link is not null, link?.CreatedAt, link?.CreatedBy));
    }

    public static async Task<Results<Ok<CreatedShareLink>, ProblemHttpResult>> CreateLink(
        string siteId, HttpContext context, ISiteRoles roles, SiteDirectory sites, ShareLinks links, AuditTrail audit,
        CancellationToken ct)
    {
        if (await RefuseAsync(siteId, context.User, roles, sites, ct) is { } refused)
        {
            return refused;
        }

        var actor = Actor(context.User);
        var (token, link, replaced) = await links.CreateAsync(siteId, actor, ct);
        await audit.WriteAsync(context, siteId, AuditActions.ShareCreate, null,
            replaced ? "public link replaced; the old one no longer works" : "public link created");
        var url = $"{context.Request.Scheme}://{context.Request.Host}{SharedDashboard.Prefix}/{token}";
        return TypedResults.Ok(new CreatedShareLink(url, link.CreatedAt, link.CreatedBy, replaced));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeLink(
        string siteId, HttpContext context, ISiteRoles roles, SiteDirectory sites, ShareLinks links, AuditTrail audit,
        CancellationToken ct)
    {
        if (await RefuseAsync(siteId, context.User, roles, sites, ct) is { } refused)
        {
            return refused;
        }

        if (await links.RevokeAsync(siteId, ct))
        {
            await audit.WriteAsync(context, siteId, AuditActions.ShareRevoke, null, "public link revoked");
        }

        return TypedResults.NoContent();
    }

    /// <summary>Null when the user administers this existing site; otherwise the answer to give.</summary>
    private static async Task<ProblemHttpResult?> RefuseAsync(
        string siteId, ClaimsPrincipal user, ISiteRoles roles, SiteDirectory sites, CancellationToken ct)
    {
        var role = await roles.RoleForAsync(user, siteId, ct);
        if (role is null || (role >= SiteRole.Admin && await sites.NameAsync(siteId, ct) is null))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Site not found");
        }

        return role < SiteRole.Admin
            ? TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed",
                detail: "Only the site's administrators can manage its public link.")
            : null;
    }

    private static string Actor(ClaimsPrincipal user) => user.Identity?.Name ?? "unknown";
}

public sealed record ShareLinkStatus(bool Active, DateTimeOffset? CreatedAt, string? CreatedBy);

/// <summary>The only answer that carries the link's URL.</summary>
public sealed record CreatedShareLink(string Url, DateTimeOffset CreatedAt, string CreatedBy, bool Replaced);
