using System.Globalization;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Aggregator.Consumer;
using LiveInsight.Aggregator.Extensions;
using LiveInsight.Aggregator.Health;
using LiveInsight.Aggregator.Jobs;
using LiveInsight.Aggregator.Sessions;
using LiveInsight.Core.Events;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Stats;
using LiveInsight.Core.Storage;
using LiveInsight.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;
using StreamConsumer = LiveInsight.Aggregator.Consumer.StreamConsumer;

namespace LiveInsight.Aggregator.Tests;

[CollectionDefinition(nameof(DynaliteCollection))]
public sealed class DynaliteCollection : ICollectionFixture<DynaliteFixture>;

public sealed class DynaliteFixture : IAsyncLifetime
{
    public ExternalProcess Dynalite { get; } = Infrastructure.Dynalite();

    public string ConnectionString => $"http://127.0.0.1:{Dynalite.Port}";

    public Task InitializeAsync() => Dynalite.StartAsync();

    public async Task DisposeAsync() => await Dynalite.DisposeAsync();
}

/// <summary>
/// One isolated world per test: its own redis-server (so the stream and the consumer group are the test's alone),
/// tables under their own prefix in a shared dynalite, and aggregator hosts built with the real registration
/// (<see cref="Extensions.AddAggregator"/>) but without the background worker, so a test drives each step.
/// Event times are fixed (around <see cref="T0"/>); the session closer is the one component given a fake clock.
/// </summary>
public sealed class AggregatorWorld : IAsyncDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 20, 10, 0, 0, TimeSpan.Zero);
    private readonly List<IHost> _hosts = [];

    private AggregatorWorld(ExternalProcess redis, string dynamoConnectionString, string tablePrefix, int maxValuesPerDay,
        IReadOnlyDictionary<string, string?>? settings)
    {
        Settings = settings;
        MaxValuesPerDay = maxValuesPerDay;
        Redis = redis;
        DynamoConnectionString = dynamoConnectionString;
        TablePrefix = tablePrefix;
    }

    public ExternalProcess Redis { get; }

    /// <summary>Settings every host of this world gets on top of the defaults (mail, alerts).</summary>
    public IReadOnlyDictionary<string, string?>? Settings { get; }

    /// <summary>The cap of distinct values per dimension and site-day every host of this world runs with.</summary>
    public int MaxValuesPerDay { get; }
    public string DynamoConnectionString { get; }
    public string TablePrefix { get; }
    public FakeTimeProvider Clock { get; } = new(T0);
    public string SiteId { get; } = SiteKeys.NewSiteId();
    public IConnectionMultiplexer Connection { get; private set; } = null!;
    public IAmazonDynamoDB Dynamo { get; private set; } = null!;

    /// <summary>This world's event lake (a fresh folder, removed with the world).</summary>
    public string LakePath { get; } = Path.Combine(Path.GetTempPath(), $"li-lake-{Guid.NewGuid():N}");

    /// <param name="settings">More configuration for every host of the world (e.g. <c>Lake:S3:*</c>).</param>
    public static async Task<AggregatorWorld> CreateAsync(
        string dynamoConnectionString, string timeZone = "UTC", int maxValuesPerDay = 5000, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var redis = Infrastructure.RedisServer();
        await redis.StartAsync();
        var world = new AggregatorWorld(redis, dynamoConnectionString, $"agg{Guid.NewGuid():N}"[..11] + "-", maxValuesPerDay, settings);
        var first = await world.StartHostAsync("first");
        world.Connection = first.Services.GetRequiredService<IConnectionMultiplexer>();
        world.Dynamo = first.Services.GetRequiredService<IAmazonDynamoDB>();
        await first.Services.GetRequiredService<SiteRepository>().CreateAsync(
            new Site(world.SiteId, "Test", ["example.com"], SiteKeys.NewPublicKey(), "hash", timeZone, true, T0), CancellationToken.None);
        await first.Services.GetRequiredService<StreamConsumer>().EnsureGroupAsync();
        return world;
    }

    /// <summary>An aggregator replica (its own consumer name) sharing this world's Redis, tables and clock.</summary>
    public async Task<IHost> StartHostAsync(string consumerName, int batchSize = 500, int claimIdleSeconds = 0, IDictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = $"127.0.0.1:{Redis.Port}",
            ["ConnectionStrings:dynamodb"] = DynamoConnectionString,
            ["LiveInsight:Storage:TablePrefix"] = TablePrefix,
            ["LiveInsight:Storage:BootstrapTimeoutSeconds"] = "30",
            ["LiveInsight:Aggregator:ConsumerName"] = consumerName,
            ["LiveInsight:Aggregator:BatchSize"] = batchSize.ToString(CultureInfo.InvariantCulture),
            ["LiveInsight:Aggregator:ClaimIdleSeconds"] = claimIdleSeconds.ToString(CultureInfo.InvariantCulture),
            ["LiveInsight:Aggregator:PollIntervalMs"] = "20",
            ["LiveInsight:Aggregator:DegradedLag"] = "1",
            ["LiveInsight:Aggregator:MaxValuesPerDimensionPerDay"] = MaxValuesPerDay.ToString(CultureInfo.InvariantCulture),
            ["Lake:Path"] = LakePath,
            ["Lake:ClaimIdleSeconds"] = claimIdleSeconds.ToString(CultureInfo.InvariantCulture),
            ["Lake:CompactAfterMinutes"] = "0",
        });
        foreach (var extra in new IEnumerable<KeyValuePair<string, string?>>?[] { Settings, settings })
        {
            if (extra is not null)
            {
                builder.Configuration.AddInMemoryCollection(extra);
            }
        }

        builder.AddServiceDefaults();
        builder.AddAggregator(runWorker: false);

        var host = builder.Build();
        await host.StartAsync();
        _hosts.Add(host);
        return host;
    }

    public T Get<T>(IHost? host = null) where T : notnull => (host ?? _hosts[0]).Services.GetRequiredService<T>();

    /// <summary>Does what ingestion does for one event: XADD to the stream and PFADD the visitor (hour and day).</summary>
    public async Task IngestAsync(StreamEvent e)
    {
        var db = Connection.GetDatabase();
        var at = DateTimeOffset.FromUnixTimeMilliseconds(e.Ts);
        await db.StreamAddAsync(RedisKeys.EventsStream, RedisKeys.StreamField,
            JsonSerializer.SerializeToUtf8Bytes(e, StreamEventJsonContext.Default.StreamEvent));
        await db.HyperLogLogAddAsync(RedisKeys.HourVisitors(e.SiteId, at), e.VisitorId);
        await db.HyperLogLogAddAsync(RedisKeys.DayVisitors(e.SiteId, DateOnly.FromDateTime(at.UtcDateTime)), e.VisitorId);
    }

    public StreamEvent Event(string type, string visitor, string session, TimeSpan at, string path,
        string? name = null, long? engagedMs = null, string source = "Direct", string country = "DE") => new()
    {
        SiteId = SiteId,
        EventId = Guid.NewGuid().ToString(),
        EventType = type,
        Name = name,
        Ts = (T0 + at).ToUnixTimeMilliseconds(),
        SessionId = session,
        VisitorId = visitor,
        Host = "example.com",
        Path = path,
        Source = source,
        Medium = source == "Direct" ? "direct" : "search",
        Browser = "Chrome",
        Os = "Windows",
        Device = "desktop",
        Country = country,
        EngagedMs = engagedMs,
    };

    /// <summary>Runs one consumer until the stream has nothing more for it.</summary>
    public static async Task DrainAsync(StreamConsumer consumer)
    {
        while (await consumer.RunOnceAsync(CancellationToken.None) > 0)
        {
        }
    }

    public async Task CloseSessionsAndFlushAsync(TimeSpan after)
    {
        // Only the closer sees the fake clock ("now" decides which sessions are idle). Everything else keeps real
        // time: retries and polls must not wait for a clock nobody advances.
        Clock.SetUtcNow(T0 + after);
        var closer = new SessionCloser(Connection, Get<EventStore>(), Get<IOptions<StorageOptions>>(), Get<IOptions<AggregatorOptions>>(), Clock);
        await closer.CloseIdleAsync(CancellationToken.None);
        await Get<StatsFlusher>().FlushAsync(CancellationToken.None);
    }

    /// <summary>Writes the rollups to the Stats table without closing any session.</summary>
    public Task FlushAsync() => Get<StatsFlusher>().FlushAsync(CancellationToken.None);

    /// <summary>A Stats item as metric → value (visitors included), or null.</summary>
    public async Task<Dictionary<string, long>?> StatsAsync(Granularity granularity, string dimension, string bucket, string value = "")
    {
        var response = await Dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TablePrefix + "Stats",
            Key = new()
            {
                ["pk"] = new AttributeValue { S = RollupLayout.StatsPartitionKey(SiteId, granularity, dimension) },
                ["sk"] = new AttributeValue { S = RollupLayout.StatsSortKey(bucket, value) },
            },
        });
        return response.Item is { Count: > 0 } item
            ? item.Where(kv => kv.Value.N is not null && kv.Key != "hll_crc32").ToDictionary(kv => kv.Key, kv => long.Parse(kv.Value.N, CultureInfo.InvariantCulture))
            : null;
    }

    public async Task<int> CountEventsAsync()
    {
        var response = await Dynamo.ScanAsync(new ScanRequest { TableName = TablePrefix + "Events", Select = Select.COUNT });
        return response.Count ?? 0;
    }

    public AggregatorState State(IHost host) => host.Services.GetRequiredService<AggregatorState>();

    public async ValueTask DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.StopAsync();
            host.Dispose();
        }

        await Redis.DisposeAsync();
        if (Directory.Exists(LakePath))
        {
            Directory.Delete(LakePath, recursive: true);
        }
    }
}
