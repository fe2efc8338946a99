#:project ../LiveInsight.Api/LiveInsight.Api.csproj
#:project ../LiveInsight.Aggregator/LiveInsight.Aggregator.csproj
#:property TreatWarningsAsErrors=true
#:property PublishAot=false
// Per-shard benchmark (./liveinsight bench shards, issue 24): the Api's ingestion script (EventWriter) driven directly
// from 64 concurrent callers (single events), the aggregator draining every shard, then 20-event batches, on the Redis it is given (one redis-server, or
// the primaries of a cluster) with N shards. Reports events/s and, steadier on a shared machine, the redis-server CPU
// spent per 1,000 events (summed over the primaries): one Redis primary is one core, so that CPU is what bounds a shard.
// Usage: dotnet run bench/shards.cs -- <redis connection string> <dynamodb url> <shards> <seconds per ingest run>
// Prints one JSON object on stdout.
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using LiveInsight.Aggregator.Extensions;
using LiveInsight.Api.Ingestion;
using LiveInsight.Core.Events;
using LiveInsight.Core.Sites;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using StreamConsumer = LiveInsight.Aggregator.Consumer.StreamConsumer;

var connection = args[0];
var dynamoUrl = args[1];
var shards = int.Parse(args[2], CultureInfo.InvariantCulture);
var seconds = int.Parse(args[3], CultureInfo.InvariantCulture);

var builder = Host.CreateApplicationBuilder();
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["ConnectionStrings:redis"] = connection + ",allowAdmin=true",
    ["ConnectionStrings:dynamodb"] = dynamoUrl,
    [RedisShards.Setting] = shards.ToString(CultureInfo.InvariantCulture),
    ["LiveInsight:Storage:TablePrefix"] = "shards-",
    ["LiveInsight:Aggregator:ConsumerName"] = "bench",
    ["LiveInsight:Aggregator:BatchSize"] = "500",
    ["Lake:Enabled"] = "false",
});
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.AddServiceDefaults();
builder.AddAggregator(runWorker: false);
using var host = builder.Build();
await host.StartAsync();
var redis = host.Services.GetRequiredService<IConnectionMultiplexer>();
var writer = new EventWriter(redis, TimeProvider.System);
var sites = Enumerable.Range(0, 60).Select(_ => SiteKeys.NewSiteId()).ToArray();
var quota = new IngestQuota(0, 0, 0);

// Redis CPU (user + sys seconds) summed over the primaries.
async Task<double> RedisCpuAsync()
{
    double total = 0;
    foreach (var endpoint in redis.GetEndPoints())
    {
        var server = redis.GetServer(endpoint);
        if (server.IsReplica || !server.IsConnected)
        {
            continue;
        }

        var cpu = (await server.InfoAsync("cpu")).SelectMany(g => g).ToDictionary(p => p.Key, p => p.Value);
        total += double.Parse(cpu["used_cpu_user"], CultureInfo.InvariantCulture) + double.Parse(cpu["used_cpu_sys"], CultureInfo.InvariantCulture);
    }

    return total;
}

async Task<object> IngestAsync(int perRequest)
{
    long events = 0;
    var cpu0 = await RedisCpuAsync();
    var sw = Stopwatch.StartNew();
    var deadline = TimeSpan.FromSeconds(seconds);
    await Task.WhenAll(Enumerable.Range(0, 64).Select(async caller =>
    {
        var n = 0;
        while (sw.Elapsed < deadline)
        {
            var site = sites[(caller + n++) % sites.Length];
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            var batch = Enumerable.Range(0, perRequest).Select(i => new StreamEvent
            {
                SiteId = site, EventId = Guid.NewGuid().ToString(), EventType = "page_view", Ts = now,
                SessionId = $"s{caller}-{n % 500}", VisitorId = $"v{caller}-{n % 700}", Host = "example.com",
                Path = $"/p{n % 40}", Source = "Direct", Browser = "Chrome", Os = "Linux", Device = "desktop", Country = "DE",
            }).ToList();
            await writer.WriteAsync(site, TimeZoneInfo.Utc, quota, batch);
            Interlocked.Add(ref events, perRequest);
        }
    }));
    var elapsed = sw.Elapsed.TotalSeconds;
    var cpu = await RedisCpuAsync() - cpu0;
    Console.Error.WriteLine($"ingest {perRequest}/request: {events / elapsed:F0} events/s, redis {cpu * 1e6 / events:F0} ms CPU per 1,000 events");
    return new { perRequest, events, eventsPerSecond = events / elapsed, redisCpuMsPer1000 = cpu * 1e6 / events };
}

// Single events, then the aggregator drains them, then batches (left in the stream: the run ends there).
var single = await IngestAsync(1);

// Aggregation: two consumers per shard, as a replica runs them, until every shard's stream is drained.
var consumer = host.Services.GetRequiredService<StreamConsumer>();
await consumer.EnsureGroupsAsync();
var total = 0L;
foreach (var shard in RedisShards.All)
{
    total += await redis.GetDatabase().StreamLengthAsync(RedisKeys.EventsStreamOf(shard));
}

var aggCpu0 = await RedisCpuAsync();
var aggWatch = Stopwatch.StartNew();
var processed = 0L;
await Task.WhenAll(RedisShards.All.SelectMany(shard => Enumerable.Range(0, 2).Select(async i =>
{
    var c = consumer.ForShard(shard, i);
    int n;
    while ((n = await c.RunOnceAsync(CancellationToken.None)) > 0)
    {
        Interlocked.Add(ref processed, n);
    }
})));
var aggSeconds = aggWatch.Elapsed.TotalSeconds;
var aggCpu = await RedisCpuAsync() - aggCpu0;
var batched = await IngestAsync(20);
Console.Error.WriteLine($"aggregate: {processed} of {total} events in {aggSeconds:F1} s = {processed / aggSeconds:F0} events/s, redis {aggCpu * 1e6 / processed:F0} ms CPU per 1,000 events");

Console.WriteLine(JsonSerializer.Serialize(new
{
    shards,
    primaries = redis.GetEndPoints().Select(e => redis.GetServer(e)).Count(s => !s.IsReplica),
    single,
    batched,
    aggregate = new { events = processed, eventsPerSecond = processed / aggSeconds, redisCpuMsPer1000 = aggCpu * 1e6 / processed },
}));
await host.StopAsync();
