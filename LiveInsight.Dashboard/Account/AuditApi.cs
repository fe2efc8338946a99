using LiveInsight.Core.Audit;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Extensions;
using LiveInsight.Dashboard.Proxy;
using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Dashboard.Account;

/// <summary>The audit log, newest first: a site's entries for its owners, the installation's for administrators.</summary>
public static class AuditApi
{
    public const int DefaultLimit = 100;

    public static IEndpointRouteBuilder MapAuditApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/account/sites/{siteId}/audit", SiteAudit).WithName("SiteAudit").WithTags("Audit")
            .WithSummary("Administrative actions on the site, newest first (owners)")
            .RequireAuthorization(Policies.Viewer);
        app.MapGet("/account/audit", InstallationAudit).WithName("InstallationAudit").WithTags("Audit")
            .WithSummary("Actions on the installation (users created), newest first (installation administrators)")
            .RequireAuthorization(Policies.Admin);
        return app;
    }

    public static async Task<IResult> SiteAudit(HttpContext context, string siteId, AuditLog log, int? limit, CancellationToken ct) =>
        await SiteAuthorization.CheckAsync(context, siteId, SiteRole.Owner)
        ?? await ListAsync(log, siteId, limit, ct);

    public static Task<Ok<AuditPage>> InstallationAudit(AuditLog log, int? limit, CancellationToken ct) =>
        ListAsync(log, AuditLog.Installation, limit, ct);

    private static async Task<Ok<AuditPage>> ListAsync(AuditLog log, string partition, int? limit, CancellationToken ct)
    {
        var entries = await log.ListAsync(partition, limit ?? DefaultLimit, ct);
        return TypedResults.Ok(new AuditPage(entries.Select(e => new AuditView(e.At, e.Actor, e.Action, e.Target, e.Details, e.MaskedIp)).ToList()));
    }
}

public sealed record AuditView(DateTimeOffset At, string Actor, string Action, string? Target, string? Details, string Ip);

public sealed record AuditPage(IReadOnlyList<AuditView> Entries);
