using LiveInsight.Aggregator.Extensions;
using LiveInsight.Aggregator.Health;
using LiveInsight.Core.Events;
using LiveInsight.Core.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Aggregator.Consumer;

/// <summary>
/// Reads the events stream as one consumer of the <c>aggregator</c> group (one name per replica, so replicas share
/// the stream without double counting). Entries a dead consumer left pending are taken over with XAUTOCLAIM. A batch
/// that fails is retried as it is (its entries stay pending on this consumer) until it goes through. With N shards
/// (<see cref="RedisShards"/>) each shard's stream has its own group, and every replica runs consumers on every shard.
/// </summary>
public sealed partial class StreamConsumer(
    IConnectionMultiplexer redis,
    BatchProcessor processor,
    AggregatorState state,
    IOptions<AggregatorOptions> options,
    TimeProvider time,
    ILogger<StreamConsumer> logger)
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(10);
    private RedisValue _claimCursor = "0-0";
    private string? _name;

    public string ConsumerName => _name ?? options.Value.ResolvedConsumerName;

    /// <summary>The shard whose stream this consumer reads (0 with one shard).</summary>
    public int Shard { get; private init; }

    private RedisKey Stream => RedisKeys.EventsStreamOf(Shard);

    /// <summary>Another consumer of the group in this process (its own name, cursor and pending entries): batches
    /// then overlap, one waiting on DynamoDB while another is applied in Redis.</summary>
    public StreamConsumer Sibling(int index) => ForShard(Shard, index);

    /// <summary>A consumer of <paramref name="shard"/>'s group; index 0 keeps the replica's own name (a group is per
    /// stream, so the same name in two shards is two consumers).</summary>
    public StreamConsumer ForShard(int shard, int index) =>
        new(redis, processor, state, options, time, logger)
        {
            _name = index == 0 ? options.Value.ResolvedConsumerName : $"{options.Value.ResolvedConsumerName}-{index}",
            Shard = shard,
        };

    /// <summary>From the stream's beginning: events ingested before the first aggregator started are not lost.</summary>
    public Task EnsureGroupAsync() => redis.GetDatabase().EnsureConsumerGroupAsync(Stream, AggregatorOptions.GroupName);

    /// <summary>The group on every shard's stream.</summary>
    public async Task EnsureGroupsAsync()
    {
        foreach (var shard in RedisShards.All)
        {
            await redis.GetDatabase().EnsureConsumerGroupAsync(RedisKeys.EventsStreamOf(shard), AggregatorOptions.GroupName);
        }
    }

    /// <summary>One step of the loop: take over stale entries or read new ones, and process them.</summary>
    /// <returns>How many entries were processed (0: the stream had nothing for us).</returns>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var claimed = await db.StreamAutoClaimAsync(
            Stream, AggregatorOptions.GroupName, ConsumerName,
            options.Value.ClaimIdleSeconds * 1000L, _claimCursor, options.Value.BatchSize);
        _claimCursor = claimed.NextStartId;
        var entries = claimed.ClaimedEntries is { Length: > 0 } taken
            ? taken
            : await db.StreamReadGroupAsync(Stream, AggregatorOptions.GroupName, ConsumerName, ">", options.Value.BatchSize);
        if (claimed.ClaimedEntries is { Length: > 0 })
        {
            LogClaimed(claimed.ClaimedEntries.Length);
        }

        if (entries.Length == 0)
        {
            return 0;
        }

        await processor.ProcessAsync(entries, ConsumerName, cancellationToken, Shard);
        return entries.Length;
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(options.Value.PollIntervalMs);
        var retryDelay = delay;
        var grouped = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Inside the retry loop: a replica that starts while Redis is away waits for it instead of stopping
                // its host (the chaos run caught one restarted just as Redis was killed).
                if (!grouped)
                {
                    await EnsureGroupAsync();
                    grouped = true;
                }

                var processed = await RunOnceAsync(stoppingToken);
                state.ReportSuccess(time.GetUtcNow());
                retryDelay = delay;
                if (processed == 0)
                {
                    await Task.Delay(delay, time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                // Shutting down mid-batch: its entries stay pending and are claimed again (nothing was acknowledged).
                return;
            }
            catch (Exception e)
            {
                state.ReportFailure(e);
                LogBatchFailed(e.GetType().Name, e.Message, retryDelay.TotalSeconds);
                // A Redis that came back without the group (restarted without persistence, or a failover that lost
                // the group's creation) answers NOGROUP for ever: create it again before the next try.
                grouped &= !IsNoGroup(e);
                // Re-read this consumer's own pending entries first next time: the failed batch is retried as is.
                _claimCursor = "0-0";
                await Task.Delay(retryDelay, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
                await RetryOwnPendingAsync(stoppingToken);
            }
        }
    }

    public static bool IsNoGroup(Exception e) => e is RedisServerException { Message: var m } && m.StartsWith("NOGROUP", StringComparison.Ordinal);

    /// <summary>After a failure, process this consumer's own pending entries (XREADGROUP from 0) before new ones.</summary>
    private async Task RetryOwnPendingAsync(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return;
        }

        try
        {
            var own = await redis.GetDatabase().StreamReadGroupAsync(
                Stream, AggregatorOptions.GroupName, ConsumerName, "0-0", options.Value.BatchSize);
            if (own.Length > 0)
            {
                await processor.ProcessAsync(own, ConsumerName, cancellationToken, Shard);
                state.ReportSuccess(time.GetUtcNow());
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            state.ReportFailure(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Took over {Count} entries left pending by another consumer")]
    private partial void LogClaimed(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Batch failed ({ErrorType}: {Error}); retrying in {Seconds} s")]
    private partial void LogBatchFailed(string errorType, string error, double seconds);
}
