using System.Diagnostics;
using System.Text.Json;
using LiveInsight.Aggregator.Extensions;
using LiveInsight.Aggregator.Rollups;
using LiveInsight.Aggregator.Sessions;
using LiveInsight.Core.Events;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Aggregator.Consumer;

/// <summary>
/// One batch of stream entries, end to end: persist the raw events (idempotent), compute every rollup's deltas,
/// then apply them and acknowledge the entries chunk by chunk (<see cref="AggregatorOptions.ApplyChunkSize"/> events),
/// each chunk in one atomic script (<see cref="ApplyScript"/>) that applies that chunk's deltas and acknowledges only
/// that chunk's entries, and finally write the touched sessions' snapshots. Whatever fails before a chunk's script
/// leaves that chunk's entries pending, to be retried; a chunk applied is acknowledged with it, so a crash between
/// chunks neither loses nor doubles anything. Chunks keep each call short (Redis serves nobody while a script runs);
/// they are sent together (pipelined), so the batch still costs about one round trip.
/// </summary>
public sealed partial class BatchProcessor(
    IConnectionMultiplexer redis,
    EventStore store,
    SessionStore sessions,
    SiteZones zones,
    ValueCap cap,
    IEnumerable<IRollup> rollups,
    IOptions<AggregatorOptions> options,
    LiveInsightMetrics metrics,
    ILogger<BatchProcessor> logger)
{
    private readonly IRollup[] _rollups = rollups.ToArray();

    /// <summary>Test seam: runs after the events are persisted and before the apply script (a crash there must
    /// lose and double-count nothing).</summary>
    internal Func<Task>? AfterPersist { get; set; }

    /// <summary>Test seam: runs before each chunk's apply script is sent, with the chunk's index (throwing at index
    /// k leaves chunks 0..k-1 applied and acknowledged, the rest pending: a crash between chunks).</summary>
    internal Func<int, Task>? BeforeChunk { get; set; }

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
        var values = await cap.AdmitAsync(Compute(parsed, new RollupValues(), valuesOnly: true).Values);
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

    /// <summary>Applies and acknowledges chunk by chunk, all chunks sent at once; returns the events applied here.
    /// Unreadable entries are acknowledged in a chunk of their own (no deltas).</summary>
    private async Task<List<(RedisValue Id, StreamEvent Event, RollupTarget Target)>> ApplyAsync(
        List<(RedisValue Id, StreamEvent Event, RollupTarget Target)> parsed, List<RedisValue> unreadable, string consumerName,
        RollupValues values, int shard)
    {
        var db = redis.GetDatabase();
        var size = options.Value.ApplyChunkSize;
        var chunks = new List<(List<(RedisValue Id, StreamEvent Event, RollupTarget Target)> Events, List<RedisValue> Unreadable)>();
        for (var start = 0; start < parsed.Count; start += size)
        {
            chunks.Add((parsed.GetRange(start, Math.Min(size, parsed.Count - start)), []));
        }

        if (unreadable.Count > 0)
        {
            chunks.Add(([], unreadable));
        }

        var running = new List<Task<List<(RedisValue Id, StreamEvent Event, RollupTarget Target)>>>(chunks.Count);
        try
        {
            for (var k = 0; k < chunks.Count; k++)
            {
                if (BeforeChunk is { } hook)
                {
                    await hook(k);
                }

                running.Add(ApplyChunkAsync(db, chunks[k].Events, chunks[k].Unreadable, consumerName, values, shard));
            }
        }
        catch
        {
            // What was sent finishes (or fails) on its own; the rest stays pending for a retry.
            await Task.WhenAll(running).ContinueWith(_ => { }, TaskScheduler.Default);
            throw;
        }

        var applied = new List<(RedisValue Id, StreamEvent Event, RollupTarget Target)>(parsed.Count);
        foreach (var chunk in await Task.WhenAll(running))
        {
            applied.AddRange(chunk);
        }

        return applied;
    }

    /// <summary>Applies and acknowledges one chunk; if another consumer took some of its entries over meanwhile, those
    /// are left to it and the chunk's deltas are recomputed without them.</summary>
    private async Task<List<(RedisValue Id, StreamEvent Event, RollupTarget Target)>> ApplyChunkAsync(
        IDatabase db, List<(RedisValue Id, StreamEvent Event, RollupTarget Target)> parsed, List<RedisValue> unreadable, string consumerName,
        RollupValues values, int shard)
    {
        while (true)
        {
            var ids = new List<RedisValue>(parsed.Count + unreadable.Count);
            ids.AddRange(parsed.Select(p => p.Id));
            ids.AddRange(unreadable);
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

    private RollupDeltas Compute(List<(RedisValue Id, StreamEvent Event, RollupTarget Target)> parsed, RollupValues values, bool valuesOnly = false)
    {
        var deltas = new RollupDeltas(values) { ValuesOnly = valuesOnly };
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
