using LiveInsight.Api.Extensions;
using LiveInsight.Api.Ingestion;
using LiveInsight.Api.Sites;
using LiveInsight.Core.Sites;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Api.Apis;

public static class SitesApi
{
    public static IEndpointRouteBuilder MapSitesApi(this IEndpointRouteBuilder app)
    {
        var sites = app.MapGroup("/api/sites")
            .WithTags("Sites")
            .AddEndpointFilter<AdminTokenFilter>();

        sites.MapPost("/", CreateSite)
            .WithName("CreateSite")
            .WithSummary("Create a site; the response holds its secret key, shown only this once");
        sites.MapGet("/", ListSites)
            .WithName("ListSites")
            .WithSummary("List every site (without secret keys)");
        return app;
    }

    public static async Task<Results<Created<CreatedSite>, ValidationProblem>> CreateSite(
        CreateSiteRequest request,
        SiteRepository repository,
        SiteResolver resolver,
        TimeProvider time,
        CancellationToken cancellationToken)
    {
        var errors = SiteValidation.Validate(request, out var domains);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "The site was not created.");
        }

        var secretKey = SiteKeys.NewSecretKey();
        var site = new Site(
            SiteKeys.NewSiteId(),
            request.Name!.Trim(),
            domains,
            SiteKeys.NewPublicKey(),
            SiteKeys.HashSecret(secretKey),
            request.TimeZone ?? "UTC",
            request.HonorDnt ?? true,
            time.GetUtcNow())
        {
            ExcludedPaths = request.ExcludedPaths ?? [],
            ExcludedIpRanges = request.ExcludedIpRanges ?? [],
            RateLimitPerMinute = request.RateLimitPerMinute ?? 0,
        };
        await repository.CreateAsync(site, cancellationToken);
        await resolver.InvalidateAsync(cancellationToken);

        return TypedResults.Created(
            $"/api/sites/{site.SiteId}",
            new CreatedSite(site.SiteId, site.Name, site.Domains, site.TimeZone, site.PublicKey, secretKey));
    }

    public static async Task<Ok<SiteList>> ListSites(SiteRepository repository, CancellationToken cancellationToken)
    {
        var sites = await repository.ListAsync(cancellationToken);
        return TypedResults.Ok(new SiteList(sites
            .Select(s => new SiteSummary(
                s.SiteId, s.Name, s.Domains, s.TimeZone, s.HonorDoNotTrack, s.PublicKey, s.CreatedAt, s.ExcludedPaths, s.ExcludedIpRanges))
            .ToList()));
    }
}
