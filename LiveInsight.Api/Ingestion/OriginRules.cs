namespace LiveInsight.Api.Ingestion;

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
