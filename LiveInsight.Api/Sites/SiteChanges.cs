using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Sites;

/// <summary>The short, non-secret audit description of a site as created or of what a change did to it.</summary>
public static class SiteChanges
{
    private const int MaxValueLength = 80;

    public static string DescribeCreated(Site site) => string.Join("; ", Fields(site).Select(f => $"{f.Name}={f.Shown}"));

    /// <summary>The names of the changed fields with their new values, or "no changes".</summary>
    public static string DescribeChanges(Site before, Site after)
    {
        var changed = Fields(before).Zip(Fields(after))
            .Where(pair => pair.First.Raw != pair.Second.Raw)
            .Select(pair => $"{pair.Second.Name}={pair.Second.Shown}")
            .ToList();
        return changed.Count == 0 ? "no changes" : string.Join("; ", changed);
    }

    // Excluded IP ranges are shown only as a count: they are addresses (often the owner's office), never logged raw.
    private static IEnumerable<(string Name, string Raw, string Shown)> Fields(Site s)
    {
        yield return Field("name", s.Name);
        yield return Field("domains", string.Join(",", s.Domains));
        yield return Field("allow_subdomains", s.AllowSubdomains ? "true" : "false");
        yield return Field("allow_null_origin", s.AllowNullOrigin ? "true" : "false");
        yield return Field("accept_plausible", s.AcceptPlausible ? "true" : "false");
        yield return Field("time_zone", s.TimeZone);
        yield return Field("identify_enabled", s.IdentifyEnabled ? "true" : "false");
        // The secret itself never reaches the log: a replacement shows as a changed fingerprint of 8 hex characters.
        yield return Field("identify_secret", s.IdentifySecret is { } key ? Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(key))[..8] : "none");
        yield return Field("honor_dnt", s.HonorDoNotTrack ? "true" : "false");
        yield return Field("excluded_paths", string.Join(",", s.ExcludedPaths));
        yield return Field("rate_limit_per_minute", s.RateLimitPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture));
        yield return Field("retention_months", s.RetentionMonths?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "forever");
        yield return ("excluded_ip_ranges", string.Join(",", s.ExcludedIpRanges), $"{s.ExcludedIpRanges.Count} ranges");
    }

    private static (string, string, string) Field(string name, string value) =>
        (name, value, value.Length <= MaxValueLength ? value : value[..MaxValueLength] + "…");
}
