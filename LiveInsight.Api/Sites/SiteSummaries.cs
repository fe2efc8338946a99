using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Sites;

/// <summary>A site as the admin API shows it: no secret key, no secret-key hash, with when each key was last used.</summary>
public sealed class SiteSummaries(KeyUsage keyUsage, TimeProvider time)
{
    public async Task<IReadOnlyList<SiteSummary>> SummarizeAsync(IReadOnlyList<Site> sites)
    {
        var used = await keyUsage.ReadAsync(sites);
        var now = time.GetUtcNow();
        return sites.Select(s => Summarize(s, used[s.SiteId], now)).ToList();
    }

    public async Task<SiteSummary> SummarizeAsync(Site site) => (await SummarizeAsync([site]))[0];

    private static SiteSummary Summarize(Site s, IReadOnlyDictionary<string, DateTimeOffset> used, DateTimeOffset now)
    {
        DateTimeOffset? LastUsed(string field) => used.TryGetValue(field, out var at) ? at : null;

        var retired = s.RetiredKeys
            .Where(k => k.ValidUntil > now)
            .Select(k => new RetiredKeySummary(
                k.PublicKey,
                k.ValidUntil,
                new[] { LastUsed(KeyUsage.PublicField(k.PublicKey)), LastUsed(KeyUsage.SecretField(k.SecretKeyHash)) }.Max()))
            .ToList();
        return new SiteSummary(
            s.SiteId, s.Name, s.Domains, s.TimeZone, s.HonorDoNotTrack, s.PublicKey, s.CreatedAt, s.ExcludedPaths,
            s.ExcludedIpRanges, s.AllowSubdomains, s.AllowNullOrigin, s.RateLimitPerMinute,
            LastUsed(KeyUsage.PublicField(s.PublicKey)),
            LastUsed(KeyUsage.SecretField(s.SecretKeyHash)),
            retired,
            s.AcceptPlausible,
            s.UmamiWebsiteId,
            s.IdentifyEnabled,
            s.RetentionMonths);
    }
}
