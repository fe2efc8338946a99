using LiveInsight.Dashboard.Proxy;
using Microsoft.Extensions.Caching.Memory;

namespace LiveInsight.Dashboard.Sharing;

/// <summary>A site's name as the Api knows it (<c>GET /api/sites</c> with the admin token, on the server): whether a
/// site exists before a link is made for it, and the title of its shared page. Cached briefly: a rename shows within
/// <see cref="CacheFor"/>.</summary>
public sealed class SiteDirectory(ApiSites api, IMemoryCache cache)
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(30);

    private const string CacheKey = "share:sites";

    /// <summary>The site's name, or null when the Api has no such site.</summary>
    public async Task<string?> NameAsync(string siteId, CancellationToken cancellationToken)
    {
        if (!cache.TryGetValue(CacheKey, out Dictionary<string, string>? names) || names is null || !names.ContainsKey(siteId))
        {
            // A miss reloads, so a site created a moment ago is found at once.
            names = await LoadAsync(cancellationToken);
            cache.Set(CacheKey, names, CacheFor);
        }

        return names.GetValueOrDefault(siteId);
    }

    private async Task<Dictionary<string, string>> LoadAsync(CancellationToken cancellationToken) =>
        (await api.ListAsync(cancellationToken)).OfType<System.Text.Json.Nodes.JsonObject>()
            .ToDictionary(site => site["site_id"]!.GetValue<string>(), site => site["name"]?.GetValue<string>() ?? "", StringComparer.Ordinal);
}
