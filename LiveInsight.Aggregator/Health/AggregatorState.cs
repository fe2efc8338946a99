using LiveInsight.Aggregator.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LiveInsight.Aggregator.Health;

/// <summary>What the worker loop last saw, reported through /health: healthy; degraded while catching up (with the
/// lag); unhealthy with the error while batches keep failing.</summary>
public sealed class AggregatorState
{
    public AggregatorState(LiveInsightMetrics metrics) => metrics.ObserveStreamLag(() => Lag);

    private readonly Lock _lock = new();
    private long _lag;
    private long _pending;
    private Exception? _error;
    private DateTimeOffset? _lastSuccess;

    public long Lag => Interlocked.Read(ref _lag);

    public long Pending => Interlocked.Read(ref _pending);

    public void ReportLag(long lag, long pending)
    {
        Interlocked.Exchange(ref _lag, lag);
        Interlocked.Exchange(ref _pending, pending);
    }

    public void ReportSuccess(DateTimeOffset at)
    {
        lock (_lock)
        {
            _error = null;
            _lastSuccess = at;
        }
    }

    public void ReportFailure(Exception error)
    {
        lock (_lock)
        {
            _error = error;
        }
    }

    public (Exception? Error, DateTimeOffset? LastSuccess) Snapshot()
    {
        lock (_lock)
        {
            return (_error, _lastSuccess);
        }
    }
}

public sealed class AggregatorHealthCheck(AggregatorState state, IOptions<AggregatorOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var (error, lastSuccess) = state.Snapshot();
        var data = new Dictionary<string, object> { ["lag"] = state.Lag, ["pending"] = state.Pending };
        if (lastSuccess is { } at)
        {
            data["last_batch"] = at.ToString("O");
        }

        var result = error is not null
            ? HealthCheckResult.Unhealthy($"Batches are failing (lag {state.Lag}): {error.Message}", error, data)
            : state.Lag + state.Pending > options.Value.DegradedLag
                ? HealthCheckResult.Degraded($"Catching up: {state.Lag} entries not yet read, {state.Pending} pending", data: data)
                : HealthCheckResult.Healthy($"Lag {state.Lag}", data);
        return Task.FromResult(result);
    }
}
