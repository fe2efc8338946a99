using LiveInsight.Api.Auth;
using LiveInsight.Api.Extensions;
using LiveInsight.Api.Ingestion;
using LiveInsight.Api.Sites;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Sites;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Api.Apis;

/// <summary>Site management, behind the admin token. Every change is written to the audit log first (see
/// <see cref="AdminAudit"/>): when that fails, the change is not made.</summary>
public static class SitesApi
{
    public const int DefaultGraceSeconds = 24 * 3600;
    public const int MaxGraceSeconds = 30 * 24 * 3600;

    public static IEndpointRouteBuilder MapSitesApi(this IEndpointRouteBuilder app)
    {
        var sites = app.MapGroup("/api/sites")
            .WithTags("Sites")
            .AddEndpointFilter<AdminTokenFilter>()
            .ProducesProblem(StatusCodes.Status404NotFound);

        sites.MapPost("/", CreateSite)
            .WithName("CreateSite")
            .WithSummary("Create a site; the response holds its secret key, shown only this once");
        sites.MapGet("/", ListSites)
            .WithName("ListSites")
            .WithSummary("List every site (without secret keys), with when each key was last used and the retired keys");
        sites.MapPatch("/{siteId}", UpdateSite)
            .WithName("UpdateSite")
            .WithSummary("Change a site's name, domains, subdomain and null-origin settings, time zone, DNT setting or exclusions (absent fields are kept)");
        sites.MapPost("/{siteId}/rotate-keys", RotateKeys)
            .WithName("RotateSiteKeys")
            .WithSummary("Replace both keys at once (the old ones keep working for grace_seconds); the response holds the new secret key, shown only this once");
        sites.MapDelete("/{siteId}/retired-keys", RevokeRetiredKeys)
            .WithName("RevokeRetiredKeys")
            .WithSummary("End the grace period of every retired key of a site now");
        return app;
    }

    public static async Task<Results<Created<CreatedSite>, ValidationProblem, ProblemHttpResult>> CreateSite(
        CreateSiteRequest request,
        HttpContext http,
        SiteRepository repository,
        SiteCache resolver,
        AdminAudit audit,
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
            AllowSubdomains = request.AllowSubdomains ?? false,
            AllowNullOrigin = request.AllowNullOrigin ?? false,
            AcceptPlausible = request.AcceptPlausible ?? true,
            IdentifyEnabled = request.IdentifyEnabled ?? false,
            IdentifySecret = Identify.NewSecret(),
            UmamiWebsiteId = SiteKeys.NewUmamiWebsiteId(),
        };
        if (await audit.WriteAsync(http, site.SiteId, AuditActions.SiteCreate, SiteChanges.DescribeCreated(site), cancellationToken) is { } failed)
        {
            return failed;
        }

        await repository.CreateAsync(site, cancellationToken);
        await resolver.InvalidateAsync(cancellationToken);

