using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;

namespace LiveInsight.Aggregator.Rollups;

/// <summary>What one batch adds to the rollups: counter deltas per (hash, field), per-page visitor sketches, and the
/// session updates that need Redis state (new or not) and so are decided inside the apply script.</summary>
public sealed class RollupDeltas
{
    public Dictionary<(string Hash, string Field), long> Counters { get; } = [];
    public HashSet<(string Hll, string VisitorId)> PageVisitors { get; } = [];
    public List<SessionTouch> Sessions { get; } = [];

    public void Add(string hash, string field, long delta)
    {
        if (delta != 0)
        {
            Counters[(hash, field)] = Counters.GetValueOrDefault((hash, field)) + delta;
        }
    }

    /// <summary>Adds a counter to the event's hour and day buckets.</summary>
    public void Add(RollupTarget target, string dimension, string value, string metric, long delta = 1)
    {
        var field = RollupLayout.Field(dimension, value, metric);
        Add(target.HourHash, field, delta);
        Add(target.DayHash, field, delta);
    }
}

/// <summary>The hour and day rollup hashes an event falls into (hour in UTC, day in the site's zone).</summary>
public sealed record RollupTarget(string SiteId, string HourHash, string DayHash, string DayBucket)
{
    public static RollupTarget For(StreamEvent e, TimeZoneInfo zone)
    {
        var at = DateTimeOffset.FromUnixTimeMilliseconds(e.Ts);
        var day = RollupLayout.Bucket(Granularity.Day, at, zone);
        return new RollupTarget(
            e.SiteId,
            RollupLayout.RedisHash(e.SiteId, Granularity.Hour, RollupLayout.Bucket(Granularity.Hour, at, zone)),
            RollupLayout.RedisHash(e.SiteId, Granularity.Day, day),
            day);
    }
}

/// <summary>One event of a session, in the form the apply script needs.</summary>
public sealed record SessionTouch(
    string SessionKey,
    string OpenMember,
    long Ts,
    string? PageviewPath,
    bool Interactive,
    RollupTarget Target,
    IReadOnlyList<(string Dimension, string Value)> Dimensions);
