using System.Collections.Concurrent;

namespace LiveInsight.Core.Sites;

/// <summary>
/// A site's time zone (<see cref="Site.TimeZone"/>) as the read side, reports, imports and alerts use it: an id this
/// machine does not know counts as UTC. Site validation accepts only known ids, so the cache holds at most the installed
/// zones.
/// </summary>
public static class SiteTimeZones
{
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new();

    public static TimeZoneInfo Of(string id) =>
        Zones.GetOrAdd(id, z => TimeZoneInfo.TryFindSystemTimeZoneById(z, out var zone) ? zone : TimeZoneInfo.Utc);
}
