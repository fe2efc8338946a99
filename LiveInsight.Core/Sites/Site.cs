namespace LiveInsight.Core.Sites;

/// <summary>A tracked website. The secret key itself is never kept: only its SHA-256 hash.</summary>
public sealed record Site(
    string SiteId,
    string Name,
    IReadOnlyList<string> Domains,
    string PublicKey,
    string SecretKeyHash,
    string TimeZone,
    bool HonorDoNotTrack,
    DateTimeOffset CreatedAt);
