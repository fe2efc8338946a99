using System.Globalization;
using LiveInsight.Aggregator.Consumer;
using LiveInsight.Aggregator.Extensions;
using LiveInsight.Aggregator.Jobs;
using LiveInsight.Api.Ingestion;
using LiveInsight.Core.Events;
using LiveInsight.Core.Lake;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Stats;
using LiveInsight.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;
using StreamConsumer = LiveInsight.Aggregator.Consumer.StreamConsumer;

namespace LiveInsight.Cluster.Tests;

[CollectionDefinition(nameof(DynaliteCollection))]
public sealed class DynaliteCollection : ICollectionFixture<DynaliteFixture>;

public sealed class DynaliteFixture : IAsyncLifetime
{
    public ExternalProcess Dynalite { get; } = Infrastructure.Dynalite();

    public Task InitializeAsync() => Dynalite.StartAsync();

    public async Task DisposeAsync() => await Dynalite.DisposeAsync();
}

/// <summary>
/// Sites spread over <see cref="Shards"/> shards, ingested through the Api's own script (<see cref="EventWriter"/>)
/// and aggregated by a real aggregator host (<c>AddAggregator</c>, the worker's loop driven step by step), against
/// whatever Redis it is given: one redis-server or a cluster.
/// </summary>
public sealed class ShardedWorld : IAsyncDisposable
{
    public const int Shards = 3;
    private readonly IHost _host;

    private ShardedWorld(IHost host, IReadOnlyList<string> sites)
    {
        _host = host;
        Sites = sites;
        Redis = host.Services.GetRequiredService<IConnectionMultiplexer>();
        Writer = new EventWriter(Redis, TimeProvider.System);
    }

    public IReadOnlyList<string> Sites { get; }

    public T Get<T>() where T : notnull => _host.Services.GetRequiredService<T>();
    public IConnectionMultiplexer Redis { get; }
    public EventWriter Writer { get; }

    /// <summary>Page views written per site so far (what the rollups must end up with, exactly).</summary>
    public Dictionary<string, long> Written { get; } = [];

    /// <summary>The UTC days (the sites' zone) the events written so far fall on. Counts and lake partitions are read
    /// for these days by name, not for "today" when read: a UTC midnight between the ingestion and a read (a failover
    /// or a lake drain takes seconds to a minute) had the read look at the next day, which holds nothing (0 page
    /// views, no partition folder).</summary>
    public SortedSet<DateOnly> Days { get; } = [];

