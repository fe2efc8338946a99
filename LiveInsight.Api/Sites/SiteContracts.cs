namespace LiveInsight.Api.Sites;

public sealed record CreateSiteRequest(
    string? Name,
    IReadOnlyList<string>? Domains,
    string? TimeZone,
    bool? HonorDnt,
    IReadOnlyList<string>? ExcludedPaths = null,
    IReadOnlyList<string>? ExcludedIpRanges = null,
    int? RateLimitPerMinute = null,
    bool? AllowSubdomains = null,
    bool? AllowNullOrigin = null,
    bool? AcceptPlausible = null,
    bool? IdentifyEnabled = null);

/// <summary>The only response that ever contains the secret key: it is shown once and stored as a hash.</summary>
public sealed record CreatedSite(
    string SiteId,
    string Name,
    IReadOnlyList<string> Domains,
    string TimeZone,
    string PublicKey,
    string SecretKey);

public sealed record SiteSummary(
    string SiteId,
    string Name,
    IReadOnlyList<string> Domains,
    string TimeZone,
    bool HonorDnt,
    string PublicKey,
    DateTimeOffset CreatedAt,
    IReadOnlyList<string> ExcludedPaths,
    IReadOnlyList<string> ExcludedIpRanges,
    bool AllowSubdomains,
    bool AllowNullOrigin,
    int RateLimitPerMinute,
    DateTimeOffset? PublicKeyLastUsedAt,
    DateTimeOffset? SecretKeyLastUsedAt,
    IReadOnlyList<RetiredKeySummary> RetiredKeys,
    bool AcceptPlausible,
    string UmamiWebsiteId,
    bool IdentifyEnabled,
    int? RetentionMonths = null);

/// <summary>A key pair still in its grace period after a rotation: only the public half is shown. LastUsedAt is the
/// later use of either half.</summary>
public sealed record RetiredKeySummary(string PublicKey, DateTimeOffset ValidUntil, DateTimeOffset? LastUsedAt);

public sealed record SiteList(IReadOnlyList<SiteSummary> Sites);

/// <summary>A partial change: absent fields keep their value.</summary>
public sealed record UpdateSiteRequest(
    string? Name,
    IReadOnlyList<string>? Domains,
    string? TimeZone,
    bool? HonorDnt,
    IReadOnlyList<string>? ExcludedPaths = null,
    IReadOnlyList<string>? ExcludedIpRanges = null,
    bool? AllowSubdomains = null,
    int? RateLimitPerMinute = null,
    bool? AllowNullOrigin = null,
    bool? AcceptPlausible = null,
    bool? IdentifyEnabled = null,
    bool? ResetIdentifySecret = null,
    int? RetentionMonths = null);

/// <summary>New keys after a rotation: like <see cref="CreatedSite"/>, the only time the secret key is shown.</summary>
public sealed record RotatedKeys(string SiteId, string PublicKey, string SecretKey);

/// <summary>A new goal (<c>POST /api/sites/{siteId}/goals</c>): the goal's shape without its id.</summary>
public sealed record CreateGoalRequest(
    string? Kind,
    string? DisplayName = null,
    string? Path = null,
    string? EventName = null,
    string? PropKey = null,
    string? PropValue = null);

/// <summary>A goal as the API shows it; fields a goal of its kind does not have are left out.</summary>
public sealed record GoalView(
    string Id,
    string Kind,
    string DisplayName,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Path,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? EventName,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? PropKey,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? PropValue)
{
    public static GoalView Of(LiveInsight.Core.Sites.Goal goal) =>
        new(goal.Id, goal.Kind, goal.DisplayName, goal.Path, goal.EventName, goal.PropKey, goal.PropValue);
}

public sealed record GoalList(IReadOnlyList<GoalView> Goals);
