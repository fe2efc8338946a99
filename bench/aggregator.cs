#:project ../LiveInsight.Aggregator/LiveInsight.Aggregator.csproj
#:property TreatWarningsAsErrors=true
#:property PublishAot=false
#:property ServerGarbageCollection=true
// Aggregator benchmark (./liveinsight bench aggregator): the emulator's own BatchWriteItem ceiling, the sustained
// stream → DynamoDB rate with rollups, and the event-to-acknowledged lag under a steady 1,000 events/s. Server GC, as
// the service has it (Microsoft.NET.Sdk.Web sets it; a file-based app would otherwise run workstation GC).
// Usage: dotnet run bench/aggregator.cs -- <redis host:port> <dynamodb url> <events> <seconds at 1,000/s>
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Aggregator.Consumer;
using LiveInsight.Aggregator.Extensions;
using LiveInsight.Aggregator.Lake;
using LiveInsight.Core.Events;
using LiveInsight.Core.Sites;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using StreamConsumer = LiveInsight.Aggregator.Consumer.StreamConsumer;

var redisAddress = args[0];
var dynamoUrl = args[1];
var totalEvents = int.Parse(args[2], CultureInfo.InvariantCulture);
var steadySeconds = int.Parse(args[3], CultureInfo.InvariantCulture);
// The event lake's writer runs beside the consumers, as in the service (LIVEINSIGHT_BENCH_LAKE=off to measure without).
var lakeOn = Environment.GetEnvironmentVariable("LIVEINSIGHT_BENCH_LAKE") != "off";
var lakePath = Path.Combine(Path.GetTempPath(), $"li-bench-lake-{Guid.NewGuid():N}");

var builder = Host.CreateApplicationBuilder();
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["ConnectionStrings:redis"] = redisAddress,
    ["ConnectionStrings:dynamodb"] = dynamoUrl,
    ["LiveInsight:Storage:TablePrefix"] = "bench-",
    ["LiveInsight:Aggregator:ConsumerName"] = "bench",
    ["Lake:Enabled"] = lakeOn ? "true" : "false",
    ["Lake:Path"] = lakePath,
});
// LIVEINSIGHT_BENCH_CONSUMERS=N: another ConsumersPerReplica than the service's default, to compare.
if (Environment.GetEnvironmentVariable("LIVEINSIGHT_BENCH_CONSUMERS") is { Length: > 0 } consumersSetting)
{
    builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["LiveInsight:Aggregator:ConsumersPerReplica"] = consumersSetting });
}

builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.AddServiceDefaults();
builder.AddAggregator(runWorker: false);
using var host = builder.Build();
await host.StartAsync();
var redis = host.Services.GetRequiredService<IConnectionMultiplexer>();
var db = redis.GetDatabase();
var dynamo = host.Services.GetRequiredService<IAmazonDynamoDB>();
var store = host.Services.GetRequiredService<EventStore>();
var siteId = SiteKeys.NewSiteId();
await host.Services.GetRequiredService<SiteRepository>().CreateAsync(
    new Site(siteId, "Bench", ["example.com"], SiteKeys.NewPublicKey(), "hash", "UTC", true, DateTimeOffset.UtcNow), CancellationToken.None);

// 1. Ceiling: the emulator's own BatchWriteItem rate, same item size, same writer (25 per request, parallel chunks).
var ceilingItems = Enumerable.Range(0, Math.Min(totalEvents, 20_000)).Select(i => new Dictionary<string, AttributeValue>
{
    ["pk"] = new() { S = $"{siteId}#ceiling{i % 500}" },
    ["sk"] = new() { S = $"{i:D13}#{Guid.NewGuid()}" },
    ["payload"] = new() { S = new string('x', 300) },
}).ToList();
// dynalite's own CPU (utime + stime from /proc, when bench/aggregator.sh passes its pid) per item written, in the
// ceiling and in the drain: what an item costs the emulator whatever the load, and so how far the drain can get.
var dynalitePid = Environment.GetEnvironmentVariable("LIVEINSIGHT_BENCH_DYNALITE_PID");
double DynaliteCpuMs()
{
    if (dynalitePid is not { Length: > 0 } || !File.Exists($"/proc/{dynalitePid}/stat"))
    {
        return double.NaN;
    }

    var stat = File.ReadAllText($"/proc/{dynalitePid}/stat");
    var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
    // Fields 14 and 15 of stat (utime, stime) in clock ticks of 10 ms; the split starts at field 3.
    return (long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)) * 10.0;
}

