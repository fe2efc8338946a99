using LiveInsight.Api.Auth;
using LiveInsight.Api.Demo;
using LiveInsight.Api.Extensions;
using LiveInsight.Api.Imports;
using LiveInsight.Api.Ingestion;
using LiveInsight.Api.Sites;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Sites;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Api.Apis;

/// <summary>
/// The demo site (issue 23): <c>POST /api/demo</c> creates a site called "Demo" (once) and fills it with 90 days of
/// realistic traffic (<see cref="DemoTraffic"/>): the history through the import path, the last 23 hours through the
/// real ingestion path (so the aggregator books them as it books any visit). Running it again adds nothing twice:
/// the site is found by name and domain, the history import exists, today's events have fixed ids and are dropped as
/// duplicates. <c>DELETE /api/demo</c> removes the demo's imported history. Behind the admin token;
/// <c>./liveinsight demo</c> and the Aspire dashboard's "Load demo data" command call it.
/// </summary>
public static class DemoApi
{
    public const string ImportSource = "demo";
    public const int HistoryDays = 90;

    public sealed record DemoResult(string SiteId, string DashboardPath, ImportRecord? History, int EventsAccepted, int EventsDropped);

    public static IEndpointRouteBuilder MapDemoApi(this IEndpointRouteBuilder app)
    {
        var demo = app.MapGroup("/api/demo").WithTags("Demo").AddEndpointFilter<AdminTokenFilter>();
        demo.MapPost("/", LoadDemo).WithName("LoadDemo")
            .WithSummary("Create the Demo site (once) and fill it with 90 days of traffic: history imported, the last 23 hours ingested");
        demo.MapDelete("/", RemoveDemo).WithName("RemoveDemo").WithSummary("Remove the Demo site's imported history");
        return app;
    }

    public static async Task<Results<Ok<DemoResult>, ProblemHttpResult>> LoadDemo(
        HttpContext http,
        SiteRepository repository,
        SiteCache resolver,
        ImportStore imports,
        EventIngestor ingestor,
        ReadCache cache,
        AdminAudit audit,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var site = await FindAsync(repository, cancellationToken);
        if (site is null)
        {
            site = new Site(SiteKeys.NewSiteId(), DemoTraffic.SiteName, [DemoTraffic.Domain], SiteKeys.NewPublicKey(),
                SiteKeys.HashSecret(SiteKeys.NewSecretKey()), "UTC", HonorDoNotTrack: true, time.GetUtcNow())
            {
                UmamiWebsiteId = SiteKeys.NewUmamiWebsiteId(),
                // Goals over the traffic DemoTraffic makes (they answer from the lake: the ingested hours, not the
                // imported history, which holds day counts rather than events).
                Goals =
                [
                    new Goal(Goal.NewId(), Goal.EventKind, "Signup", null, "Signup", null, null),
                    new Goal(Goal.NewId(), Goal.EventKind, "Signup on Pro", null, "Signup", "plan", "pro"),
                    new Goal(Goal.NewId(), Goal.PageKind, "Visit /pricing", "/pricing", null, null, null),
                ],
                // A funnel over the same traffic: visits that see the pricing page, then sign up (page and event).
                Funnels =
                [
                    new Funnel(Funnel.NewId(), "Pricing to signup",
                    [
                        new FunnelStep(Goal.PageKind, "/pricing", null, null, null, null),
                        new FunnelStep(Goal.PageKind, "/signup", null, null, null, null),
                        new FunnelStep(Goal.EventKind, null, "Signup", null, null, null),
                    ], Funnel.SessionWindow),
                ],
            };
            if (await audit.WriteAsync(http, site.SiteId, AuditActions.SiteCreate, SiteChanges.DescribeCreated(site), cancellationToken) is { } failed)
            {
                return failed;
            }

            await repository.CreateAsync(site, cancellationToken);
            await resolver.InvalidateAsync(cancellationToken);
        }

        var existing = (await imports.ListAsync(site.SiteId, cancellationToken)).FirstOrDefault(i => i.Source == ImportSource);
        if (existing is null)
        {
            var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
            var days = Enumerable.Range(1, HistoryDays - 1).Select(d => today.AddDays(-d)).ToList();
            var (record, problem) = await ImportsApi.WriteAsync(
                http, site, ImportSource, DemoTraffic.History(days, today), imports, cache, audit, time, cancellationToken);
            if (problem is not null && problem.StatusCode != StatusCodes.Status409Conflict)
            {
                return problem;
            }

            existing = record;
        }

        var (accepted, dropped) = (0, 0);
        foreach (var (batch, ip, userAgent) in DemoTraffic.Sessions(time.GetUtcNow(), hours: 23))
        {
            var outcome = await ingestor.IngestAsync(new IngestRequest(batch, "", "", ip, userAgent, DoNotTrack: false) { Site = site }, cancellationToken);
            if (outcome.Error is { } error)
            {
                return TypedResults.Problem(statusCode: error.Status, title: error.Title, detail: $"Demo traffic stopped: {error.Detail}");
            }

            accepted += outcome.Accepted;
            dropped += outcome.Dropped;
        }

        return TypedResults.Ok(new DemoResult(site.SiteId, $"/?site={site.SiteId}&range=30d", existing, accepted, dropped));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RemoveDemo(
        HttpContext http, SiteRepository repository, ImportStore imports, ReadCache cache, AdminAudit audit, CancellationToken cancellationToken)
    {
        if (await FindAsync(repository, cancellationToken) is not { } site)
        {
            return TypedResults.NoContent();
        }

        foreach (var record in (await imports.ListAsync(site.SiteId, cancellationToken)).Where(i => i.Source == ImportSource))
        {
            if (await audit.WriteAsync(http, site.SiteId, AuditActions.SiteImportDelete, record.ImportId, cancellationToken) is { } failed)
            {
                return failed;
            }

            await imports.DeleteAsync(site.SiteId, record, cancellationToken);
        }

        await cache.ForgetSiteAsync(site.SiteId, cancellationToken);
        return TypedResults.NoContent();
    }

    private static async Task<Site?> FindAsync(SiteRepository repository, CancellationToken cancellationToken) =>
        (await repository.ListAsync(cancellationToken))
            .Where(s => s.Name == DemoTraffic.SiteName && s.Domains.Contains(DemoTraffic.Domain))
            .OrderBy(s => s.CreatedAt)
            .FirstOrDefault();
}
