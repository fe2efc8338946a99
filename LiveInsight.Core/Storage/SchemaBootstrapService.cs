using System.Diagnostics;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LiveInsight.Core.Storage;

/// <summary>
/// Runs the schema bootstrap in <see cref="StartAsync"/>, i.e. before Kestrel starts taking traffic. It retries
/// while DynamoDB is still starting (the AppHost starts everything at once) and gives up after
/// <see cref="StorageOptions.BootstrapTimeoutSeconds"/>, failing the host loudly rather than serving without tables.
/// </summary>
public sealed partial class SchemaBootstrapService(
    SchemaBootstrapper bootstrapper,
    IOptions<StorageOptions> options,
    SchemaState state,
    LiveInsightMetrics metrics,
    TimeProvider time,
    ILogger<SchemaBootstrapService> logger) : IHostedService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromMilliseconds(500);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var deadline = time.GetUtcNow().AddSeconds(options.Value.BootstrapTimeoutSeconds);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await bootstrapper.EnsureAsync(cancellationToken);
                state.MarkReady();
                metrics.SchemaBootstrapDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                LogSchemaReady(attempt);
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && time.GetUtcNow() < deadline)
            {
                LogSchemaRetry(attempt, e.Message);
                await Task.Delay(RetryDelay, time, cancellationToken);
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "DynamoDB schema ready after {Attempts} attempt(s)")]
    private partial void LogSchemaReady(int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DynamoDB not ready (attempt {Attempt}): {Error}; retrying")]
    private partial void LogSchemaRetry(int attempt, string error);
}

/// <summary>Whether this process has seen the schema in place; read by the DynamoDB health check.</summary>
public sealed class SchemaState
{
    private volatile bool _ready;

    public bool IsReady => _ready;

    public void MarkReady() => _ready = true;
}
