using LiveInsight.Api.Extensions;
using LiveInsight.Api.Ingestion;
using LiveInsight.Api.Sites;
using LiveInsight.Core.Sites;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Api.Apis;

public static class SitesApi
{
    public const int DefaultGraceSeconds = 24 * 3600;
    public const int MaxGraceSeconds = 30 * 24 * 3600;

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
        sites.MapPatch("/{siteId}", UpdateSite)
            .WithName("UpdateSite")
            .WithSummary("Change a site's name, domains, time zone, DNT setting or exclusions (absent fields are kept)");
        sites.MapPost("/{siteId}/rotate-keys", RotateKeys)
            .WithName("RotateSiteKeys")
            .WithSummary("Replace both keys at once (no grace period); the response holds the new secret key, shown only this once");
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
        return TypedResults.Ok(new SiteList(sites.Select(Summary).ToList()));
    }

    public static async Task<Results<Ok<SiteSummary>, NotFound, ValidationProblem>> UpdateSite(
        string siteId,
        UpdateSiteRequest request,
        SiteRepository repository,
        SiteResolver resolver,
        CancellationToken cancellationToken)
    {
        if (await repository.FindByIdAsync(siteId, cancellationToken) is not { } site)
        {
            return TypedResults.NotFound();
        }

        var merged = new CreateSiteRequest(
            request.Name ?? site.Name,
            request.Domains ?? site.Domains,
            request.TimeZone ?? site.TimeZone,
            request.HonorDnt ?? site.HonorDoNotTrack,
            request.ExcludedPaths ?? site.ExcludedPaths,
            request.ExcludedIpRanges ?? site.ExcludedIpRanges);
        var errors = SiteValidation.Validate(merged, out var domains);
        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "The site was not changed.");
        }

        var updated = site with
        {
            Name = merged.Name!.Trim(),
            Domains = domains,
            TimeZone = merged.TimeZone!,
            HonorDoNotTrack = merged.HonorDnt!.Value,
            ExcludedPaths = merged.ExcludedPaths!,
            ExcludedIpRanges = merged.ExcludedIpRanges!,
        };
        if (!await repository.UpdateAsync(updated, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        await resolver.InvalidateAsync(cancellationToken);
        return TypedResults.Ok(Summary(updated));
    }

    /// <summary>
    /// New keys at once; the old ones keep working for <paramref name="graceSeconds"/> (default a day, so pages still
    /// carrying the old public key go on counting while they are redeployed). 0 revokes them now (this replica at
    /// once, the others when their one-minute site cache expires).
    /// </summary>
    public static async Task<Results<Ok<RotatedKeys>, NotFound, ValidationProblem>> RotateKeys(
        string siteId,
        SiteRepository repository,
        SiteResolver resolver,
        TimeProvider time,
        CancellationToken cancellationToken,
        [Microsoft.AspNetCore.Mvc.FromQuery(Name = "grace_seconds")] int graceSeconds = DefaultGraceSeconds)
    {
        if (graceSeconds is < 0 or > MaxGraceSeconds)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["grace_seconds"] = [$"Between 0 (revoke the old keys now) and {MaxGraceSeconds} (30 days)."],
            });
        }

        if (await repository.FindByIdAsync(siteId, cancellationToken) is not { } site)
        {
            return TypedResults.NotFound();
        }

        var secretKey = SiteKeys.NewSecretKey();
        var rotated = site with { PublicKey = SiteKeys.NewPublicKey(), SecretKeyHash = SiteKeys.HashSecret(secretKey) };
        if (graceSeconds > 0)
        {
            await repository.RetireKeysAsync(site, time.GetUtcNow().AddSeconds(graceSeconds), cancellationToken);
        }

        if (!await repository.UpdateAsync(rotated, cancellationToken))
        {
            return TypedResults.NotFound();
        }

        await resolver.InvalidateAsync(cancellationToken);
        return TypedResults.Ok(new RotatedKeys(site.SiteId, rotated.PublicKey, secretKey));
    }

    private static SiteSummary Summary(Site s) =>
        new(s.SiteId, s.Name, s.Domains, s.TimeZone, s.HonorDoNotTrack, s.PublicKey, s.CreatedAt, s.ExcludedPaths, s.ExcludedIpRanges);
}