        return TypedResults.Created(
            $"/api/sites/{site.SiteId}",
            new CreatedSite(site.SiteId, site.Name, site.Domains, site.TimeZone, site.PublicKey, secretKey));
    }

    public static async Task<Ok<SiteList>> ListSites(
        SiteCache resolver, SiteSummaries summaries, CancellationToken cancellationToken)
    {
        var sites = await resolver.ListAsync(cancellationToken);
        return TypedResults.Ok(new SiteList(await summaries.SummarizeAsync(sites)));
    }

    public static async Task<Results<Ok<SiteSummary>, ValidationProblem, ProblemHttpResult>> UpdateSite(
        string siteId,
        UpdateSiteRequest request,
        HttpContext http,
        SiteRepository repository,
        SiteCache resolver,
        SiteSummaries summaries,
        AdminAudit audit,
        CancellationToken cancellationToken)
    {
        if (await repository.FindByIdAsync(siteId, cancellationToken) is not { } site)
        {
            return SiteNotFound(siteId);
        }

        var merged = new CreateSiteRequest(
            request.Name ?? site.Name,
            request.Domains ?? site.Domains,
            request.TimeZone ?? site.TimeZone,
            request.HonorDnt ?? site.HonorDoNotTrack,
            request.ExcludedPaths ?? site.ExcludedPaths,
            request.ExcludedIpRanges ?? site.ExcludedIpRanges,
            request.RateLimitPerMinute ?? site.RateLimitPerMinute);
        var errors = SiteValidation.Validate(merged, out var domains);
        // retention_months: 6, 12, 24 or 36 keep that many months; 0 keeps everything (absent: unchanged).
        var retention = request.RetentionMonths is { } months ? (months == 0 ? null : months) : site.RetentionMonths;
        if (request.RetentionMonths is { } asked && asked != 0 && !Core.Lifecycle.Retention.IsAllowed(asked))
        {
            errors = new Dictionary<string, string[]>(errors)
            {
                ["retention_months"] = [$"One of {string.Join(", ", Core.Lifecycle.Retention.Allowed)}, or 0 to keep everything."],
            };
        }

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
            AllowSubdomains = request.AllowSubdomains ?? site.AllowSubdomains,
            AllowNullOrigin = request.AllowNullOrigin ?? site.AllowNullOrigin,
            AcceptPlausible = request.AcceptPlausible ?? site.AcceptPlausible,
            RateLimitPerMinute = merged.RateLimitPerMinute!.Value,
            IdentifyEnabled = request.IdentifyEnabled ?? site.IdentifyEnabled,
            // A site older than identify gets its secret now; a reset replaces it, unlinking every hash stored so far.
            IdentifySecret = request.ResetIdentifySecret == true || site.IdentifySecret is null ? Identify.NewSecret() : site.IdentifySecret,
            RetentionMonths = retention,
        };
        if (await audit.WriteAsync(http, siteId, AuditActions.SiteUpdate, SiteChanges.DescribeChanges(site, updated), cancellationToken) is { } failed)
        {
            return failed;
        }

        switch (await SaveAsync(updated, repository, resolver, cancellationToken))
        {
            case SiteUpdate.NotFound:
                return SiteNotFound(siteId);
            case SiteUpdate.Conflict:
                return SiteChanged();
        }

        return TypedResults.Ok(await summaries.SummarizeAsync(updated));
    }

    /// <summary>
    /// New keys at once; the old ones keep working for <paramref name="graceSeconds"/> (default a day, so pages still
    /// carrying the old public key go on counting while they are redeployed) and are listed on the site until then.
    /// 0 revokes them now (this replica at once, the others when their one-minute site cache expires).
    /// </summary>
    public static async Task<Results<Ok<RotatedKeys>, ValidationProblem, ProblemHttpResult>> RotateKeys(
        string siteId,
        HttpContext http,
        SiteRepository repository,
        SiteCache resolver,
        AdminAudit audit,
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
            return SiteNotFound(siteId);
        }

        if (await audit.WriteAsync(http, siteId, AuditActions.SiteRotateKeys, $"grace_seconds={graceSeconds}", cancellationToken) is { } failed)
        {
            return failed;
        }

        var now = time.GetUtcNow();
        var secretKey = SiteKeys.NewSecretKey();
        var stillRetired = site.RetiredKeys.Where(k => k.ValidUntil > now).ToList();
        if (graceSeconds > 0)
        {
            var until = now.AddSeconds(graceSeconds);
            await repository.RetireKeysAsync(site, until, cancellationToken);
            stillRetired.Add(new RetiredKey(site.PublicKey, site.SecretKeyHash, until));
        }

        var rotated = site with
        {
            PublicKey = SiteKeys.NewPublicKey(),
            SecretKeyHash = SiteKeys.HashSecret(secretKey),
            RetiredKeys = stillRetired,
        };
        switch (await SaveAsync(rotated, repository, resolver, cancellationToken))
        {
            case SiteUpdate.NotFound:
                return SiteNotFound(siteId);
            case SiteUpdate.Conflict:
                return SiteChanged();
        }

        return TypedResults.Ok(new RotatedKeys(site.SiteId, rotated.PublicKey, secretKey));
    }

    /// <summary>
    /// Ends every retired key's grace period now: their aliases go, the list is cleared and the site caches (ingestion
    /// and read side share one tag) are dropped, so on this replica the old keys fail from the next request.
    /// </summary>
    public static async Task<Results<Ok<SiteSummary>, ProblemHttpResult>> RevokeRetiredKeys(
        string siteId,
        HttpContext http,
        SiteRepository repository,
        SiteCache resolver,
        SiteSummaries summaries,
        AdminAudit audit,
        CancellationToken cancellationToken)
    {
        if (await repository.FindByIdAsync(siteId, cancellationToken) is not { } site)
        {
            return SiteNotFound(siteId);
        }

        var details = $"public_keys={string.Join(",", site.RetiredKeys.Select(k => k.PublicKey))}";
        if (await audit.WriteAsync(http, siteId, AuditActions.SiteRevokeRetiredKeys, details, cancellationToken) is { } failed)
        {
            return failed;
        }

        await repository.DeleteRetiredKeysAsync(site.RetiredKeys, cancellationToken);
        var revoked = site with { RetiredKeys = [] };
        switch (await SaveAsync(revoked, repository, resolver, cancellationToken))
        {
            case SiteUpdate.NotFound:
                return SiteNotFound(siteId);
            case SiteUpdate.Conflict:
                return SiteChanged();
        }

        return TypedResults.Ok(await summaries.SummarizeAsync(revoked));
    }

    /// <summary>Stores a changed site if nobody changed it since it was read, then drops the site caches (ingestion and
    /// read side share one tag), so this replica sees the change from the next request.</summary>
    private static async Task<SiteUpdate> SaveAsync(Site site, SiteRepository repository, SiteCache resolver, CancellationToken cancellationToken)
    {
        var outcome = await repository.UpdateAsync(site, cancellationToken);
        if (outcome == SiteUpdate.Updated)
        {
            await resolver.InvalidateAsync(cancellationToken);
        }

        return outcome;
    }

    /// <summary>A site changed by someone else since it was read answers 409, so a settings change racing a key rotation
    /// never silently undoes it.</summary>
    /// <summary>The id is well formed (<see cref="AdminTokenFilter"/> turned away any other), so it can be named.</summary>
    private static ProblemHttpResult SiteNotFound(string siteId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Site not found",
            detail: $"There is no site with id '{siteId}'; nothing was changed.");

    private static ProblemHttpResult SiteChanged() =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Site changed meanwhile",
            detail: "Someone changed this site since it was read; nothing was changed. Read it again and retry.");
}
