using System.Reflection;
using Amazon.DynamoDBv2;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Stats;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using static LiveInsight.Api.Tests.Stats.KnownDataset;

namespace LiveInsight.Api.Tests.Stats;

[Collection(nameof(ApiCollection))]
public sealed class CacheTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_repeated_stats_call_is_served_by_the_cache_without_touching_dynamodb()
    {
        var calls = new DynamoCallCounter();
        await using var factory = fixture.Factory.WithWebHostBuilder(web => web.ConfigureTestServices(services =>
        {
            var real = fixture.Dynamo;
            services.AddSingleton(_ => DynamoCallCounter.Wrap(real, calls));
        }));
        var site = await fixture.CreateAsync();
        await new KnownDataset(fixture, site.SiteId).ItemAsync(
            Granularity.Day, RollupLayout.Summary, RollupLayout.DayBucket(DateOnly.FromDateTime(DateTime.UtcNow).AddDays(-1)), "",
            M(pageviews: 7, sessions: 2), ["a", "b"]);
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", site.SecretKey);
        var url = $"/api/stats/summary?site_id={site.SiteId}&range=7d";

        var first = await client.GetJsonAsync(url);
        var afterFirst = calls.Count;
        var second = await client.GetJsonAsync(url);
        var afterSecond = calls.Count;
        var otherRange = await client.GetJsonAsync($"/api/stats/summary?site_id={site.SiteId}&range=30d");

        Assert.True(afterFirst > 0, "the first call must have read DynamoDB (site lookup and Stats items)");
        Assert.Equal(afterFirst, afterSecond);
        Assert.True(calls.Count > afterSecond, "a different range is a different cache entry");
        Assert.Equal(first.GetRawText(), second.GetRawText());
        Assert.Equal(7, second.GetProperty("pageviews").GetProperty("value").GetDouble());
        Assert.Equal(7, otherRange.GetProperty("pageviews").GetProperty("value").GetDouble());
    }
}

/// <summary>Counts every call made through <see cref="IAmazonDynamoDB"/> and forwards it to the real client.</summary>
public class DynamoCallCounter : DispatchProxy
{
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _byMethod = new();
    private int _count;
    private IAmazonDynamoDB _inner = null!;
    private DynamoCallCounter _counter;

    public DynamoCallCounter() => _counter = this;

    public int Count => _counter._count;

    /// <summary>Calls of one method, e.g. <c>"ScanAsync"</c>.</summary>
    public int CountOf(string method) => _counter._byMethod.GetValueOrDefault(method);

    public static IAmazonDynamoDB Wrap(IAmazonDynamoDB inner, DynamoCallCounter counter)
    {
        var proxy = Create<IAmazonDynamoDB, DynamoCallCounter>();
        var self = (DynamoCallCounter)(object)proxy;
        self._inner = inner;
        self._counter = counter;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        // The derived factory disposes its singletons; the real client belongs to the shared fixture.
        if (targetMethod!.Name == nameof(IDisposable.Dispose))
        {
            return null;
        }

        if (targetMethod.Name.EndsWith("Async", StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _counter._count);
            _counter._byMethod.AddOrUpdate(targetMethod.Name, 1, (_, n) => n + 1);
        }

        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException e) when (e.InnerException is not null)
        {
            throw e.InnerException;
        }
    }
}
