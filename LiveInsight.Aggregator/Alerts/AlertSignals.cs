using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Alerts;
using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Aggregator.Alerts;

/// <summary>
/// What the rules look at, read through Core's layout like every other reader: the realtime sets (current visitors, the
/// newest activity) and the hour rollups (page views, a custom event's count) — the Redis hash while it exists, else the
/// Stats table, as the stats API reads them.
/// </summary>
public sealed class AlertSignals(IConnectionMultiplexer redis, IAmazonDynamoDB dynamo, IOptions<StorageOptions> storage)
{
    /// <summary>"Current visitors": seen in the last five minutes, the realtime widget's window.</summary>
    public static readonly TimeSpan CurrentWindow = TimeSpan.FromMinutes(5);

    /// <summary>The baseline of an hour: the same UTC hour 7, 14, 21 and 28 days before.</summary>
    public static readonly int[] BaselineWeeks = [1, 2, 3, 4];

    public async Task<long> CurrentVisitorsAsync(string siteId, DateTimeOffset now) =>
        await redis.GetDatabase().SortedSetLengthAsync(RedisKeys.RealtimeVisitors(siteId), (now - CurrentWindow).ToUnixTimeMilliseconds(), double.PositiveInfinity);

    /// <summary>The newest activity the evaluator knows of (Unix ms): the realtime set's newest member, remembered in
    /// <see cref="AlertKeys.LastActivity"/> so it outlives the set's one-hour life. Null before anything was ever seen.</summary>
    public async Task<long?> NewestActivityAsync(string siteId)
    {
        var db = redis.GetDatabase();
        var newest = await db.SortedSetRangeByRankWithScoresAsync(RedisKeys.RealtimeVisitors(siteId), -1, -1);
        var remembered = (long?)await db.StringGetAsync(AlertKeys.LastActivity(siteId));
        var latest = newest.Length > 0 ? Math.Max((long)newest[0].Score, remembered ?? 0) : remembered;
        if (latest is { } value && value != remembered)
        {
            await db.StringSetAsync(AlertKeys.LastActivity(siteId), value, TimeSpan.FromSeconds(AlertKeys.LastActivityTtlSeconds));
        }

        return latest;
    }

    /// <summary>Starts watching a site's silence from now when nothing was seen yet (a new rule on a quiet site).</summary>
    public Task StartWatchingAsync(string siteId, DateTimeOffset now) =>
        redis.GetDatabase().StringSetAsync(AlertKeys.LastActivity(siteId), now.ToUnixTimeMilliseconds(), TimeSpan.FromSeconds(AlertKeys.LastActivityTtlSeconds), When.NotExists);

    public Task<long> HourPageviewsAsync(string siteId, DateTimeOffset hour, CancellationToken cancellationToken) =>
        HourMetricAsync(siteId, hour, RollupLayout.Summary, "", RollupLayout.Pageviews, cancellationToken);

    public Task<long> HourEventsAsync(string siteId, DateTimeOffset hour, string eventName, CancellationToken cancellationToken) =>
        HourMetricAsync(siteId, hour, RollupLayout.Event, RollupLayout.CapValue(eventName), RollupLayout.Events, cancellationToken);

    /// <summary>The average page views of the same hour over the last four weeks.</summary>
    public async Task<double> BaselineAsync(string siteId, DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var values = await Task.WhenAll(BaselineWeeks.Select(w => HourPageviewsAsync(siteId, hour.AddDays(-7 * w), cancellationToken)));
        return values.Average();
    }

    public static DateTimeOffset HourOf(DateTimeOffset at) => new(at.Year, at.Month, at.Day, at.Hour, 0, 0, TimeSpan.Zero);

    private async Task<long> HourMetricAsync(string siteId, DateTimeOffset hour, string dimension, string value, string metric, CancellationToken cancellationToken)
    {
        var bucket = RollupLayout.Bucket(Granularity.Hour, hour, TimeZoneInfo.Utc);
        var db = redis.GetDatabase();
        var key = RollupLayout.RedisHash(siteId, Granularity.Hour, bucket);
        var field = RollupLayout.Field(dimension, value, metric);
        // The hash is the newest copy while it exists; a missing field in an existing hash is a zero.
        var fromRedis = await db.ScriptEvaluateAsync(
            "if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end return tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')",
            [key], [field]);
        if ((long)fromRedis >= 0)
        {
            return (long)fromRedis;
        }

        var item = (await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = storage.Value.TableName(Tables.Stats),
            Key = new()
            {
                ["pk"] = new AttributeValue { S = RollupLayout.StatsPartitionKey(siteId, Granularity.Hour, dimension) },
                ["sk"] = new AttributeValue { S = RollupLayout.StatsSortKey(bucket, value) },
            },
            ProjectionExpression = "#m",
            ExpressionAttributeNames = new() { ["#m"] = metric },
        }, cancellationToken)).Item;
        return item is { Count: > 0 } && item.TryGetValue(metric, out var n) && n.N is not null ? long.Parse(n.N, CultureInfo.InvariantCulture) : 0;
    }
}
