using System.Net.Http.Headers;
using System.Net.Http.Json;
using LiveInsight.Dashboard.Extensions;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Sharing;

/// <summary>A site's name as the Api knows it (<c>GET /api/sites</c> with the admin token, on the server): whether a
/// site exists before a link is made for it, and the title of its shared page. Cached briefly: a rename shows within
/// <see cref="CacheFor"/>.</summary>
public sealed class SiteDirectory(HttpClient http, IMemoryCache cache, IOptions<DashboardOptions> options)
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

    private async Task<Dictionary<string, string>> LoadAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/sites");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Value.AdminToken);
        using var response = await http.SendAsync(request, cancellationToken);
        response.EnsureSuccessStatusCode();
        var list = await response.Content.ReadFromJsonAsync<SiteList>(cancellationToken);
        return (list?.Sites ?? []).ToDictionary(site => site.SiteId, site => site.Name, StringComparer.Ordinal);
    }

    private sealed record SiteList(IReadOnlyList<SiteName> Sites);

    private sealed record SiteName(
        [property: System.Text.Json.Serialization.JsonPropertyName("site_id")] string SiteId,
        [property: System.Text.Json.Serialization.JsonPropertyName("name")] string Name);
}
