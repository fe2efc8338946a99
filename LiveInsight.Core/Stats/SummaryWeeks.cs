using System.Globalization;
using Amazon.DynamoDBv2.Model;

namespace LiveInsight.Core.Stats;

/// <summary>
/// Pre-merged summary weeks (issue 22): the summary of a 30-day range and of the 30 days before it read 59 day items,
/// each with its visitor sketch. A week item holds one ISO week's (Monday to Sunday) summary counters summed and its
/// visitor sketches merged (<see cref="HyperLogLogUnion"/>: registers' maximum, so the union over a range, and so
/// every count, is the same as from the days), so a 30-day range reads ~4 week items and its edge days.
/// <para>Layout in the Stats table: pk <c>{site}#wk</c> (<see cref="PartitionKey"/>), sk the week's Monday
/// (<c>yyyy-MM-dd</c>); attributes: the summed counters, <c>hll</c> + <c>hll_crc32</c> (the merged sketch, absent when
/// no day had one), <c>epoch</c> (the site's epoch it was built under). One more item, sk <see cref="EpochSortKey"/>,
/// holds the site's current epoch. Bound: one item per (site, week) plus one per site.</para>
/// <para>Built lazily by the stats reader (read-through) from the day items it read anyway, only for weeks whose
/// every day is settled (<see cref="Settled"/>) and has no Redis hash left (the hash lives 4 days after its last
/// change), and only of native days (a week with an imported day is not merged).</para>
/// <para>Invalidation: a week is used only while its <c>epoch</c> equals the site's current epoch. Every writer that
/// can change a settled day puts a new random epoch (<see cref="EpochItem"/>) <em>after</em> changing the days:
/// erasure, retention and reset (<c>Lifecycle/SitePurge</c>, which also deletes the weeks concerned), imports
/// (<c>Imports/ImportStore</c>) and the flusher when it writes the summary of a day that is settled by then. The
/// reader reads the epoch (consistently) before the day items it builds from, so a week built from days read before
/// such a change carries the epoch before it and is never served. The epoch is a random id, never a counter, and is
/// put again after a reset deletes the partition, so an old epoch can never come back.</para>
/// </summary>
public static class SummaryWeeks
{
    public const string EpochSortKey = "epoch";
    public const string EpochAttribute = "epoch";

    /// <summary>Days after a day (in UTC dates) before its week may be merged. A site-local day ends at the latest
    /// 1.5 days after its UTC date starts (UTC−12); events are accepted up to 24 h old, so its last event arrives by
    /// day + 2.5; sessions that close later and the aggregator's and flusher's lag get the remaining 1.5 days. The
    /// reader also waits until the day's Redis hash is gone (4 days after its last change).</summary>
    public const int SettleDays = 4;

    /// <summary>The flusher puts a new epoch when it writes the summary of a day this old (a day earlier than
    /// <see cref="SettleDays"/>, for clocks that disagree by up to a day).</summary>
    public const int FlusherGuardDays = SettleDays - 1;

    public static string PartitionKey(string siteId) => $"{siteId}#wk";

    /// <summary>The Monday of the ISO week holding <paramref name="day"/>.</summary>
    public static DateOnly WeekOf(DateOnly day) => day.AddDays(-(((int)day.DayOfWeek + 6) % 7));

    public static string SortKey(DateOnly monday) => RollupLayout.DayBucket(monday);

    /// <summary>Whether a site-local day can no longer change in normal operation (see <see cref="SettleDays"/>).</summary>
    public static bool Settled(DateOnly day, DateTimeOffset now) =>
        day.DayNumber <= DateOnly.FromDateTime(now.UtcDateTime).DayNumber - SettleDays;

    /// <summary>Whether the flusher writing this day's summary must put a new epoch (see <see cref="FlusherGuardDays"/>).</summary>
    public static bool FlushInvalidates(DateOnly day, DateTimeOffset now) =>
        day.DayNumber <= DateOnly.FromDateTime(now.UtcDateTime).DayNumber - FlusherGuardDays;

    /// <summary>The whole weeks (their Mondays) inside <paramref name="days"/>.</summary>
    public static List<DateOnly> WholeWeeks(IEnumerable<DateOnly> days)
    {
        var set = days.ToHashSet();
        return set.Where(d => d.DayOfWeek == DayOfWeek.Monday && Enumerable.Range(1, 6).All(i => set.Contains(d.AddDays(i))))
            .Order()
            .ToList();
    }

    /// <summary>A new epoch for the site: put after changing its settled days, so every week built before is unused.</summary>
    public static Dictionary<string, AttributeValue> EpochItem(string siteId) => new()
    {
        ["pk"] = new() { S = PartitionKey(siteId) },
        ["sk"] = new() { S = EpochSortKey },
        [EpochAttribute] = new() { S = Guid.NewGuid().ToString("N") },
    };

    public static Dictionary<string, AttributeValue> Key(string siteId, string sortKey) => new()
    {
        ["pk"] = new() { S = PartitionKey(siteId) },
        ["sk"] = new() { S = sortKey },
    };

    /// <summary>The epoch an epoch item holds ("" when the site never had one).</summary>
    public static string EpochOf(Dictionary<string, AttributeValue>? epochItem) =>
        epochItem is not null && epochItem.TryGetValue(EpochAttribute, out var e) && e.S is not null ? e.S : "";

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
