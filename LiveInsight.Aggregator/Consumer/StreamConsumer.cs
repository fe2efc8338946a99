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
/// that fails is retried as it is (its entries stay pending on this consumer) until it goes through.
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

    /// <summary>Another consumer of the group in this process (its own name, cursor and pending entries): batches
    /// then overlap, one waiting on DynamoDB while another is applied in Redis.</summary>
    public StreamConsumer Sibling(int index) =>
        new(redis, processor, state, options, time, logger) { _name = $"{options.Value.ResolvedConsumerName}-{index}" };

    /// <summary>From the stream's beginning: events ingested before the first aggregator started are not lost.</summary>
    public Task EnsureGroupAsync() => redis.GetDatabase().EnsureConsumerGroupAsync(RedisKeys.EventsStream, AggregatorOptions.GroupName);

    /// <summary>One step of the loop: take over stale entries or read new ones, and process them.</summary>
    /// <returns>How many entries were processed (0: the stream had nothing for us).</returns>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        var claimed = await db.StreamAutoClaimAsync(
            RedisKeys.EventsStream, AggregatorOptions.GroupName, ConsumerName,
            options.Value.ClaimIdleSeconds * 1000L, _claimCursor, options.Value.BatchSize);
        _claimCursor = claimed.NextStartId;
        var entries = claimed.ClaimedEntries is { Length: > 0 } taken
            ? taken
            : await db.StreamReadGroupAsync(RedisKeys.EventsStream, AggregatorOptions.GroupName, ConsumerName, ">", options.Value.BatchSize);
        if (claimed.ClaimedEntries is { Length: > 0 })
        {
            LogClaimed(claimed.ClaimedEntries.Length);
        }

        if (entries.Length == 0)
        {
            return 0;
        }

        await processor.ProcessAsync(entries, ConsumerName, cancellationToken);
        return entries.Length;
    }

    public async Task RunAsync(CancellationToken stoppingToken)
    {
        await EnsureGroupAsync();
        var delay = TimeSpan.FromMilliseconds(options.Value.PollIntervalMs);
        var retryDelay = delay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
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
                // Re-read this consumer's own pending entries first next time: the failed batch is retried as is.
                _claimCursor = "0-0";
                await Task.Delay(retryDelay, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
                await RetryOwnPendingAsync(stoppingToken);
            }
        }
    }

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
                RedisKeys.EventsStream, AggregatorOptions.GroupName, ConsumerName, "0-0", options.Value.BatchSize);
            if (own.Length > 0)
            {
                await processor.ProcessAsync(own, ConsumerName, cancellationToken);
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
