using System.Net;
using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Sites;

/// <summary>Checks and normalises a site as an administrator submits it; every problem is reported, not just the first.</summary>
public static class SiteValidation
{
    public const int MaxNameLength = 100;
    public const int MaxDomains = 50;
    public const int MaxDomainLength = 253;
    public const int MaxExclusions = 50;

    public static Dictionary<string, string[]> Validate(CreateSiteRequest request, out IReadOnlyList<string> domains)
    {
        var errors = new Dictionary<string, string[]>();
        var name = request.Name?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > MaxNameLength)
        {
            errors["name"] = [$"A name of 1 to {MaxNameLength} characters is required."];
        }

        var normalised = (request.Domains ?? []).Select(NormaliseDomain).Distinct().ToList();
        domains = normalised;
        if (normalised.Count is 0 or > MaxDomains)
        {
            errors["domains"] = [$"Between 1 and {MaxDomains} domains are required, e.g. [\"example.com\"]."];
        }
        else
        {
            var invalid = normalised.Where(d => !IsValidDomain(d)).ToArray();
            if (invalid.Length > 0)
            {
                errors["domains"] = invalid
                    .Select(d => $"'{Truncate(d)}' is not a host name: give the bare host (example.com), without scheme, port or path.")
                    .ToArray();
            }
        }

        if (request.TimeZone is { } zone && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out _))
        {
            errors["time_zone"] = [$"'{Truncate(zone)}' is not a known IANA time zone (e.g. Europe/Berlin)."];
        }

        // Every pattern is matched against every event of the site: the count and length caps bound that work.
        var badPaths = (request.ExcludedPaths ?? []).Where(p => p is null || !PathPattern.IsValid(p)).ToArray();
        if (request.ExcludedPaths?.Count > MaxExclusions)
        {
            errors["excluded_paths"] = [$"At most {MaxExclusions} excluded path patterns (got {request.ExcludedPaths.Count}); combine them with * and **, e.g. /admin/**."];
        }
        else if (badPaths.Length > 0)
        {
            errors["excluded_paths"] = [$"Patterns start with '/', have at most {PathPattern.MaxLength} characters and no '***', e.g. /admin/** (invalid: {string.Join(", ", badPaths.Take(5).Select(p => Truncate(p ?? "null")))})."];
        }

        var badRanges = (request.ExcludedIpRanges ?? []).Where(r => !IPNetwork.TryParse(r, out _)).ToArray();
        if (badRanges.Length > 0 || request.ExcludedIpRanges?.Count > MaxExclusions)
        {
            errors["excluded_ip_ranges"] = [$"Up to {MaxExclusions} CIDR ranges, e.g. 203.0.113.0/24 (invalid: {string.Join(", ", badRanges.Select(Truncate))})."];
        }

        if (request.RateLimitPerMinute is < 0 or > 10_000_000)
        {
            errors["rate_limit_per_minute"] = ["Between 1 and 10,000,000 requests a minute, or 0 for the installation's default (1,000 unless configured)."];
        }

        return errors;
    }

    public static bool IsValidDomain(string domain) =>
        domain.Length is > 0 and <= MaxDomainLength
        && Uri.CheckHostName(domain) is UriHostNameType.Dns or UriHostNameType.IPv4
        && !domain.StartsWith('.') && !domain.EndsWith('.');

    private static string NormaliseDomain(string? domain) => (domain ?? "").Trim().ToLowerInvariant();

    private static string Truncate(string value) => value.Length <= 80 ? value : value[..80] + "…";
}
