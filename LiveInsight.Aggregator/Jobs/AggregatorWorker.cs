using LiveInsight.Aggregator.Consumer;
using LiveInsight.Aggregator.Extensions;
using LiveInsight.Aggregator.Sessions;
using LiveInsight.Core.Events;
using Microsoft.Extensions.Options;

namespace LiveInsight.Aggregator.Jobs;

/// <summary>The consumer loop plus the in-process schedule: flush rollups every few seconds (which also finalises the
/// previous hour), close idle sessions and report lag and trim the stream every 15 seconds. Salts rotate and expire
/// in Redis by themselves (each day's salt is created with an expiry at the end of the following day).</summary>
public sealed partial class AggregatorWorker(
    StreamConsumer consumer,
    StatsFlusher flusher,
    SessionCloser closer,
    StreamMaintenance maintenance,
    IOptions<AggregatorOptions> options,
    TimeProvider time,
    ILogger<AggregatorWorker> logger) : BackgroundService
{
    private static readonly TimeSpan MaintenanceInterval = TimeSpan.FromSeconds(15);

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Every shard's stream gets this replica's consumers; replicas share each shard's group, so the work of every
        // shard is spread over all of them (one shard: exactly the consumers of before).
        var consumers = RedisShards.All.SelectMany(shard => Enumerable.Range(0, options.Value.ConsumersPerReplica)
            .Select(i => (shard == 0 && i == 0 ? consumer : consumer.ForShard(shard, i)).RunAsync(stoppingToken)));
        var jobs = new[]
        {
            EveryAsync(TimeSpan.FromSeconds(options.Value.FlushIntervalSeconds), flusher.FlushAsync, stoppingToken),
            EveryAsync(MaintenanceInterval, closer.CloseIdleAsync, stoppingToken),
            EveryAsync(MaintenanceInterval, _ => maintenance.ReportLagAndTrimAsync(), stoppingToken),
        };
        return Task.WhenAll(consumers.Concat(jobs));
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // One last flush, so what was applied reaches DynamoDB before the process goes.
        try
        {
            await flusher.FlushAsync(cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogJobFailed("final flush", e.Message);
        }
    }

    private async Task EveryAsync<T>(TimeSpan interval, Func<CancellationToken, Task<T>> job, CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await job(stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogJobFailed(job.Method.DeclaringType?.Name ?? "job", e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Job} failed, will run again: {Error}")]
    private partial void LogJobFailed(string job, string error);
}