var dynaliteBefore = DynaliteCpuMs();
var sw = Stopwatch.StartNew();
foreach (var chunk in ceilingItems.Chunk(500))
{
    await store.WriteAsync("bench-Events", chunk, CancellationToken.None);
}

var ceiling = ceilingItems.Count / sw.Elapsed.TotalSeconds;
var dynaliteCeilingUs = (DynaliteCpuMs() - dynaliteBefore) * 1000 / ceilingItems.Count;
Console.Error.WriteLine($"ceiling: {ceiling:F0} items/s; dynalite CPU {dynaliteCeilingUs:F0} µs per item");

// The drain's events (made below from seed 42, whatever 1b drew before).
var random = new Random(7);
string[] paths = ["/", "/pricing", "/docs", "/blog/a", "/blog/b", "/signup", "/about"];
StreamEvent MakeEvent(long ts)
{
    var visitor = random.Next(5000);
    return new StreamEvent
    {
        SiteId = siteId, EventId = Guid.NewGuid().ToString(), EventType = random.Next(10) == 0 ? "custom" : "page_view",
        Name = "Signup", Ts = ts, SessionId = $"s{visitor}", VisitorId = $"v{visitor:x12}", Host = "example.com",
        Path = paths[random.Next(paths.Length)], Source = random.Next(3) == 0 ? "Google" : "Direct", Browser = "Chrome",
        Os = "Windows", Device = "desktop", Country = "DE",
    };
}

// 1b. The same writer with the drain's own Events items (their attributes and the site_day-index entry each one adds),
// without Redis or rollups: what the emulator can do with these items, beside the plain ceiling above.
var shapedEvents = Enumerable.Range(0, Math.Min(totalEvents, 10_000))
    .Select(_ => (MakeEvent(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), LiveInsight.Core.Stats.RollupLayout.DayBucket(DateOnly.FromDateTime(DateTime.UtcNow))))
    .ToList();
var dynaliteShapedBefore = DynaliteCpuMs();
sw.Restart();
foreach (var chunk in shapedEvents.Chunk(500))
{
    await store.WriteEventsAsync(chunk, CancellationToken.None);
}

var shapedCeiling = shapedEvents.Count / sw.Elapsed.TotalSeconds;
var dynaliteShapedUs = (DynaliteCpuMs() - dynaliteShapedBefore) * 1000 / shapedEvents.Count;
Console.Error.WriteLine($"ceiling with the Events items themselves: {shapedCeiling:F0} items/s; dynalite CPU {dynaliteShapedUs:F0} µs per item");

// 2. Sustained: a backlog of events in the stream, drained by the consumers (batches of 500).
random = new Random(42);
async Task AddAsync(IEnumerable<StreamEvent> events)
{
    var batch = db.CreateBatch();
    var tasks = events.Select(e => batch.StreamAddAsync(RedisKeys.EventsStream, RedisKeys.StreamField,
        JsonSerializer.SerializeToUtf8Bytes(e, StreamEventJsonContext.Default.StreamEvent))).ToList();
    batch.Execute();
    await Task.WhenAll(tasks);
}

var consumer = host.Services.GetRequiredService<StreamConsumer>();
await consumer.EnsureGroupAsync();
var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
foreach (var chunk in Enumerable.Range(0, totalEvents).Chunk(1000))
{
    await AddAsync(chunk.Select(_ => MakeEvent(now)));
}

// As the worker does: ConsumersPerReplica consumers in this process, so DynamoDB and Redis work overlap.
var consumerCount = host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<AggregatorOptions>>().Value.ConsumersPerReplica;
var consumers = Enumerable.Range(0, consumerCount).Select(i => i == 0 ? consumer : consumer.Sibling(i)).ToArray();
using var lakeStop = new CancellationTokenSource();
var lakeLoop = lakeOn ? Task.Run(() => host.Services.GetRequiredService<LakeWriter>().RunAsync(lakeStop.Token)) : Task.CompletedTask;
// LIVEINSIGHT_BENCH_TRACE_WAIT=<file>: print this process's id and wait for the file, so a profiler (dotnet-trace
// collect -p) can attach before the drain.
if (Environment.GetEnvironmentVariable("LIVEINSIGHT_BENCH_TRACE_WAIT") is { Length: > 0 } traceWait)
{
    Console.Error.WriteLine($"pid {Environment.ProcessId}: waiting for {traceWait}");
    while (!File.Exists(traceWait))
    {
        await Task.Delay(100);
    }
}

