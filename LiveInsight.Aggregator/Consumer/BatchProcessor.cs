using System.Diagnostics;
using System.Text.Json;
using LiveInsight.Aggregator.Extensions;
using LiveInsight.Aggregator.Rollups;
using LiveInsight.Aggregator.Sessions;
using LiveInsight.Core.Events;
using StackExchange.Redis;

namespace LiveInsight.Aggregator.Consumer;

/// <summary>
/// One batch of stream entries, end to end: persist the raw events (idempotent), compute every rollup's deltas,
/// then apply them and acknowledge the entries in one atomic script (<see cref="ApplyScript"/>), and finally write
/// the touched sessions' snapshots. Whatever fails before the script leaves the entries pending, to be retried.
/// </summary>
public sealed partial class BatchProcessor(
    IConnectionMultiplexer redis,
    EventStore store,
    SessionStore sessions,
    SiteZones zones,
    ValueCap cap,
    IEnumerable<IRollup> rollups,
    LiveInsightMetrics metrics,
    ILogger<BatchProcessor> logger)
{
    private readonly IRollup[] _rollups = rollups.ToArray();

    /// <summary>Test seam: runs after the events are persisted and before the apply script (a crash there must
    /// lose and double-count nothing).</summary>
    internal Func<Task>? AfterPersist { get; set; }

    /// <summary>Processes entries read from <paramref name="shard"/>'s stream (all of one shard: one slot).</summary>
    public async Task ProcessAsync(IReadOnlyList<StreamEntry> entries, string consumerName, CancellationToken cancellationToken, int shard = 0)
    {
        var started = Stopwatch.GetTimestamp();
        var parsed = new List<(RedisValue Id, StreamEvent Event, RollupTarget Target)>(entries.Count);
        var unreadable = new List<RedisValue>();
        foreach (var entry in entries)
        {
            var e = Parse(entry);
            if (e is null)
            {
                unreadable.Add(entry.Id);
                continue;
            }

            parsed.Add((entry.Id, e, RollupTarget.For(e, await zones.GetAsync(e.SiteId, cancellationToken))));
        }

        // The cap decides first (and for good: its sets only grow), so a crash anywhere after this point leaves a
        // redelivery the same choice.
        var values = await cap.AdmitAsync(Compute(parsed, new RollupValues()).Values);
        await store.WriteEventsAsync(parsed.Select(p => (p.Event, p.Target.DayBucket)).ToList(), cancellationToken);
        if (AfterPersist is { } hook)
        {
            await hook();
        }

        var applied = await ApplyAsync(parsed, unreadable, consumerName, values, shard);
        await sessions.SnapshotAsync(applied.SelectMany(p => p.Event.SessionId is { } sid ? new[] { (p.Event.SiteId, sid) } : []), cancellationToken);

        metrics.AggregatorBatchDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        metrics.AggregatorEventsWritten.Add(applied.Count);
    }

    /// <summary>Applies and acknowledges; if another consumer took some entries over meanwhile, those are left to it
    /// and the deltas are recomputed without them.</summary>
    private async Task<List<(RedisValue Id, StreamEvent Event, RollupTarget Target)>> ApplyAsync(
        List<(RedisValue Id, StreamEvent Event, RollupTarget Target)> parsed, List<RedisValue> unreadable, string consumerName,
        RollupValues values, int shard)
    {
        var db = redis.GetDatabase();
        while (true)
        {
            var ids = parsed.Select(p => p.Id).Concat(unreadable).ToList();
            if (ids.Count == 0)
            {
                return parsed;
            }

            var deltas = Compute(parsed, values);
            var result = await ApplyScript.RunAsync(db, ids, deltas, consumerName, shard);
            if (result.Length == 0)
            {
                return parsed;
            }

            var foreign = result.Select(r => (RedisValue)r).ToHashSet();
            LogTakenOver(foreign.Count);
            parsed = parsed.Where(p => !foreign.Contains(p.Id)).ToList();
            unreadable = unreadable.Where(id => !foreign.Contains(id)).ToList();
        }
    }

    private RollupDeltas Compute(List<(RedisValue Id, StreamEvent Event, RollupTarget Target)> parsed, RollupValues values)
    {
        var deltas = new RollupDeltas(values);
        foreach (var (_, e, target) in parsed)
        {
            foreach (var rollup in _rollups)
            {
                rollup.Apply(e, target, deltas);
            }
        }

        return deltas;
    }

    private StreamEvent? Parse(StreamEntry entry)
    {
        try
        {
            var json = entry[RedisKeys.StreamField];
            return json.IsNull ? null : JsonSerializer.Deserialize((byte[])json!, StreamEventJsonContext.Default.StreamEvent);
        }
        catch (JsonException e)
        {
            // Acknowledged without counting: a malformed entry must not block the stream forever.
            LogUnreadable(entry.Id.ToString(), e.Message);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} entries were taken over by another consumer; applying the rest")]
    private partial void LogTakenOver(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream entry {EntryId} is not a readable event and is skipped: {Error}")]
    private partial void LogUnreadable(string entryId, string error);
}
