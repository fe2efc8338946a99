using LiveInsight.Api.Auth;
using LiveInsight.Api.Query;
using LiveInsight.Api.Sites;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Sites;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Api.Apis;

/// <summary>
/// A site's saved funnels, stored with the site (at most <see cref="Funnel.MaxPerSite"/>), authorised as goals are
/// (the site's secret key or the admin token); each change is written to the audit log first. The answer of a funnel
/// is <see cref="FunnelQueryApi"/>.
/// </summary>
public static class FunnelsApi
{
    /// <summary>Funnel changes are independent of other site changes, so a version conflict is retried, not answered 409.</summary>
    private const int Attempts = 3;

    public static IEndpointRouteBuilder MapFunnelsApi(this IEndpointRouteBuilder app)
    {
        var funnels = app.MapGroup("/api/sites/{siteId}/funnels")
            .WithTags("Funnels")
            .AddEndpointFilter<RouteSiteAccessFilter>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound);

        funnels.MapGet("/", ListFunnels)
            .WithName("ListFunnels")
            .WithSummary("The site's funnels: 2 to 8 ordered steps (page patterns or custom events) and a window");
        funnels.MapPost("/", CreateFunnel)
            .WithName("CreateFunnel")
            .WithSummary("Add a funnel; its name is unique within the site, window is session (default), 1h, 24h or 7d");
        funnels.MapPut("/{funnelId}", UpdateFunnel)
            .WithName("UpdateFunnel")
            .WithSummary("Replace a funnel's name, steps and window");
        funnels.MapDelete("/{funnelId}", DeleteFunnel)
            .WithName("DeleteFunnel")
            .WithSummary("Remove a funnel");
        funnels.MapFunnelQuery();
        return app;
    }

    public static Ok<FunnelList> ListFunnels(string siteId, HttpContext http) =>
        TypedResults.Ok(new FunnelList(http.Site().Funnels.Select(FunnelView.Of).ToList()));

    public static async Task<Results<Created<FunnelView>, ValidationProblem, ProblemHttpResult>> CreateFunnel(
        string siteId, FunnelRequest request, HttpContext http, SiteRepository repository, SiteCache cache, AdminAudit audit, CancellationToken ct)
    {
        var errors = FunnelValidation.Validate(request, Funnel.NewId(), out var funnel);
        if (funnel is null)
        {
            return TypedResults.ValidationProblem(errors, detail: "The funnel was not created.");
        }

        var result = await ChangeAsync(siteId, http, repository, cache, audit, AuditActions.FunnelCreate, funnel, lake: null, ct, site =>
        {
            if (site.Funnels.Count >= Funnel.MaxPerSite)
            {
                return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Too many funnels",
                    detail: $"A site has at most {Funnel.MaxPerSite} funnels; delete one first.",
                    extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["funnels"] = [$"At most {Funnel.MaxPerSite}."] } }));
            }

            return NameTaken(site, funnel) ?? ([.. site.Funnels, funnel], null);
        });
        return result is { } problem ? problem : TypedResults.Created($"/api/sites/{siteId}/funnels/{funnel.Id}", FunnelView.Of(funnel));
    }

    public static async Task<Results<Ok<FunnelView>, ValidationProblem, ProblemHttpResult>> UpdateFunnel(
        string siteId, string funnelId, FunnelRequest request, HttpContext http, SiteRepository repository, SiteCache cache, AdminAudit audit, LakeFiles lake,
        CancellationToken ct)
    {
        if (!Funnel.IsWellFormedId(funnelId))
        {
            return FunnelNotFound();
        }

        var errors = FunnelValidation.Validate(request, funnelId, out var funnel);
        if (funnel is null)
        {
            return TypedResults.ValidationProblem(errors, detail: "The funnel was not changed.");
        }

        var result = await ChangeAsync(siteId, http, repository, cache, audit, AuditActions.FunnelUpdate, funnel, lake, ct, site =>
            site.Funnels.All(f => f.Id != funnelId) ? (null, FunnelNotFound())
                : NameTaken(site, funnel) ?? (site.Funnels.Select(f => f.Id == funnelId ? funnel : f).ToList(), null));
        return result is { } problem ? problem : TypedResults.Ok(FunnelView.Of(funnel));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteFunnel(
        string siteId, string funnelId, HttpContext http, SiteRepository repository, SiteCache cache, AdminAudit audit, LakeFiles lake, CancellationToken ct)
    {
        var target = Funnel.IsWellFormedId(funnelId) ? http.Site().Funnels.FirstOrDefault(f => f.Id == funnelId) : null;
        if (target is null)
        {
            return FunnelNotFound();
        }

        var result = await ChangeAsync(siteId, http, repository, cache, audit, AuditActions.FunnelDelete, target, lake, ct, site =>
            site.Funnels.All(f => f.Id != funnelId) ? (null, FunnelNotFound()) : (site.Funnels.Where(f => f.Id != funnelId).ToList(), null));
        return result is { } problem ? problem : TypedResults.NoContent();
    }

    /// <summary>Reads the site, lets <paramref name="change"/> give its new funnels (or a problem), audits once and
    /// stores them under the version read, again on a conflict. Returns null when stored. With <paramref name="lake"/>
    /// (an edit, a deletion), the stored partials of definitions no funnel has any more are deleted.</summary>
    private static async Task<ProblemHttpResult?> ChangeAsync(
        string siteId, HttpContext http, SiteRepository repository, SiteCache cache, AdminAudit audit, string action, Funnel funnel, LakeFiles? lake,
        CancellationToken ct, Func<Site, (IReadOnlyList<Funnel>? Funnels, ProblemHttpResult? Problem)> change)
    {
        var audited = false;
        for (var attempt = 0; attempt < Attempts; attempt++)
        {
            if (await repository.FindByIdAsync(siteId, ct) is not { } site)
            {
                return SiteNotFound(siteId);
            }

            var (funnels, problem) = change(site);
            if (problem is not null)
            {
                return problem;
            }

            if (!audited)
            {
                if (await audit.WriteAsync(http, siteId, action, Describe(funnel), ct, funnel.Id) is { } failed)
                {
                    return failed;
                }

                audited = true;
            }

            switch (await repository.UpdateAsync(site with { Funnels = funnels! }, ct))
            {
                case SiteUpdate.Updated:
                    await cache.InvalidateAsync(ct);
                    if (lake is not null)
                    {
                        await ForgetPartialsAsync(http, siteId, funnels!, lake, ct);
                    }

                    return null;
                case SiteUpdate.NotFound:
                    return SiteNotFound(siteId);
            }
        }

        return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Site changed meanwhile",
            detail: "The site kept changing while the funnel was saved; nothing was changed. Retry.");
    }

    /// <summary>The funnel is changed whatever happens here: a store that fails now leaves the files to the next edit or
    /// the site's deletion (they are never read: their definition is no funnel's).</summary>
    private static async Task ForgetPartialsAsync(HttpContext http, string siteId, IReadOnlyList<Funnel> funnels, LakeFiles lake, CancellationToken ct)
    {
        try
        {
            await QueryFunnelPartials.ForgetUnusedAsync(siteId, funnels, lake, ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            http.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(FunnelsApi))
                .LogWarning(e, "The partials of site {SiteId}'s former funnels were not deleted", siteId);
        }
    }

    private static (IReadOnlyList<Funnel>?, ProblemHttpResult?)? NameTaken(Site site, Funnel funnel) =>
        site.Funnels.Any(f => f.Id != funnel.Id && string.Equals(f.Name, funnel.Name, StringComparison.OrdinalIgnoreCase))
            ? (null, TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Funnel exists",
                detail: $"This site already has a funnel named '{funnel.Name}'; give another name."))
            : null;

    /// <summary>The audit entry's details: the funnel's name, window and steps (the caller's own input, no visitor data).</summary>
    private static string Describe(Funnel funnel) =>
        $"funnel '{funnel.Name}' ({funnel.Window}): " + string.Join(" → ", funnel.Steps.Select(s => s.IsPage
            ? $"page {s.Path}"
            : $"event {s.EventName}" + (s.PropKey is null ? "" : $" {s.PropKey}={s.PropValue}")));

    internal static ProblemHttpResult FunnelNotFound() =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Funnel not found",
            detail: "This site has no funnel with this id; nothing was changed.");

    private static ProblemHttpResult SiteNotFound(string siteId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Site not found",
            detail: $"There is no site with id '{siteId}'; nothing was changed.");
}
