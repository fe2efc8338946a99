namespace LiveInsight.Aggregator.Jobs;

/// <summary>
/// A job that runs one pass a minute on <paramref name="time"/>'s clock: a pass that fails is logged by the job and the
/// next minute tries again; only shutdown ends the loop. Each pass takes its own lease when only one replica may run it.
/// </summary>
public abstract class MinutePassJob(TimeProvider time) : BackgroundService
{
    /// <summary>The clock passes run on (tests move it).</summary>
    protected TimeProvider Time => time;

    /// <summary>One pass.</summary>
    protected abstract Task PassAsync(CancellationToken cancellationToken);

    /// <summary>Logs a pass that threw (the job goes on).</summary>
    protected abstract void PassFailed(Exception exception);

    protected sealed override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PassAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                PassFailed(e);
            }
        }
    }
}