// Profile of the drain: Redis commands slower than 200 µs (SLOWLOG, reset before; at 0 µs its log grows so large
// that reading it back stalls the lake's connection), commandstats, DynamoDB requests and items
// (EventStore's counters), and allocations of this process.
await db.ExecuteAsync("CONFIG", "SET", "slowlog-log-slower-than", "200");
await db.ExecuteAsync("CONFIG", "SET", "slowlog-max-len", "100000");
await db.ExecuteAsync("SLOWLOG", "RESET");
await db.ExecuteAsync("CONFIG", "RESETSTAT");
var (requestsBefore, itemsBefore) = (store.Requests, store.Items);
var allocatedBefore = GC.GetTotalAllocatedBytes(precise: true);
var batches = 0;
var cpuBefore = (Process.GetCurrentProcess().TotalProcessorTime, await RedisCpuAsync());
var dynaliteDrainBefore = DynaliteCpuMs();
sw.Restart();
await Task.WhenAll(consumers.Select(c => Task.Run(async () =>
{
    while (await c.RunOnceAsync(CancellationToken.None) > 0)
    {
        Interlocked.Increment(ref batches);
    }
})));

var sustained = totalEvents / sw.Elapsed.TotalSeconds;
var drainItems = store.Items - itemsBefore;
var dynaliteDrainUs = (DynaliteCpuMs() - dynaliteDrainBefore) * 1000 / Math.Max(1, drainItems);
Console.Error.WriteLine($"dynalite CPU in the drain: {dynaliteDrainUs:F0} µs per item (ceiling's items: {dynaliteCeilingUs:F0} µs)");
Console.Error.WriteLine($"sustained: {sustained:F0} events/s (lake {(lakeOn ? "on" : "off")})");
var allocatedPerEvent = (GC.GetTotalAllocatedBytes(precise: true) - allocatedBefore) / (double)totalEvents;
var dynamoRequests = store.Requests - requestsBefore;
var itemsPerEvent = (store.Items - itemsBefore) / (double)totalEvents;
Console.Error.WriteLine($"dynamodb: {itemsPerEvent:F2} items per event, {dynamoRequests / (double)batches:F1} BatchWriteItem requests per batch ({batches} batches); " +
    $"allocated {allocatedPerEvent / 1024:F1} KiB per event (this process, lake {(lakeOn ? "on" : "off")})");
// Commands run inside Redis per event over the drain (scripts' redis.call included; commandstats counts those):
// the scripts' work without the machine's load in it.
var commandstats = ((string?)await db.ExecuteAsync("INFO", "commandstats"))!.Split('\n')
    .Select(l => Regex.Match(l, @"^cmdstat_([^:]+):calls=(\d+),usec=(\d+)"))
    .Where(m => m.Success)
    .Select(m => (Command: m.Groups[1].Value, Calls: long.Parse(m.Groups[2].Value, CultureInfo.InvariantCulture),
        Usec: long.Parse(m.Groups[3].Value, CultureInfo.InvariantCulture)))
    .OrderByDescending(c => c.Calls).ToList();
var scriptCalls = commandstats.Where(c => c.Command is "evalsha" or "eval").Sum(c => c.Calls);
var scriptMean = commandstats.Where(c => c.Command is "evalsha" or "eval").Sum(c => c.Usec) / (double)Math.Max(1, scriptCalls);
var commandsPerEvent = commandstats.Where(c => c.Command is not ("evalsha" or "eval" or "slowlog" or "config" or "info")).Sum(c => c.Calls) / (double)totalEvents;
Console.Error.WriteLine($"redis commands per event (inside scripts too): {commandsPerEvent:F1}; top: " +
    string.Join(", ", commandstats.Take(8).Select(c => $"{c.Command} {c.Calls / (double)totalEvents:F2}")));
// The apply script is the EVALSHA with three keys, the first the stream (ValueCap's has one key).
var slowlog = (RedisResult[])(await db.ExecuteAsync("SLOWLOG", "GET", "-1"))!;
await db.ExecuteAsync("CONFIG", "SET", "slowlog-log-slower-than", "10000");
await db.ExecuteAsync("CONFIG", "SET", "slowlog-max-len", "128");
var applyCalls = slowlog.Select(e => (RedisResult[])e!)
    .Where(e => ((RedisResult[])e[3]!) is { Length: > 3 } a && (string?)a[0] is { } c && c.Equals("EVALSHA", StringComparison.OrdinalIgnoreCase)
        && (string?)a[2] == "3" && (string?)a[3] == RedisKeys.EventsStream)
    .Select(e => (long)e[2]).Order().ToList();
