using System.Diagnostics.Metrics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LiveInsight.Aggregator.Lake;

/// <summary>What the lake writer and the stream maintenance last saw: the lake group's lag (entries not yet read)
/// and pending entries (read, not yet written), the entries lost to trimming, and the writer's last error.</summary>
public sealed class LakeState
{
    private readonly Counter<long> _lostCounter;
    private long _lag;
    private long _pending;
    private long _lost;
    private Exception? _error;

    public LakeState(LiveInsightMetrics metrics)
    {
        metrics.Meter.CreateObservableGauge("liveinsight.lake.lag", () => Lag + Pending, "{entry}",
            "Stream entries the lake group has not yet written (not read plus pending)");
        _lostCounter = metrics.Meter.CreateCounter<long>("liveinsight.lake.events.lost", "{entry}",
            "Stream entries trimmed before the lake wrote them (the lake fell behind by more than Lake:MaxBacklogMinutes)");
    }

    public long Lag => Interlocked.Read(ref _lag);

    public long Pending => Interlocked.Read(ref _pending);

    public long Lost => Interlocked.Read(ref _lost);

    public Exception? Error => Volatile.Read(ref _error);

    public void ReportLag(long lag, long pending)
    {
        Interlocked.Exchange(ref _lag, lag);
        Interlocked.Exchange(ref _pending, pending);
    }

    public void ReportLost(long entries)
    {
        Interlocked.Add(ref _lost, entries);
        _lostCounter.Add(entries);
    }

    public void ReportSuccess() => Volatile.Write(ref _error, null);

    public void ReportFailure(Exception error) => Volatile.Write(ref _error, error);
}

/// <summary>Healthy; degraded while the lake is behind or its writes fail (the rollups go on either way, so the
/// lake never makes the aggregator unhealthy).</summary>
public sealed class LakeHealthCheck(LakeState state, IOptions<LakeOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["lake_lag"] = state.Lag, ["lake_pending"] = state.Pending, ["lake_lost"] = state.Lost };
        var result = state.Error is { } error
            ? HealthCheckResult.Degraded($"Lake writes are failing (lag {state.Lag + state.Pending}): {error.Message}", error, data)
            : state.Lag + state.Pending > options.Value.DegradedLag
                ? HealthCheckResult.Degraded($"Lake catching up: {state.Lag} entries not yet read, {state.Pending} pending", data: data)
                : HealthCheckResult.Healthy($"Lake lag {state.Lag + state.Pending}", data);
        return Task.FromResult(result);
    }
}
