using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;

namespace LiveInsight.Aggregator.Rollups;

/// <summary>What one batch adds to the rollups: counter deltas per (hash, field), visitors to add to day sketches of
/// dimension values (pages, custom events; PFADD is idempotent, so a redelivery cannot double them), and the session
/// updates that need Redis state (new or not) and so are decided inside the apply script. Every dimension
/// value goes through <see cref="Values"/> (the per-site-day cap of distinct values).</summary>
public sealed class RollupDeltas(RollupValues values)
{
    public RollupValues Values { get; } = values;

    /// <summary>A dry run for the cap (<see cref="ValueCap"/>): the rollups only ask <see cref="Values"/> for what they
    /// would write; no counter, sketch or session touch is built (the batch's first pass, issue 22: half the rollups'
    /// work was building deltas only to throw them away).</summary>
    public bool ValuesOnly { get; init; }

    public Dictionary<(string Hash, string Field), long> Counters { get; } = [];
    /// <summary>(sketch key, visitor) pairs to PFADD: <see cref="RollupLayout.ValueVisitorsHll"/> keys.</summary>
    public HashSet<(string Hll, string VisitorId)> VisitorSketches { get; } = [];

    /// <summary>The page rollup's name for <see cref="VisitorSketches"/> (pages had the only sketches once).</summary>
    public HashSet<(string Hll, string VisitorId)> PageVisitors => VisitorSketches;
    public List<SessionTouch> Sessions { get; } = [];

    public void Add(string hash, string field, long delta)
    {
        if (delta != 0 && !ValuesOnly)
        {
            Counters[(hash, field)] = Counters.GetValueOrDefault((hash, field)) + delta;
        }
    }

    /// <summary>Adds a counter to the event's hour and day buckets.</summary>
    public void Add(RollupTarget target, string dimension, string value, string metric, long delta = 1)
    {
        var counted = Values.Value(target, dimension, value);
        if (ValuesOnly)
        {
            return;
        }

        var field = RollupLayout.Field(dimension, counted, metric);
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

/// <summary>One event of a session, in the form the apply script needs. Paths and dimension values are the ones the
/// rollups count (perhaps <see cref="RollupLayout.Other"/>), each with the real one when it differs, so the Sessions
/// table keeps what was sent. If the touch opens the session, the script adds <see cref="VisitorId"/> to the day sketch
/// of each of its dimension values (<see cref="VisitorSketchHead"/> + dimension + separator + value, see
/// <see cref="RollupLayout.ValueVisitorsHll"/>): once per session, in its start day.</summary>
public sealed record SessionTouch(
    string SessionKey,
    string OpenMember,
    long Ts,
    RolledUp? PageviewPath,
    bool Interactive,
    RollupTarget Target,
    IReadOnlyList<(string Dimension, RolledUp Value)> Dimensions,
    string VisitorId)
{
    public string VisitorSketchHead => RollupLayout.ValueVisitorsHllHead(Target.SiteId, Target.DayBucket);
}

/// <summary>A value as the rollups count it, and the real one when the cap made it "(other)" (else null).</summary>
public sealed record RolledUp(string Value, string? Real)
{
    public static RolledUp Of(RollupDeltas deltas, RollupTarget target, string dimension, string real)
    {
        var value = deltas.Values.Value(target, dimension, real);
        return new RolledUp(value, value == real ? null : real);
    }
}
