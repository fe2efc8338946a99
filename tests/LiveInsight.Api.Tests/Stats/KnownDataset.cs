using System.Globalization;
using System.IO.Hashing;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;
using LiveInsight.Core.Storage;
using StackExchange.Redis;

namespace LiveInsight.Api.Tests.Stats;

/// <summary>
/// Writes rollups exactly as <see cref="RollupLayout"/> says the aggregator does: Redis hashes and HyperLogLogs for
/// the current buckets, Stats items (with sketch bytes and CRC) for flushed ones. Tests then know every number.
/// </summary>
public sealed class KnownDataset(ApiFixture fixture, string siteId)
{
    private IDatabase Db => fixture.Redis.GetDatabase();

    /// <summary>A flushed day (or hour) row in the Stats table; visitors given → visitors + hll + hll_crc32.</summary>
    public async Task ItemAsync(
        Granularity granularity, string dimension, string bucket, string value, Dictionary<string, long> metrics,
        string[]? visitors = null, bool corruptSketch = false)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["pk"] = new() { S = RollupLayout.StatsPartitionKey(siteId, granularity, dimension) },
            ["sk"] = new() { S = RollupLayout.StatsSortKey(bucket, value) },
        };
        foreach (var (metric, n) in metrics)
        {
            item[metric] = new() { N = n.ToString(CultureInfo.InvariantCulture) };
        }

        if (visitors is not null)
        {
            var sketch = await SketchAsync(visitors);
            item[RollupLayout.Visitors] = new() { N = visitors.Distinct().Count().ToString(CultureInfo.InvariantCulture) };
            item["hll"] = new() { B = new MemoryStream(sketch) };
            var crc = Crc32.HashToUInt32(sketch) + (corruptSketch ? 1u : 0u);
            item["hll_crc32"] = new() { N = crc.ToString(CultureInfo.InvariantCulture) };
        }

        await fixture.Dynamo.PutItemAsync(new PutItemRequest { TableName = fixture.TablePrefix + Tables.Stats.LogicalName, Item = item });
    }

    /// <summary>An imported day row (<see cref="ImportLayout"/>): counts and visitors as a number, no sketch.</summary>
    public Task ImportedItemAsync(string dimension, string bucket, string value, Dictionary<string, long> metrics, long visitors)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["pk"] = new() { S = RollupLayout.StatsPartitionKey(siteId, Granularity.Day, dimension) },
            ["sk"] = new() { S = RollupLayout.StatsSortKey(bucket, value) },
            [RollupLayout.Visitors] = new() { N = visitors.ToString(CultureInfo.InvariantCulture) },
            [ImportLayout.ImportIdAttribute] = new() { S = "imp-test" },
        };
        foreach (var (metric, n) in metrics)
        {
            item[metric] = new() { N = n.ToString(CultureInfo.InvariantCulture) };
        }

        return fixture.Dynamo.PutItemAsync(new PutItemRequest { TableName = fixture.TablePrefix + Tables.Stats.LogicalName, Item = item });
    }

    /// <summary>Counters of a current bucket in its Redis hash.</summary>
    public Task HashAsync(Granularity granularity, string bucket, string dimension, string value, Dictionary<string, long> metrics) =>
        Db.HashSetAsync(
            RollupLayout.RedisHash(siteId, granularity, bucket),
            metrics.Select(m => new HashEntry(RollupLayout.Field(dimension, value, m.Key), m.Value)).ToArray());

    public Task DayVisitorsAsync(DateOnly day, params string[] visitors) =>
        Db.HyperLogLogAddAsync(RedisKeys.DayVisitors(siteId, day), visitors.Select(v => (RedisValue)v).ToArray());

    public Task HourVisitorsAsync(DateTimeOffset hour, params string[] visitors) =>
        Db.HyperLogLogAddAsync(RedisKeys.HourVisitors(siteId, hour), visitors.Select(v => (RedisValue)v).ToArray());

    public Task PageVisitorsAsync(string dayBucket, string path, params string[] visitors) =>
        Db.HyperLogLogAddAsync(RollupLayout.PageVisitorsHll(siteId, dayBucket, path), visitors.Select(v => (RedisValue)v).ToArray());

    /// <summary>The day sketch of one value of a dimension (source, country, event, …) in Redis, as the aggregator keeps it.</summary>
    public Task ValueVisitorsAsync(string dayBucket, string dimension, string value, params string[] visitors) =>
        Db.HyperLogLogAddAsync(RollupLayout.ValueVisitorsHll(siteId, dayBucket, dimension, value), visitors.Select(v => (RedisValue)v).ToArray());

    /// <summary>The raw Redis HLL string for a set of visitors: what the aggregator persists.</summary>
    private async Task<byte[]> SketchAsync(string[] visitors)
    {
        var key = $"test:sketch:{Guid.NewGuid():N}";
        await Db.HyperLogLogAddAsync(key, visitors.Select(v => (RedisValue)v).ToArray());
        var bytes = (byte[])(await Db.StringGetDeleteAsync(key))!;
        return bytes;
    }

    public static Dictionary<string, long> M(
        long pageviews = 0, long sessions = 0, long bounces = 0, long durationMs = 0, long entries = 0, long exits = 0, long events = 0)
    {
        var metrics = new Dictionary<string, long>();
        void Put(string name, long n)
        {
            if (n != 0)
            {
                metrics[name] = n;
            }
        }

        Put(RollupLayout.Pageviews, pageviews);
        Put(RollupLayout.Sessions, sessions);
        Put(RollupLayout.Bounces, bounces);
        Put(RollupLayout.DurationMs, durationMs);
        Put(RollupLayout.Entries, entries);
        Put(RollupLayout.Exits, exits);
        Put(RollupLayout.Events, events);
        return metrics;
    }
}

public static class ReadClients
{
    public static HttpClient CreateSiteClient(this ApiFixture fixture, TestSite site)
    {
        var client = fixture.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", site.SecretKey);
        return client;
    }

    public static async Task<System.Text.Json.JsonElement> GetJsonAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{url} → {(int)response.StatusCode}: {text}");
        return System.Text.Json.JsonDocument.Parse(text).RootElement.Clone();
    }
}
