#:project ../LiveInsight.Core/LiveInsight.Core.csproj
#:property PublishAot=false
// Seeds rollups for the read benchmark, in the layout of RollupLayout: <days> flushed days (day and hour items with
// visitor sketches, and each day's packs of DayPacks) in the Stats table, today in Redis (hash + HyperLogLogs), and active realtime sessions.
// Usage: dotnet run bench/seed-read.cs -- <redis host:port> <dynamo url> <table prefix> <site id> <days>
using System.Globalization;
using System.IO.Hashing;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;
using LiveInsight.Core.Storage;
using StackExchange.Redis;

var (redisAddress, dynamoUrl, prefix, site, days) = (args[0], args[1], args[2], args[3], int.Parse(args[4], CultureInfo.InvariantCulture));
var redis = await ConnectionMultiplexer.ConnectAsync(redisAddress);
var db = redis.GetDatabase();
var dynamo = DynamoDbExtensions.CreateClient(dynamoUrl);
var table = prefix + Tables.Stats.LogicalName;
var random = new Random(days);
var today = DateOnly.FromDateTime(DateTime.UtcNow);
string[] Values(string name, int n) => Enumerable.Range(0, n).Select(i => $"{name}{i}").ToArray();
var dims = new (string Dimension, string[] Values)[]
{
    (RollupLayout.Source, Values("Source", 10)), (RollupLayout.Referrer, Values("ref", 10).Select(v => v + ".example").ToArray()),
    (RollupLayout.UtmCampaign, Values("campaign", 5)), (RollupLayout.Browser, Values("Browser", 5)), (RollupLayout.Os, Values("Os", 5)),
    (RollupLayout.Device, ["desktop", "mobile", "tablet"]), (RollupLayout.Country, Values("C", 20)),
};
var pages = Values("/page/", 50);

async Task<byte[]> Sketch(int visitors, int offset)
{
    var key = $"bench:sketch:{Guid.NewGuid():N}";
    await db.HyperLogLogAddAsync(key, Enumerable.Range(offset, visitors).Select(v => (RedisValue)$"v{v}").ToArray());
    return (byte[])(await db.StringGetDeleteAsync(key))!;
}

Dictionary<string, AttributeValue> Item(Granularity g, string dim, string bucket, string value, Dictionary<string, long> metrics, byte[]? sketch, int visitors)
{
    var item = new Dictionary<string, AttributeValue>
    {
        ["pk"] = new() { S = RollupLayout.StatsPartitionKey(site, g, dim) },
        ["sk"] = new() { S = RollupLayout.StatsSortKey(bucket, value) },
    };
    foreach (var (m, n) in metrics) item[m] = new() { N = n.ToString(CultureInfo.InvariantCulture) };
    if (sketch is not null)
    {
        item["visitors"] = new() { N = visitors.ToString(CultureInfo.InvariantCulture) };
        item["hll"] = new() { B = new MemoryStream(sketch) };
        item["hll_crc32"] = new() { N = Crc32.HashToUInt32(sketch).ToString(CultureInfo.InvariantCulture) };
    }
    return item;
}

Dictionary<string, long> Session(int scale) => new()
{
    [RollupLayout.Sessions] = scale, [RollupLayout.Pageviews] = scale * 3, [RollupLayout.Bounces] = scale / 3,
    [RollupLayout.DurationMs] = scale * 60_000L,
};