var slowest = slowlog.Select(e => (RedisResult[])e!).MaxBy(e => (long)e[2]);
var applyMax = applyCalls.Count > 0 ? applyCalls[^1] : 0;
var applyOverMs = applyCalls.Count(us => us > 1000);
Console.Error.WriteLine($"scripts: {scriptCalls / (double)batches:F1} per batch, mean {scriptMean:F0} µs; apply script: {applyOverMs} calls over 1 ms, {applyCalls.Count} over 200 µs, max {applyMax} µs; " +
    $"slowest command of the drain: {(slowest is null ? "-" : $"{(string?)((RedisResult[])slowest[3]!)[0]} {(long)slowest[2]} µs")}");
var lakeSeconds = double.NaN;
if (lakeOn)
{
    // The lake's own catch-up: every entry written and acknowledged by its group (the last flush may wait for the
    // flush interval).
    while (true)
    {
        var lakeGroup = (await db.StreamGroupInfoAsync(RedisKeys.EventsStream)).FirstOrDefault(g => g.Name == LakeOptions.GroupName);
        if (lakeGroup.Name is not null && lakeGroup.PendingMessageCount == 0 && (lakeGroup.Lag ?? 1) == 0)
        {
            break;
        }

        await Task.Delay(50);
    }

    lakeSeconds = sw.Elapsed.TotalSeconds;
    Console.Error.WriteLine($"lake: all {totalEvents} events written after {lakeSeconds:F1} s");
}

// CPU per event (this process and redis-server) over the drain, lake included: steadier than a rate on a shared machine.
var cpuAfter = (Process.GetCurrentProcess().TotalProcessorTime, await RedisCpuAsync());
var aggregatorCpuUs = (cpuAfter.Item1 - cpuBefore.Item1).TotalMilliseconds * 1000 / totalEvents;
Console.Error.WriteLine($"cpu per 1,000 events: aggregator {aggregatorCpuUs:F0} ms, " +
    $"redis-server {(cpuAfter.Item2 - cpuBefore.Item2) * 1000 * 1000 / totalEvents:F0} ms");

async Task<double> RedisCpuAsync()
{
    var info = ((string?)await db.ExecuteAsync("INFO", "cpu"))!.Split('\n');
    double Field(string name) => double.Parse(info.First(l => l.StartsWith(name + ":", StringComparison.Ordinal)).Split(':')[1].Trim(), CultureInfo.InvariantCulture);
    return Field("used_cpu_user") + Field("used_cpu_sys");
}
var scripts = ((string?)await db.ExecuteAsync("INFO", "commandstats"))!.Split('\n').Where(l => l.StartsWith("cmdstat_evalsha", StringComparison.Ordinal) || l.StartsWith("cmdstat_eval:", StringComparison.Ordinal));
Console.Error.WriteLine("redis scripts: " + string.Join(" ", scripts).Trim());

// 3. Lag at a steady 1,000 events/s: 100 events every 100 ms while the real consumer loop runs; sample the age of
// the oldest event not yet acknowledged.
using var stop = new CancellationTokenSource();
var loop = Task.WhenAll(consumers.Select(c => Task.Run(() => c.RunAsync(stop.Token))));
var lags = new List<double>();
var produced = 0;
sw.Restart();
while (sw.Elapsed.TotalSeconds < steadySeconds)
{
    var tick = Stopwatch.StartNew();
    await AddAsync(Enumerable.Range(0, 100).Select(_ => MakeEvent(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds())));
    produced += 100;
    lags.Add(await OldestUnackedAgeMsAsync());
    var wait = TimeSpan.FromMilliseconds(100) - tick.Elapsed;
    if (wait > TimeSpan.Zero)
    {
        await Task.Delay(wait);
    }
}

var rate = produced / sw.Elapsed.TotalSeconds;
await stop.CancelAsync();
await loop;
await lakeStop.CancelAsync();
await lakeLoop;
if (Directory.Exists(lakePath))
{
    Directory.Delete(lakePath, recursive: true);
}
lags.Sort();
var p95 = lags[(int)(lags.Count * 0.95)];
var max = lags[^1];
Console.Error.WriteLine($"steady {rate:F0} events/s: lag p95 {p95:F0} ms, max {max:F0} ms");

async Task<double> OldestUnackedAgeMsAsync()
{
    var pending = await db.StreamPendingAsync(RedisKeys.EventsStream, AggregatorOptions.GroupName);
    RedisValue oldest;
    if (pending.PendingMessageCount > 0)
    {
        oldest = pending.LowestPendingMessageId;
    }
    else
    {
        var group = (await db.StreamGroupInfoAsync(RedisKeys.EventsStream)).First(g => g.Name == AggregatorOptions.GroupName);
        var next = await db.StreamRangeAsync(RedisKeys.EventsStream, "(" + group.LastDeliveredId, "+", 1);
        if (next.Length == 0)
        {
            return 0;
        }

        oldest = next[0].Id;
    }

    var ms = long.Parse(oldest.ToString().Split('-')[0], CultureInfo.InvariantCulture);
    return Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - ms);
}

