using LiveInsight.Api.Auth;
using LiveInsight.Api.Extensions;
using LiveInsight.Api.Lifecycle;
using LiveInsight.Api.Query;
using LiveInsight.Api.Sites;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Lifecycle;
using LiveInsight.Core.Sites;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace LiveInsight.Api.Apis;

/// <summary>
/// A site's data lifecycle, behind the admin token (the Dashboard forwards it for owners only): delete the site
/// everywhere, erase a period or an identified user, reset its stats, export its lake. Each is audit-logged before it
/// starts (a failed audit write refuses the request), and each is safe to repeat.
/// </summary>
public static class LifecycleApi
{
    public static IEndpointRouteBuilder MapLifecycleApi(this IEndpointRouteBuilder app)
    {
        var sites = app.MapGroup("/api/sites")
            .WithTags("Data lifecycle")
            .AddEndpointFilter<AdminTokenFilter>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        sites.MapDelete("/{siteId}", DeleteSite)
            .WithName("DeleteSite")
            .WithSummary("Delete a site and all its data everywhere; confirm = the site's exact name");
        sites.MapPost("/{siteId}/reset", ResetStats)
            .WithName("ResetSiteStats")
            .WithSummary("Delete every stat of a site (rollups, sessions, events, lake, imports), keeping its settings; confirm = the site's exact name");
        sites.MapPost("/{siteId}/erase", Erase)
            .WithName("EraseSiteData")
            .WithSummary("Erase the site-local days from..to, or one identified user's lake rows (user_id)");
        sites.MapGet("/{siteId}/export", LakeExport.ExportAsync)
            .WithName("ExportSiteLake")
            .WithSummary("The site's lake (format=parquet|csv, from, to) as a zip, one file per day");
        return app;
    }

    public static async Task<Results<Accepted<SiteDeletion>, ValidationProblem, ProblemHttpResult>> DeleteSite(
        string siteId,
        [FromQuery] string? confirm,
        HttpContext http,
        SiteRepository repository,
        SiteCache siteCache,
        LakeFiles lakeFiles,
        SitePurge purge,
        AdminAudit audit,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        if (await repository.FindAnyByIdAsync(siteId, cancellationToken) is not { } site)
        {
            return SiteNotFound(siteId);
        }

        if (!Confirmed(site, confirm))
        {
            return NotConfirmed("deleted");
        }

        if (await audit.WriteAsync(http, AuditLog.Installation, AuditActions.SiteDelete, $"name={site.Name}", cancellationToken, target: siteId) is { } failed)
        {
            return failed;
        }

        if (await repository.MarkDeletingAsync(siteId, time.GetUtcNow(), cancellationToken) is not { } marked)
        {
            return SiteNotFound(siteId);
        }

        await siteCache.InvalidateAsync(cancellationToken);
        // The read cache is not told: every read first finds the site, which no longer answers, and telling it would
        // leave an invalidation stamp naming the site in Redis.
        var counts = await purge.DeleteDataAsync(marked, cancellationToken);
        lakeFiles.Cache?.Forget(Core.Lake.LakeLayout.SiteKeyPrefix(siteId));
        lakeFiles.Cache?.Forget(Core.Lake.LakeDaySums.SiteKeyPrefix(siteId));
        return TypedResults.Accepted($"/api/sites/{siteId}", new SiteDeletion(
            siteId, "deleting", Removed.Of(counts), (int)SitePurge.FinalSweepAfter.TotalSeconds,
            "Every stat, key, member and share link of the site is gone; its record goes with a final sweep once every Api replica has forgotten it."));
    }

    public static async Task<Results<Ok<LifecycleResult>, ValidationProblem, ProblemHttpResult>> ResetStats(
        string siteId,
        [FromQuery] string? confirm,
        HttpContext http,
        SiteRepository repository,
        ReadCache readCache,
        LakeFiles lakeFiles,
        SitePurge purge,
        AdminAudit audit,
        CancellationToken cancellationToken)
    {
        if (await repository.FindByIdAsync(siteId, cancellationToken) is not { } site)
        {
            return SiteNotFound(siteId);
        }

        if (!Confirmed(site, confirm))
        {
            return NotConfirmed("reset");
        }

        if (await audit.WriteAsync(http, siteId, AuditActions.SiteReset, null, cancellationToken) is { } failed)
        {
            return failed;
        }

        var counts = await purge.ResetStatsAsync(site, cancellationToken);
        lakeFiles.Cache?.Forget(Core.Lake.LakeLayout.SiteKeyPrefix(siteId));
        lakeFiles.Cache?.Forget(Core.Lake.LakeDaySums.SiteKeyPrefix(siteId));
        await readCache.ForgetSiteAsync(siteId, cancellationToken);
        return TypedResults.Ok(new LifecycleResult(siteId, "reset", Removed.Of(counts)));
    }

    public static async Task<Results<Ok<LifecycleResult>, ValidationProblem, ProblemHttpResult>> Erase(
        string siteId,
        EraseRequest request,
        HttpContext http,
        SiteRepository repository,
        ReadCache readCache,
        LakeFiles lakeFiles,
        SitePurge purge,
        UserErasure users,
        AdminAudit audit,
        CancellationToken cancellationToken)
    {
        var errors = EraseValidation.Validate(request, out var from, out var to);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "Nothing was erased.");
        }

        if (await repository.FindByIdAsync(siteId, cancellationToken) is not { } site)
        {
            return SiteNotFound(siteId);
        }

        // The user id itself is never logged: only that one was erased.
        var details = request.UserId is null ? $"from={from:yyyy-MM-dd} to={to:yyyy-MM-dd}" : "user_id=(one identified user)";
        if (await audit.WriteAsync(http, siteId, AuditActions.SiteErase, details, cancellationToken) is { } failed)
        {
            return failed;
        }

        var counts = request.UserId is { } userId
            ? await users.EraseAsync(site, userId, cancellationToken)
            : await purge.EraseDaysAsync(site, from, to, cancellationToken);
        lakeFiles.Cache?.Forget(Core.Lake.LakeLayout.SiteKeyPrefix(siteId));
        lakeFiles.Cache?.Forget(Core.Lake.LakeDaySums.SiteKeyPrefix(siteId));
        await readCache.ForgetSiteAsync(siteId, cancellationToken);
        return TypedResults.Ok(new LifecycleResult(siteId, "erased", Removed.Of(counts)));
    }

    private static bool Confirmed(Site site, string? confirm) => confirm is not null && string.Equals(confirm, site.Name, StringComparison.Ordinal);

    private static ValidationProblem NotConfirmed(string what) =>
        TypedResults.ValidationProblem(
            new Dictionary<string, string[]> { ["confirm"] = ["Send the site's exact name as confirm."] },
            detail: $"Nothing was {what}: the confirmation is not the site's name.");

    private static ProblemHttpResult SiteNotFound(string siteId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Site not found",
            detail: $"There is no site with id '{siteId}'; nothing was changed.");
}
