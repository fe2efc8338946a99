using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace LiveInsight.Core.Redis;

public static class RedisExtensions
{
    public const string ConnectionName = "redis";

    /// <summary>
    /// The Redis client every service uses (Aspire's, with its health check). It never aborts on a failed first
    /// connect and fails fast while disconnected instead of queueing, so a service comes up, answers 503 at once while
    /// Redis is away, and recovers on its own; it re-reads the topology every 5 s, so a failover is followed quickly. Command tracing is only on when traces are exported: its profiling
    /// sessions otherwise hold every command in memory for nobody.
    /// </summary>
    public static IHostApplicationBuilder AddLiveInsightRedis(this IHostApplicationBuilder builder)
    {
        // The key layout (one shard, or N with shard hash tags) is decided once per process, before any key is built.
        Events.RedisShards.Configure(builder.Configuration.GetValue(Events.RedisShards.Setting, 1));
        var exportTelemetry = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        builder.AddRedisClient(
            ConnectionName,
            configureSettings: settings => settings.DisableTracing = !exportTelemetry,
            configureOptions: options =>
            {
                options.AbortOnConnectFail = false;
                options.BacklogPolicy = BacklogPolicy.FailFast;
                // After a cluster failover the client can keep the promoted node marked as a replica, refusing
                // primary-only commands on its own ("cannot be issued to a replica"), until its next topology check:
                // 60 s by default, which stalled an aggregator that long after a primary died. 5 s bounds it.
                options.ConfigCheckSeconds = 5;
            });
        return builder;
    }

    /// <summary>One more on a counter that lives for <paramref name="ttl"/> from its first count (a fixed-window
    /// limit's key, such as one per client or site and UTC minute); the expiry is sent without waiting.</summary>
    /// <returns>The count after this one.</returns>
    public static async Task<long> CountAsync(this IDatabase db, RedisKey key, TimeSpan ttl)
    {
        var used = await db.StringIncrementAsync(key);
        if (used == 1)
        {
            await db.KeyExpireAsync(key, ttl, CommandFlags.FireAndForget);
        }

        return used;
    }

    /// <summary>Creates the consumer group <paramref name="group"/> on <paramref name="stream"/> (and the stream) reading
    /// from its beginning, so nothing added before the first consumer started is missed; a group that exists already
    /// (another replica, an earlier start) is left as it is.</summary>
    public static async Task EnsureConsumerGroupAsync(this IDatabase db, RedisKey stream, RedisValue group)
    {
        try
        {
            await db.StreamCreateConsumerGroupAsync(stream, group, "0-0", createStream: true);
        }
        catch (RedisServerException e) when (e.Message.StartsWith("BUSYGROUP", StringComparison.Ordinal))
        {
        }
    }
}
