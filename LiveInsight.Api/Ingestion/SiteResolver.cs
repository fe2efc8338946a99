using LiveInsight.Core.Sites;
using Microsoft.Extensions.Caching.Hybrid;

namespace LiveInsight.Api.Ingestion;

/// <summary>
/// Public key → site, and origin → "is this any site's domain" (for CORS preflights, which carry no key), both behind
/// HybridCache so the hot path does not query DynamoDB per request.
/// </summary>
public sealed class SiteResolver(SiteRepository sites, HybridCache cache, TimeProvider time)
{
    public const string AllDomainsTag = "sites";
    private static readonly HybridCacheEntryOptions KeyEntry = new() { Expiration = TimeSpan.FromMinutes(1), LocalCacheExpiration = TimeSpan.FromMinutes(1) };
    private static readonly string[] Tags = [AllDomainsTag];

    /// <summary>The site of a public key: current, or retired and still in its grace period (checked on every use,
    /// so a cached retired key stops working exactly when its grace ends).</summary>
    public async ValueTask<Site?> FindByPublicKeyAsync(string publicKey, CancellationToken cancellationToken) =>
        (await cache.GetOrCreateAsync(
            $"site:pk:{publicKey}",
            (sites, publicKey),
            static (state, ct) => new ValueTask<Site?>(state.sites.FindByPublicKeyAsync(state.publicKey, ct)),
            KeyEntry,
            Tags,
            cancellationToken)).IfKeyValid(time.GetUtcNow());

    public async ValueTask<bool> IsAnySiteOriginAsync(string host, CancellationToken cancellationToken)
    {
        var domains = await cache.GetOrCreateAsync(
            "site:domains",
            sites,
            static async (repository, ct) => (await repository.ListAsync(ct)).SelectMany(s => s.Domains).Distinct().ToArray(),
            KeyEntry,
            Tags,
            cancellationToken);
        return domains.Any(domain => OriginRules.HostMatches(host, domain));
    }

    /// <summary>Called after a site changes so this replica sees it at once (others within a minute).</summary>
    public ValueTask InvalidateAsync(CancellationToken cancellationToken) => cache.RemoveByTagAsync(AllDomainsTag, cancellationToken);
}

public static class OriginRules
{
    /// <summary>An origin host belongs to a site domain when equal, ignoring a leading <c>www.</c> on either side.</summary>
    public static bool HostMatches(string host, string domain)
    {
        static string Bare(string h) => h.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? h[4..] : h;
        return string.Equals(Bare(host), Bare(domain), StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The host of an <c>Origin</c> header, or null when absent, "null" or unparsable.</summary>
    public static string? OriginHost(string? origin) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.Host : null;
}
