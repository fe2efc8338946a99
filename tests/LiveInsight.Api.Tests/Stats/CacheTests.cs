using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Stats;
using LiveInsight.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
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
        await using var factory = CountingDynamo(calls);
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

    [Theory]
    [InlineData("source", "Goo%01gle")]
    [InlineData("page", "/a%0Ab")]
    public async Task A_filter_value_with_control_characters_is_cached_like_any_other(string parameter, string value)
    {
        // HybridCache refuses a key with control characters: it logged an error and read DynamoDB on every such call.
        var calls = new DynamoCallCounter();
        await using var factory = CountingDynamo(calls);
        var site = await fixture.CreateAsync();
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", site.SecretKey);
        var url = $"/api/stats/summary?site_id={site.SiteId}&range=7d&{parameter}={value}";

        var first = await client.GetAsync(url);
        var afterFirst = calls.Count;
        var second = await client.GetAsync(url);

        Assert.Equal((System.Net.HttpStatusCode.OK, System.Net.HttpStatusCode.OK), (first.StatusCode, second.StatusCode));
        Assert.True(afterFirst > 0, "the first call must have read DynamoDB");
        Assert.Equal(afterFirst, calls.Count);
    }

    /// <summary>An Api whose DynamoDB calls are counted in <paramref name="calls"/>.</summary>
    private WebApplicationFactory<Program> CountingDynamo(DynamoCallCounter calls) =>
        fixture.Factory.WithWebHostBuilder(web => web.ConfigureTestServices(services =>
        {
            var real = fixture.Dynamo;
            services.AddSingleton(_ => DynamoCallCounter.Wrap(real, calls));
        }));
}