// BENCHMARKS.md section.
var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':')[1].Trim() ?? "?";
var section = $"""
<!-- bench:aggregator:start -->
## Aggregator (stream → DynamoDB with rollups)

- Date: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC
- Machine: {Environment.ProcessorCount} cores ({cpu}); everything on it: redis-server, dynalite (on disk, LevelDB), the aggregator
- Command: `./liveinsight bench aggregator` (`bench/aggregator.sh` → `bench/aggregator.cs`), {totalEvents:N0} events backlog, {steadySeconds} s at 1,000 events/s
- Peak memory (VmHWM): aggregator process {Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0:N0} MiB (PeakWorkingSet64)
- {consumerCount} consumers in one process (`ConsumersPerReplica`), batches of 500; every event: Events item (BatchWriteItem), rollup deltas + session state + XACK in Lua scripts of 25 events each (`ApplyChunkSize`, pipelined); an open session's snapshot (BatchWriteItem) a minute after it was first seen, so none in this drain

| measure | value | ceiling / target | ratio / result |
|---|---|---|---|
| emulator BatchWriteItem ceiling (25 × ~300 B items, same writer) | {ceiling:N0} items/s | — | — |
| sustained stream → DynamoDB with rollups | {sustained:N0} events/s | ≥ 80 % of the ceiling | {sustained / ceiling:P0} ({(sustained >= 0.8 * ceiling ? "pass" : "FAIL")}) |
| DynamoDB items written per event (Events items, session snapshots) / BatchWriteItem requests per batch of 500 | {itemsPerEvent:F2} / {dynamoRequests / (double)batches:F1} | — | — |
| scripts per batch of 500 (apply chunks and the value cap's) and mean time per call (commandstats); apply calls over 1 ms and the longest (SLOWLOG) | {scriptCalls / (double)batches:F1}, {scriptMean:N0} µs; {applyOverMs} over 1 ms, max {applyMax:N0} µs | ~1 ms at most per call | {(applyMax <= 1500 ? "pass" : "FAIL")} |
| Redis commands per event over the drain (those inside scripts included, commandstats) | {commandsPerEvent:F1} | — | — |
| aggregator allocations per event (whole process, lake {(lakeOn ? "on" : "off")}) | {allocatedPerEvent / 1024:N1} KiB | — | — |
| lag (age of the oldest unacknowledged event) at {rate:N0} events/s, P95 | {p95:N0} ms | < 5 s | {(p95 < 5000 ? "pass" : "FAIL")} |
| same, max | {max:N0} ms | — | — |
| the same writer with the drain's own Events items (their attributes and site_day-index entry), no Redis: rate; dynalite CPU per item, these / the ceiling's | {shapedCeiling:N0} items/s; {dynaliteShapedUs:N0} / {dynaliteCeilingUs:N0} µs | — | {sustained / shapedCeiling:P0} of it |
| CPU per event over the drain (lake included): aggregator process; dynalite per item written | {aggregatorCpuUs:N0} µs; {dynaliteDrainUs:N0} µs | — | — |
| event lake (own consumer group, Parquet parts of up to 50,000 events) | {(lakeOn ? $"on: every event written {lakeSeconds:N1} s after the drain started" : "off (LIVEINSIGHT_BENCH_LAKE=off)")} | sustained −15 % at most with the lake on | compare a run with it off |

Each event costs one DynamoDB write here (its Events item; sessions get theirs a minute in or at close), so the
ceiling in events is the ceiling in items; the ratio above is against the item ceiling, as the issue asks.
<!-- bench:aggregator:end -->
""";
var file = Path.Combine(AppContext.GetData("LIVEINSIGHT_ROOT") as string ?? Directory.GetCurrentDirectory(), "BENCHMARKS.md");
var doc = File.Exists(file) ? File.ReadAllText(file) : "# Benchmarks\n";
var pattern = new Regex("<!-- bench:aggregator:start -->[\\s\\S]*?<!-- bench:aggregator:end -->");
doc = pattern.IsMatch(doc) ? pattern.Replace(doc, section) : doc.TrimEnd() + "\n\n" + section + "\n";
File.WriteAllText(file, doc);
Console.Error.WriteLine($"==> wrote the aggregator section of {file}");
await host.StopAsync();
