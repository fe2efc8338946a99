using LiveInsight.Aggregator.Extensions;
using LiveInsight.Aggregator.Health;
using LiveInsight.Core.Events;
using StackExchange.Redis;

namespace LiveInsight.Aggregator.Jobs;

/// <summary>
/// Reports the group's lag (for health and the <c>liveinsight.aggregator.stream.lag</c> gauge) and trims the
/// stream below what every consumer has acknowledged (XTRIM MINID: the oldest pending entry, or the last delivered
/// one when nothing is pending). Ingestion never caps the stream; this is the only place entries are removed.
/// </summary>
public sealed class StreamMaintenance(IConnectionMultiplexer redis, AggregatorState state)
{
    public async Task<long> ReportLagAndTrimAsync()
    {
        var db = redis.GetDatabase();
        if (!await db.KeyExistsAsync(RedisKeys.EventsStream))
        {
            state.ReportLag(0, 0);
            return 0;
        }

        var group = (await db.StreamGroupInfoAsync(RedisKeys.EventsStream))
            .FirstOrDefault(g => g.Name == AggregatorOptions.GroupName);
        if (group.Name is null)
        {
            state.ReportLag(await db.StreamLengthAsync(RedisKeys.EventsStream), 0);
            return 0;
        }

        state.ReportLag(group.Lag ?? 0, group.PendingMessageCount);
        var pending = await db.StreamPendingAsync(RedisKeys.EventsStream, AggregatorOptions.GroupName);
        var keepFrom = pending.PendingMessageCount > 0 ? pending.LowestPendingMessageId : (RedisValue)group.LastDeliveredId;
        if (keepFrom.IsNullOrEmpty || keepFrom == "0-0")
        {
            return 0;
        }

        return (long)await db.ExecuteAsync("XTRIM", RedisKeys.EventsStream, "MINID", keepFrom);
    }
}
