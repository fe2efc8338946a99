using System.Collections.Concurrent;
using LiveInsight.Core.Sites;

namespace LiveInsight.Aggregator.Consumer;

/// <summary>Each site's time zone (day buckets are site-local days), read once per site and refreshed hourly.</summary>
public sealed class SiteZones(SiteRepository sites, TimeProvider time)
{
    private static readonly TimeSpan Refresh = TimeSpan.FromHours(1);
    private readonly ConcurrentDictionary<string, (TimeZoneInfo Zone, DateTimeOffset Loaded)> _zones = new();

    public async ValueTask<TimeZoneInfo> GetAsync(string siteId, CancellationToken cancellationToken)
    {
        if (_zones.TryGetValue(siteId, out var cached) && time.GetUtcNow() - cached.Loaded < Refresh)
        {
            return cached.Zone;
        }

        var site = await sites.FindByIdAsync(siteId, cancellationToken);
        var zone = site is not null && TimeZoneInfo.TryFindSystemTimeZoneById(site.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        _zones[siteId] = (zone, time.GetUtcNow());
        return zone;
    }
}
