using LiveInsight.Core.Audit;
using LiveInsight.Dashboard.Account;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Extensions;
using LiveInsight.Dashboard.Proxy;
using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Dashboard.Sharing;

/// <summary>
/// A site's public link, for its administrators: whether one exists, create or replace it (the token is in that one
/// answer and nowhere else), revoke it. The site check is <see cref="SiteAuthorization"/>'s: no role 404, too low 403.
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

    public static async Task<IResult> GetLink(string siteId, HttpContext context, ApiSites sites, ShareLinks links, CancellationToken ct)
    {
        if (await SiteAuthorization.CheckExistingAsync(context, siteId, SiteRole.Admin, sites, ct) is { } refused)
        {
            return refused;
        }

        var link = await links.GetAsync(siteId, ct);
        return TypedResults.Ok(new ShareLinkStatus(link is not null, link?.CreatedAt, link?.CreatedBy));
    }

    public static async Task<IResult> CreateLink(
        string siteId, HttpContext context, ApiSites sites, ShareLinks links, AuditTrail audit, CancellationToken ct)
    {
        if (await SiteAuthorization.CheckExistingAsync(context, siteId, SiteRole.Admin, sites, ct) is { } refused)
        {
            return refused;
        }

        // Recorded before it is made, like every administrative change.
        await audit.WriteAsync(context, siteId, AuditActions.ShareCreate, null,
            await links.GetAsync(siteId, ct) is not null ? "public link replaced; the old one no longer works" : "public link created");
        var (token, link, replaced) = await links.CreateAsync(siteId, AuditTrail.Actor(context), ct);
        var url = $"{context.Request.Scheme}://{context.Request.Host}{SharedDashboard.Prefix}/{token}";
        return TypedResults.Ok(new CreatedShareLink(url, link.CreatedAt, link.CreatedBy, replaced));
    }

    public static async Task<IResult> RevokeLink(
        string siteId, HttpContext context, ApiSites sites, ShareLinks links, AuditTrail audit, CancellationToken ct)
    {
        if (await SiteAuthorization.CheckExistingAsync(context, siteId, SiteRole.Admin, sites, ct) is { } refused)
        {
            return refused;
        }

        if (await links.GetAsync(siteId, ct) is not null)
        {
            await audit.WriteAsync(context, siteId, AuditActions.ShareRevoke, null, "public link revoked");
            await links.RevokeAsync(siteId, ct);
        }

        return TypedResults.NoContent();
    }
}

public sealed record ShareLinkStatus(bool Active, DateTimeOffset? CreatedAt, string? CreatedBy);

/// <summary>The only answer that carries the link's URL.</summary>
public sealed record CreatedShareLink(string Url, DateTimeOffset CreatedAt, string CreatedBy, bool Replaced);