var items = new List<Dictionary<string, AttributeValue>>();
for (var d = 1; d <= days; d++)
{
    var day = today.AddDays(-d);
    var bucket = RollupLayout.DayBucket(day);
    var visitors = 400 + random.Next(200);
    items.Add(Item(Granularity.Day, RollupLayout.Summary, bucket, "", Session(visitors + 100), await Sketch(visitors, d * 100), visitors));
    foreach (var page in pages)
    {
        var pv = 1 + random.Next(40);
        items.Add(Item(Granularity.Day, RollupLayout.Page, bucket, page,
            new() { [RollupLayout.Pageviews] = pv, [RollupLayout.Entries] = pv / 2, [RollupLayout.Exits] = pv / 2 }, await Sketch(pv, d * 100), pv));
    }
    foreach (var (dim, values) in dims)
        foreach (var value in values) items.Add(Item(Granularity.Day, dim, bucket, value, Session(1 + random.Next(50)), null, 0));
    for (var e = 0; e < 5; e++) items.Add(Item(Granularity.Day, RollupLayout.Event, bucket, $"Event{e}", new() { [RollupLayout.Events] = 1 + random.Next(30) }, null, 0));
    var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
    for (var h = 0; h < 24; h++)
    {
        var hv = 10 + random.Next(30);
        items.Add(Item(Granularity.Hour, RollupLayout.Summary, RollupLayout.Bucket(Granularity.Hour, start.AddHours(h), TimeZoneInfo.Utc), "", Session(hv), await Sketch(hv, d * 100 + h), hv));
    }
}

// Today is still in Redis: the rollup hashes and the visitor HyperLogLogs.
var todayBucket = RollupLayout.DayBucket(today);
var fields = new List<HashEntry>();
foreach (var (m, n) in Session(500)) fields.Add(new(RollupLayout.Field(RollupLayout.Summary, "", m), n));
foreach (var (dim, values) in dims) foreach (var v in values) foreach (var (m, n) in Session(5)) fields.Add(new(RollupLayout.Field(dim, v, m), n));
foreach (var page in pages)
{
    fields.Add(new(RollupLayout.Field(RollupLayout.Page, page, RollupLayout.Pageviews), 20));
    await db.HyperLogLogAddAsync(RollupLayout.PageVisitorsHll(site, todayBucket, page), Enumerable.Range(0, 15).Select(v => (RedisValue)$"t{v}").ToArray());
}
await db.HashSetAsync(RollupLayout.RedisHash(site, Granularity.Day, todayBucket), fields.ToArray());
await db.HyperLogLogAddAsync(RedisKeys.DayVisitors(site, today), Enumerable.Range(0, 500).Select(v => (RedisValue)$"t{v}").ToArray());
// 1,000 active sessions on 50 pages, for the realtime endpoints.
var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
await db.SortedSetAddAsync(RedisKeys.RealtimeVisitors(site), Enumerable.Range(0, 1000).Select(i => new SortedSetEntry($"v{i}", now)).ToArray());
await db.SortedSetAddAsync(RedisKeys.RealtimeSessions(site), Enumerable.Range(0, 1000).Select(i => new SortedSetEntry($"s{i}", now)).ToArray());
await db.HashSetAsync(RedisKeys.RealtimePages(site), Enumerable.Range(0, 1000).Select(i => new HashEntry($"s{i}", pages[i % pages.Length])).ToArray());

// What the flusher writes beside the rows: each day's rows of a dimension packed (the same code as StatsFlusher).
// LIVEINSIGHT_SEED_NO_PACKS=1 seeds days as flushed before packs existed (rows only), for a comparison.
if (Environment.GetEnvironmentVariable("LIVEINSIGHT_SEED_NO_PACKS") != "1")
{
    items.AddRange(DayPacks.ItemsFor(site, items.Select(i => new Dictionary<string, AttributeValue>(i)
    {
        ["bucket"] = new() { S = i["sk"].S[..i["sk"].S.IndexOf('#')] },
        ["value"] = new() { S = i["sk"].S[(i["sk"].S.IndexOf('#') + 1)..] },
    }).ToList()));
}

await Parallel.ForEachAsync(items.Chunk(25), new ParallelOptions { MaxDegreeOfParallelism = 4 }, async (chunk, ct) =>
{
    var pending = new Dictionary<string, List<WriteRequest>> { [table] = chunk.Select(i => new WriteRequest(new PutRequest(i))).ToList() };
    while (pending is { Count: > 0 })
    {
        var response = await dynamo.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, ct);
        pending = response.UnprocessedItems is { Count: > 0 } more ? more : null;
    }
});
Console.Error.WriteLine($"==> seeded {site}: {days} days, {items.Count:N0} Stats items");
