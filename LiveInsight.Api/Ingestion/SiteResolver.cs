using System.Net;
using LiveInsight.Core.Sites;
using Microsoft.Extensions.Caching.Hybrid;

namespace LiveInsight.Api.Ingestion;

/// <summary>
/// Public key → site, and origin → "is this any site's domain" (for CORS preflights, which carry no key), both behind
/// HybridCache so the hot path does not query DynamoDB per request.
/// </summary>
public sealed class SiteResolver(SiteRepository sites, HybridCache cache, UnauthenticatedLimiter limiter, TimeProvider time)
{
    public const string AllDomainsTag = "sites";
    private static readonly HybridCacheEntryOptions KeyEntry = new() { Expiration = TimeSpan.FromMinutes(1), LocalCacheExpiration = TimeSpan.FromMinutes(1) };
    private static readonly string[] Tags = [AllDomainsTag];

    /// <summary>The full list is a Scan of the Sites table: kept 10 s on each replica (not in Redis: a replica drops
    /// its own copy when it changes a site, and others follow within the 10 s).</summary>
    public static readonly TimeSpan ListCacheFor = TimeSpan.FromSeconds(10);

    private static readonly HybridCacheEntryOptions ListEntry = new()
    {
        Expiration = ListCacheFor,
        LocalCacheExpiration = ListCacheFor,
        Flags = HybridCacheEntryFlags.DisableDistributedCache,
    };

    /// <summary>The site of a public key: current, or retired and still in its grace period (checked on every use,
    /// so a cached retired key stops working exactly when its grace ends). Unknown keys are cached too (as null: keys
    /// are random and never reused, so a null cannot hide a later site). Only a cache miss asks DynamoDB, and only
    /// within <paramref name="client"/>'s lookup limit (else <see cref="LookupLimitedException"/>).</summary>
    public async ValueTask<Site?> FindByPublicKeyAsync(string publicKey, IPAddress? client, CancellationToken cancellationToken)
    {
        if (!SiteKeys.IsWellFormedPublicKey(publicKey))
        {
            return null;
        }

        return (await cache.GetOrCreateAsync(
            $"site:pk:{publicKey}",
            (sites, publicKey, limiter, client),
            static async (state, ct) =>
            {
                await state.limiter.ThrowIfOverLimitAsync(state.client);
                return await state.sites.FindByPublicKeyAsync(state.publicKey, ct);
            },
            KeyEntry,
            Tags,
            cancellationToken)).IfKeyValid(time.GetUtcNow());
    }

    /// <summary>Every site (<c>GET /api/sites</c>, which the Dashboard asks on every page load): at most one Scan per
    /// replica per <see cref="ListCacheFor"/>.</summary>
    public ValueTask<IReadOnlyList<Site>> ListAsync(CancellationToken cancellationToken) =>
        cache.GetOrCreateAsync(
            "site:list",
            sites,
            static async (repository, ct) => await repository.ListAsync(ct),
            ListEntry,
            Tags,
            cancellationToken);

    /// <summary>Whether some site would take events from this origin host, each site by its own subdomain setting.</summary>
    public async ValueTask<bool> IsAnySiteOriginAsync(string host, CancellationToken cancellationToken)
    {
        var origins = await cache.GetOrCreateAsync(
            "site:origins",
            sites,
            static async (repository, ct) => (await repository.ListAsync(ct))
                .SelectMany(s => s.Domains.Select(d => new SiteOrigin(d, s.AllowSubdomains)))
                .Distinct()
                .ToArray(),
            KeyEntry,
            Tags,
            cancellationToken);
        return origins.Any(o => OriginRules.HostMatches(host, o.Domain, o.AllowSubdomains));
    }

    /// <summary>Called after a site changes so this replica sees it at once (others within a minute).</summary>
    public ValueTask InvalidateAsync(CancellationToken cancellationToken) => cache.RemoveByTagAsync(AllDomainsTag, cancellationToken);
}

/// <summary>One domain of one site, as the preflight check needs it (a record, so HybridCache can serialise it).</summary>
[System.ComponentModel.ImmutableObject(true)]
public sealed record SiteOrigin(string Domain, bool AllowSubdomains);

public static class OriginRules
{
    /// <summary>
    /// An origin host belongs to a site domain when equal, ignoring a leading <c>www.</c> on either side; with
    /// <paramref name="allowSubdomains"/> also when it ends with "." + the domain (blog.example.com for example.com,
    /// never evilexample.com). An IP address has no subdomains.
    /// </summary>
    public static bool HostMatches(string host, string domain, bool allowSubdomains = false)
    {
        static string Bare(string h) => h.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? h[4..] : h;
        var bareDomain = Bare(domain);
        if (string.Equals(Bare(host), bareDomain, StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return allowSubdomains
            && !System.Net.IPAddress.TryParse(bareDomain, out _)
            && host.Length > bareDomain.Length + 1
            && host.EndsWith("." + bareDomain, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The host of an <c>Origin</c> header, or null when absent, "null" or unparsable.</summary>
    public static string? OriginHost(string? origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.Host : null;
}
