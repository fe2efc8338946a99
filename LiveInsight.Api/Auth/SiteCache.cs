using System.Net;
using LiveInsight.Api.Ingestion;
using LiveInsight.Core.Sites;
using Microsoft.Extensions.Caching.Hybrid;

namespace LiveInsight.Api.Auth;

/// <summary>
/// Every lookup of a site the Api makes, behind one HybridCache with one tag: public key → site (ingestion), secret key
/// hash → site and id → site (the read side), the list of sites, and origin → "is this any site's domain" (CORS
/// preflights carry no key). So the hot path never queries DynamoDB per request, and one <see cref="InvalidateAsync"/>
/// after a change reaches every kind of lookup on this replica (others follow within a minute).
/// </summary>
public sealed class SiteCache(SiteRepository sites, HybridCache cache, UnauthenticatedLimiter limiter, TimeProvider time)
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

        var site = await OrLastKnownAsync($"site:pk:{publicKey}", cache.GetOrCreateAsync(
            $"site:pk:{publicKey}",
            (sites, publicKey, limiter, client),
            static async (state, ct) =>
            {
                await state.limiter.ThrowIfOverLimitAsync(state.client);
                return await state.sites.FindByPublicKeyAsync(state.publicKey, ct);
            },
            KeyEntry,
            Tags,
            cancellationToken));
        return site.IfKeyValid(time.GetUtcNow());
    }

    /// <summary>How long a lookup read before an outage keeps answering while DynamoDB cannot be read (a key revoked
    /// during the outage keeps working until it ends, or this long).</summary>
    public static readonly TimeSpan LastKnownFor = TimeSpan.FromHours(1);

    /// <summary>Only lookups that found something are kept (an unknown key is never stored), so this bounds real sites.</summary>
    private const int MaxLastKnown = 100_000;

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (object Value, DateTimeOffset At)> _lastKnown = new(StringComparer.Ordinal);

    /// <summary>
    /// The lookup's answer, remembered under <paramref name="key"/> (at most once a minute, as the cache entry lives, so
    /// the hot path pays a dictionary read, not a write). When DynamoDB is away and the entry expired meanwhile, the
    /// answer last read instead: ingestion keeps taking a site's events rather than refusing a site that was fine a
    /// minute ago (found by ./liveinsight chaos). Used by every lookup ingestion depends on.
    /// </summary>
    private async ValueTask<T> OrLastKnownAsync<T>(string key, ValueTask<T> lookup)
    {
        T value;
        try
        {
            value = await lookup;
        }
        catch (Exception e) when (IsStorageOutage(e) && _lastKnown.TryGetValue(key, out var known)
                                  && time.GetUtcNow() - known.At < LastKnownFor)
        {
            return (T)known.Value;
        }

        var now = time.GetUtcNow();
        if (value is not null && (_lastKnown.TryGetValue(key, out var last) ? now - last.At >= KeyEntry.Expiration : _lastKnown.Count < MaxLastKnown))
        {
            _lastKnown[key] = (value!, now);
        }

        return value;
    }

    private static bool IsStorageOutage(Exception e) =>
        e is Amazon.Runtime.AmazonServiceException or System.Net.Http.HttpRequestException or TimeoutException
            or Amazon.Runtime.AmazonClientException;

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
        var origins = await OrLastKnownAsync("site:origins", cache.GetOrCreateAsync(
            "site:origins",
            sites,
            static async (repository, ct) => (await repository.ListAsync(ct))
                .SelectMany(s => s.Domains.Select(d => new SiteOrigin(d, s.AllowSubdomains)))
                .Distinct()
                .ToArray(),
            KeyEntry,
            Tags,
            cancellationToken));
        return origins.Any(o => OriginRules.HostMatches(host, o.Domain, o.AllowSubdomains));
    }

    /// <summary>
    /// The site a Plausible <c>domain</c> or an Umami website id names (<c>POST /api/event</c>, <c>/api/send</c>: their
    /// trackers send no key). Both are found in one index built from the list of sites and cached like the origins:
    /// an unknown name costs a dictionary lookup, never a DynamoDB call, and the cache holds one entry whatever
    /// callers send. A domain matches a site domain exactly (case and a leading <c>www.</c> aside); when two sites
    /// share a domain the older one wins.
    /// </summary>
    public async ValueTask<Site?> FindByCompatIdAsync(CompatId kind, string value, CancellationToken cancellationToken)
    {
        var index = await OrLastKnownAsync("site:compat", cache.GetOrCreateAsync(
            "site:compat",
            sites,
            static async (repository, ct) => CompatSiteIndex.Build(await repository.ListAsync(ct)),
            KeyEntry,
            Tags,
            cancellationToken));
        var map = kind == CompatId.PlausibleDomain ? index.ByDomain : index.ByUmamiId;
        var key = kind == CompatId.PlausibleDomain ? CompatSiteIndex.DomainKey(value) : value;
        return map.TryGetValue(key, out var siteId) ? await FindByIdAsync(siteId, cancellationToken) : null;
    }

    /// <summary>Called after a site changes so this replica sees it at once (others within a minute).</summary>
    public ValueTask InvalidateAsync(CancellationToken cancellationToken) => cache.RemoveByTagAsync(AllDomainsTag, cancellationToken);

    /// <summary>The site of a secret key, by the key's hash (computed once per request by the caller): current, or
    /// retired and still in its grace period. A cache miss asks DynamoDB only within <paramref name="client"/>'s
    /// lookup limit (else <see cref="LookupLimitedException"/>).</summary>
    public async ValueTask<Site?> FindBySecretKeyHashAsync(string secretKeyHash, IPAddress? client, CancellationToken cancellationToken) =>
        (await cache.GetOrCreateAsync(
            $"site:sk:{secretKeyHash}",
            (sites, secretKeyHash, limiter, client),
            static async (state, ct) =>
            {
                await state.limiter.ThrowIfOverLimitAsync(state.client);
                return await state.sites.FindBySecretKeyHashAsync(state.secretKeyHash, ct);
            },
            KeyEntry,
            Tags,
            cancellationToken)).IfKeyValid(time.GetUtcNow());

    /// <summary>For the admin token only (trusted, and shared by every Dashboard user, so not limited per address):
    /// callers check <see cref="SiteKeys.IsWellFormedSiteId"/> first.</summary>
    public ValueTask<Site?> FindByIdAsync(string siteId, CancellationToken cancellationToken) =>
        OrLastKnownAsync($"site:id:{siteId}", cache.GetOrCreateAsync(
            $"site:id:{siteId}",
            (sites, siteId),
            static (state, ct) => new ValueTask<Site?>(state.sites.FindByIdAsync(state.siteId, ct)),
            KeyEntry,
            Tags,
            cancellationToken));
}

public enum CompatId
{
    PlausibleDomain,
    UmamiWebsiteId,
}

/// <summary>Plausible domain → site id and Umami website id → site id, over every site (a record, so HybridCache can
/// serialise it).</summary>
[System.ComponentModel.ImmutableObject(true)]
public sealed record CompatSiteIndex(Dictionary<string, string> ByDomain, Dictionary<string, string> ByUmamiId)
{
    /// <param name="sites">Oldest first (as <see cref="SiteRepository.ListAsync"/> returns them).</param>
    public static CompatSiteIndex Build(IReadOnlyList<Site> sites)
    {
        var byDomain = new Dictionary<string, string>(StringComparer.Ordinal);
        var byUmami = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var site in sites)
        {
            foreach (var domain in site.Domains)
            {
                byDomain.TryAdd(DomainKey(domain), site.SiteId);
            }

            byUmami.TryAdd(site.UmamiWebsiteId, site.SiteId);
        }

        return new CompatSiteIndex(byDomain, byUmami);
    }

    public static string DomainKey(string domain)
    {
        var lower = domain.Trim().ToLowerInvariant();
        return lower.StartsWith("www.", StringComparison.Ordinal) ? lower[4..] : lower;
    }
}
