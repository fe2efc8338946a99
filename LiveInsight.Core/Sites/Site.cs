using System.ComponentModel;

namespace LiveInsight.Core.Sites;

/// <summary>
/// A tracked website. The secret key itself is never kept: only its SHA-256 hash. Immutable, so caches
/// (HybridCache) can hand out one shared instance instead of a copy per request.
/// </summary>
[ImmutableObject(true)]
public sealed record Site(
    string SiteId,
    string Name,
    IReadOnlyList<string> Domains,
    string PublicKey,
    string SecretKeyHash,
    string TimeZone,
    bool HonorDoNotTrack,
    DateTimeOffset CreatedAt)
{
    /// <summary>The stored item's version: every update names the version it read and stores the next, so two changes
    /// made from the same read (a settings change racing a key rotation) cannot silently undo one another.</summary>
    public long Version { get; init; }

    /// <summary>Path patterns not to count: <c>*</c> matches within one segment, <c>**</c> across segments.</summary>
    public IReadOnlyList<string> ExcludedPaths { get; init; } = [];

    /// <summary>Ingestion requests allowed per minute for this site's key, shared by all Api replicas; 0 means the
    /// installation's default (<c>LiveInsight:Ingestion:RequestsPerMinute</c>, 1,000).</summary>
    public int RateLimitPerMinute { get; init; }

    /// <summary>Not stored with the site: set when the site was found through a key retired by a rotation, which keeps
    /// working until this moment (the grace period). Null for the current keys.</summary>
    public DateTimeOffset? KeyValidUntil { get; init; }

    /// <summary>Client IP ranges (CIDR) not to count, e.g. the owner's office.</summary>
    public IReadOnlyList<string> ExcludedIpRanges { get; init; } = [];

    /// <summary>When set, pages on any subdomain of the site's domains (blog.example.com for example.com) may send
    /// events too. Off by default: a subdomain can be someone else's (hosted blogs, user pages).</summary>
    public bool AllowSubdomains { get; init; }

    /// <summary>When set, requests with <c>Origin: null</c> (sandboxed iframes, some in-app browsers, file:// pages) may
    /// send events; each event's page URL must still be on the site's domains. Off by default: any page on the web can
    /// make its requests say "null", so accepting it lets anyone send events in this site's name.</summary>
    public bool AllowNullOrigin { get; init; }

    /// <summary>Keys replaced by rotations whose grace period was still running at the last rotation, so they can be
    /// listed and revoked early. Their secret part is kept only as the hash, like the current secret key.</summary>
    public IReadOnlyList<RetiredKey> RetiredKeys { get; init; } = [];

    /// <summary>Conversion goals (at most <see cref="Goal.MaxPerSite"/>), in the order they were created.</summary>
    public IReadOnlyList<Goal> Goals { get; init; } = [];

    /// <summary>Saved funnels (at most <see cref="Funnel.MaxPerSite"/>), in the order they were created.</summary>
    public IReadOnlyList<Funnel> Funnels { get; init; } = [];

    /// <summary>Whether Plausible's tracker may send this site's events (<c>POST /api/event</c>, found by domain). On
    /// by default, so a move from Plausible is one changed script tag.</summary>
    public bool AcceptPlausible { get; init; } = true;

    /// <summary>Whether <c>liveinsight.identify(userId)</c> is kept: each identified event then carries
    /// <see cref="Identify.Hash"/> of the id (never the id), which links one user's visits across days. Off by default:
    /// without it the cookieless visitor id changes every day and nothing links days.</summary>
    public bool IdentifyEnabled { get; init; }

    /// <summary>The HMAC key of <see cref="Identify.Hash"/> (<see cref="Identify.SecretBytes"/> random bytes), stored with
    /// the site and never shown by any API. Null on a site stored before identify existed until identify is enabled;
    /// replacing it unlinks every hash stored before from the ones that follow.</summary>
    public byte[]? IdentifySecret { get; init; }

    /// <summary>The site's id for Umami's tracker (<c>data-website-id</c>, <c>POST /api/send</c>): a UUID. New sites get
    /// a random one; a site stored before it existed gets one derived from its id (the same on every replica without a
    /// write), which is stored with the site's next change.</summary>
    public string UmamiWebsiteId
    {
        get => field ?? SiteKeys.DerivedUmamiWebsiteId(SiteId);
        init;
    }

    /// <summary>How many months of data the site keeps (<see cref="Lifecycle.Retention.Allowed"/>), or null to keep
    /// everything (the default). Enforced daily on rollups, sessions and the lake (<c>Aggregator/Jobs/SiteLifecycleJob</c>).</summary>
    public int? RetentionMonths { get; init; }

    /// <summary>Set when the site's deletion began (<see cref="Lifecycle.SitePurge"/>): from then on ingestion refuses
    /// its events and reads do not find it, until the purge removes the record itself.</summary>
    public DateTimeOffset? DeletingSince { get; init; }
}

/// <summary>A key pair retired by a rotation, accepted until <paramref name="ValidUntil"/>.</summary>
[ImmutableObject(true)]
public sealed record RetiredKey(string PublicKey, string SecretKeyHash, DateTimeOffset ValidUntil);

public static class SiteKeyValidity
{
    /// <summary>The site, unless it was found through a retired key whose grace period is over.</summary>
    public static Site? IfKeyValid(this Site? site, DateTimeOffset now) =>
        site?.KeyValidUntil is { } until && until <= now ? null : site;
}