    public static async Task<ShardedWorld> CreateAsync(string redisConnection, int dynalitePort, int siteCount = 6, string? lakePath = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redisConnection,
            ["ConnectionStrings:dynamodb"] = $"http://127.0.0.1:{dynalitePort}",
            [RedisShards.Setting] = Shards.ToString(CultureInfo.InvariantCulture),
            ["LiveInsight:Storage:TablePrefix"] = $"cl{Guid.NewGuid():N}"[..10] + "-",
            ["LiveInsight:Storage:BootstrapTimeoutSeconds"] = "30",
            ["LiveInsight:Aggregator:ConsumerName"] = "cluster-test",
            ["LiveInsight:Aggregator:ClaimIdleSeconds"] = "0",
            ["Lake:Enabled"] = lakePath is null ? "false" : "true",
            ["Lake:FlushIntervalSeconds"] = "1",
            ["Lake:CompactAfterMinutes"] = "0", // a test that compacts merges today's parts too
        });
        if (lakePath is not null)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Lake:Path"] = lakePath });
        }

        builder.AddServiceDefaults();
        builder.AddAggregator(runWorker: false);
        var host = builder.Build();
        await host.StartAsync();
        var repository = host.Services.GetRequiredService<SiteRepository>();
        var sites = new List<string>();
        // Sites until every shard has at least one, so each shard's stream, group and keys are exercised.
        while (sites.Count < siteCount || sites.Select(s => RedisShards.Of(s)).Distinct().Count() < Shards)
        {
            var site = SiteKeys.NewSiteId();
            await repository.CreateAsync(new Site(site, "Test", ["example.com"], SiteKeys.NewPublicKey(), "hash", "UTC", true,
                DateTimeOffset.UtcNow), CancellationToken.None);
            sites.Add(site);
        }

        var world = new ShardedWorld(host, sites);
        await host.Services.GetRequiredService<StreamConsumer>().EnsureGroupsAsync();
        return world;
    }

    /// <summary>One request per site with <paramref name="perSite"/> page views, retried while the cluster fails over
    /// (a retry resends the same event ids, which the script's dedupe drops, as it does for the tracker's retries).</summary>
    public async Task IngestAsync(int perSite)
    {
        foreach (var site in Sites)
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            Days.Add(DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(now).UtcDateTime));
            Days.Add(DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(now + perSite - 1).UtcDateTime));
            var events = Enumerable.Range(0, perSite).Select(i => new StreamEvent
            {
                SiteId = site,
                EventId = Guid.NewGuid().ToString(),
                EventType = "page_view",
                Ts = now + i,
                SessionId = $"s{Guid.NewGuid():N}",
                VisitorId = $"v{i}",
                Host = "example.com",
                Path = $"/p{i % 3}",
                Source = "Direct",
                Browser = "Chrome",
                Os = "Linux",
                Device = "desktop",
                Country = "DE",
            }).ToList();
            var result = await RetryAsync(() => Writer.WriteAsync(site, TimeZoneInfo.Utc, new IngestQuota(0, 0, 0), events));
            Written[site] = Written.GetValueOrDefault(site) + perSite - result.Duplicates.Count;
        }
    }

    /// <summary>Every shard's stream drained by this replica's consumer of it, then the rollups flushed.</summary>
    public async Task AggregateAsync()
    {
        var consumer = _host.Services.GetRequiredService<StreamConsumer>();
        foreach (var shard in RedisShards.All)
        {
            var ofShard = consumer.ForShard(shard, 0);
            // As the consumer's own loop does (StreamConsumer.IsNoGroup): a NOGROUP after a failover re-creates the group.
            while (await RetryAsync(async () =>
                   {
                       try
                       {
                           return await ofShard.RunOnceAsync(CancellationToken.None);
                       }
                       catch (RedisServerException e) when (StreamConsumer.IsNoGroup(e))
                       {
                           await ofShard.EnsureGroupAsync();
                           throw new TimeoutException("the group was re-created after NOGROUP; try again", e);
                       }
                   }) > 0)
            {
            }
        }

        await RetryAsync(() => _host.Services.GetRequiredService<StatsFlusher>().FlushAsync(CancellationToken.None));
    }

    /// <summary>A site's page views on the days of its events (<see cref="Days"/>) as its day rollup hashes hold them.</summary>
    public async Task<long> PageviewsAsync(string site)
    {
        long pageviews = 0;
        foreach (var day in Days)
        {
            pageviews += (long)await Redis.GetDatabase().HashGetAsync(
                RollupLayout.RedisHash(site, Granularity.Day, RollupLayout.DayBucket(day)),
                RollupLayout.Field(RollupLayout.Summary, "", RollupLayout.Pageviews));
        }

        return pageviews;
    }

    /// <summary>The files of a site's lake partitions on the days of its events (<see cref="Days"/>).</summary>
    public string[] LakeFiles(string lake, string site, string pattern = "*") =>
        Days.Select(day => LakeLayout.SitePartition(lake, site, day))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.GetFiles(folder, pattern))
            .ToArray();

    /// <summary>Entries of every shard's stream the aggregator group has not acknowledged.</summary>
    public async Task<long> PendingAsync()
    {
        long pending = 0;
        foreach (var shard in RedisShards.All)
        {
            pending += (await Redis.GetDatabase().StreamPendingAsync(RedisKeys.EventsStreamOf(shard), AggregatorOptions.GroupName)).PendingMessageCount;
        }

        return pending;
    }

    private static async Task<T> RetryAsync<T>(Func<Task<T>> action)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            try
            {
                return await action();
            }
            catch (Exception e) when (Transient(e) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(250);
            }
        }
    }

    /// <summary>What a failover looks like to a client: lost connections, time-outs, and the cluster's own "not now"
    /// answers. Anything else (CROSSSLOT, a script touching a key of another node) is a bug and fails the test.</summary>
    private static bool Transient(Exception e) =>
        e is RedisConnectionException or RedisTimeoutException or TimeoutException
        || (e is RedisServerException s && (s.Message.StartsWith("CLUSTERDOWN", StringComparison.Ordinal)
            || s.Message.StartsWith("TRYAGAIN", StringComparison.Ordinal) || s.Message.StartsWith("MOVED", StringComparison.Ordinal)
            || s.Message.StartsWith("LOADING", StringComparison.Ordinal) || s.Message.StartsWith("READONLY", StringComparison.Ordinal)))
        || (e is RedisException && e.Message.Contains("No connection", StringComparison.Ordinal));

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
