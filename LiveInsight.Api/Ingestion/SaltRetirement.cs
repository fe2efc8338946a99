using LiveInsight.Core.Events;
using StackExchange.Redis;

namespace LiveInsight.Api.Ingestion;

/// <summary>
/// Makes old visitor-id salts unrecoverable, once a day, from the replica that made the new day's salt: deletes the
/// salts of the days before yesterday (expiry already does, unless a clock was off), then has every Redis server with
/// an append-only file rewrite it, so the SET commands that made those salts leave the disk too.
/// </summary>
/// <remarks>
/// The rewrite is what Redis does by itself whenever the file doubles (the event stream makes that happen many times
/// a day on a busy installation); forcing one a day costs a fork, like an RDB snapshot. It is skipped where there is
/// no append-only file (a rewrite would create one) or one is being written already, and where the server refuses
/// the command (managed Redis such as ElastiCache, which keeps its own persistence): then it is logged and ingestion
/// goes on. RDB snapshots hold only the live salts (today's and yesterday's) and need nothing.
/// </remarks>
public sealed partial class SaltRetirement(IConnectionMultiplexer redis, ILogger logger)
{
    /// <summary>Days before yesterday whose salts are deleted explicitly: a week covers days without traffic.</summary>
    public const int DaysDeleted = 7;

    private const int MaxWaits = 600;
    private static readonly TimeSpan WaitBetweenChecks = TimeSpan.FromSeconds(1);

    public async Task RetireBeforeAsync(DateOnly yesterday)
    {
        try
        {
            // One DEL per key: in a cluster the days' keys live in different slots.
            var db = redis.GetDatabase();
            await Task.WhenAll(Enumerable.Range(1, DaysDeleted).Select(i => db.KeyDeleteAsync(RedisKeys.Salt(yesterday.AddDays(-i)))));
            await RewriteAppendOnlyFilesAsync();
        }
        catch (Exception e)
        {
            // Anything: this runs in the background, where an exception would go unseen.
            LogRetirementFailed(e.GetType().Name, e.Message);
        }
    }

    private async Task RewriteAppendOnlyFilesAsync()
    {
        // BGREWRITEAOF is an admin command: a short-lived admin connection rather than admin rights for every request.
        var options = ConfigurationOptions.Parse(redis.Configuration);
        options.AllowAdmin = true;
        await using var admin = await ConnectionMultiplexer.ConnectAsync(options);
        foreach (var server in admin.GetServers().Where(s => s.IsConnected))
        {
            await RewriteAsync(server);
        }
    }

    private async Task RewriteAsync(IServer server)
    {
        // A rewrite already running forked before the salts were deleted and would keep them: wait for it to end.
        for (var attempt = 0; attempt < MaxWaits; attempt++)
        {
            var persistence = (await server.InfoAsync("persistence")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
            if (persistence.GetValueOrDefault("aof_enabled") != "1")
            {
                return;
            }

            if (persistence.GetValueOrDefault("aof_rewrite_in_progress") != "1" && persistence.GetValueOrDefault("aof_rewrite_scheduled") != "1")
            {
                try
                {
                    await server.SaveAsync(SaveType.BackgroundRewriteAppendOnlyFile);
                    LogRewriteRequested(server.EndPoint.ToString() ?? "");
                    return;
                }
                catch (RedisServerException e) when (e.Message.Contains("already in progress", StringComparison.OrdinalIgnoreCase))
                {
                    // Another replica's request won the race; it also started after the deletion, but wait for a sure one.
                }
            }

            await Task.Delay(WaitBetweenChecks);
        }

        LogRetirementFailed("Timeout", $"an append-only file rewrite was still running after {MaxWaits} checks");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Old visitor-id salts deleted; append-only file rewrite requested on {Server}")]
    private partial void LogRewriteRequested(string server);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Old visitor-id salts could not be fully retired ({ErrorType}: {Error}); they still expire, but may stay in the append-only file until Redis rewrites it")]
    private partial void LogRetirementFailed(string errorType, string error);
}
