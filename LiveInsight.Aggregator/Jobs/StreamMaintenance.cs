using System.Globalization;
using LiveInsight.Aggregator.Extensions;
using LiveInsight.Aggregator.Health;
using LiveInsight.Aggregator.Lake;
using LiveInsight.Core.Events;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Aggregator.Jobs;

/// <summary>
/// Reports each group's lag (for health and the <c>liveinsight.aggregator.stream.lag</c> and <c>liveinsight.lake.lag</c>
/// gauges) and trims the stream below what every group has acknowledged (XTRIM MINID: a group's oldest pending
/// entry, or its last delivered one when nothing is pending). Ingestion never caps the stream; this is the only place
/// entries are removed. The rollups' group is never trimmed past; the lake's group only while it is less than
/// <see cref="LakeOptions.MaxBacklogMinutes"/> behind, so a stuck lake cannot make Redis hold the stream forever
/// (what is trimmed past it is counted as lost to the lake).
/// </summary>
public sealed partial class StreamMaintenance(
    IConnectionMultiplexer redis,
    AggregatorState state,
    LakeState lake,
    IOptions<LakeOptions> lakeOptions,
    TimeProvider time,
    ILogger<StreamMaintenance> logger)
{
    /// <summary>Every shard's stream: the lags reported are the sums over the shards.</summary>
    public async Task<long> ReportLagAndTrimAsync()
    {
        var (lag, lakeLag, trimmed) = ((0L, 0L), (0L, 0L), 0L);
        var lakeSeen = false;
        foreach (var shard in RedisShards.All)
        {
            var one = await ShardAsync(RedisKeys.EventsStreamOf(shard));
            lag = (lag.Item1 + one.Lag.Lag, lag.Item2 + one.Lag.Pending);
            if (one.LakeLag is { } l)
            {
                lakeLag = (lakeLag.Item1 + l.Lag, lakeLag.Item2 + l.Pending);
                lakeSeen = true;
            }

            trimmed += one.Trimmed;
        }

        state.ReportLag(lag.Item1, lag.Item2);
        if (lakeSeen)
        {
            lake.ReportLag(lakeLag.Item1, lakeLag.Item2);
        }

        return trimmed;
    }

    private async Task<((long Lag, long Pending) Lag, (long Lag, long Pending)? LakeLag, long Trimmed)> ShardAsync(RedisKey stream)
    {
        var db = redis.GetDatabase();
        if (!await db.KeyExistsAsync(stream))
        {
            return ((0, 0), (0, 0), 0);
        }

        var groups = await db.StreamGroupInfoAsync(stream);
        var group = groups.FirstOrDefault(g => g.Name == AggregatorOptions.GroupName);
        var lakeGroup = groups.FirstOrDefault(g => g.Name == LakeOptions.GroupName);
        (long, long)? lakeLag = lakeGroup.Name is null ? null : (lakeGroup.Lag ?? 0, lakeGroup.PendingMessageCount);
        if (group.Name is null)
        {
            return ((await db.StreamLengthAsync(stream), 0), lakeLag, 0);
        }

        var lag = (group.Lag ?? 0, (long)group.PendingMessageCount);
        var keepFrom = await KeepFromAsync(db, stream, group);
        if (keepFrom == (0, 0))
        {
            return (lag, lakeLag, 0);
        }

        if (!lakeOptions.Value.Enabled || lakeGroup.Name is null)
        {
            return (lag, lakeLag, await TrimAsync(db, stream, keepFrom));
        }

        // Never past the rollups; past the lake only beyond its allowed backlog.
        var lakeKeepFrom = await KeepFromAsync(db, stream, lakeGroup);
        var trimmed = await TrimAsync(db, stream, Min(keepFrom, lakeKeepFrom));
        var cutoff = (time.GetUtcNow().ToUnixTimeMilliseconds() - lakeOptions.Value.MaxBacklogMinutes * 60_000L, 0L);
        if (lakeKeepFrom.CompareTo(cutoff) < 0 && lakeKeepFrom.CompareTo(keepFrom) < 0)
        {
            var lost = await TrimAsync(db, stream, Min(keepFrom, cutoff));
            if (lost > 0)
            {
                lake.ReportLost(lost);
                LogLakeBehind(lost, lakeOptions.Value.MaxBacklogMinutes);
            }

            trimmed += lost;
        }

        return (lag, lakeLag, trimmed);
    }

    private static async Task<(long Ms, long Seq)> KeepFromAsync(IDatabase db, RedisKey stream, StreamGroupInfo group)
    {
        var pending = await db.StreamPendingAsync(stream, group.Name);
        var keepFrom = pending.PendingMessageCount > 0 ? pending.LowestPendingMessageId : (RedisValue)group.LastDeliveredId;
        return keepFrom.IsNullOrEmpty ? (0, 0) : Parse(keepFrom.ToString());
    }

    // The stream is passed as a RedisKey so a cluster client routes XTRIM to the stream's primary.
    private static async Task<long> TrimAsync(IDatabase db, RedisKey stream, (long Ms, long Seq) minId) =>
        minId == (0, 0) ? 0 : (long)await db.ExecuteAsync("XTRIM", stream, "MINID", $"{minId.Ms}-{minId.Seq}");

    private static (long Ms, long Seq) Min((long Ms, long Seq) a, (long Ms, long Seq) b) => a.CompareTo(b) <= 0 ? a : b;

    private static (long Ms, long Seq) Parse(string id)
    {
        var dash = id.IndexOf('-', StringComparison.Ordinal);
        return dash < 0
            ? (long.Parse(id, CultureInfo.InvariantCulture), 0)
            : (long.Parse(id.AsSpan(0, dash), CultureInfo.InvariantCulture), long.Parse(id.AsSpan(dash + 1), CultureInfo.InvariantCulture));
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The lake is more than {Minutes} minutes behind: {Count} stream entries it had not written were trimmed and are lost to the lake (the rollups have them)")]
    private partial void LogLakeBehind(long count, int minutes);
}
