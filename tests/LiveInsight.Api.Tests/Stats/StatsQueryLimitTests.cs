using System.Net;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Testing;

namespace LiveInsight.Api.Tests.Stats;

/// <summary>Every new filter value is a cache miss that reads DynamoDB; those are limited per site, cached answers are not.</summary>
[Collection(nameof(ApiCollection))]
public sealed class StatsQueryLimitTests(ApiFixture fixture)
{
    [Fact]
    public async Task Uncached_stats_queries_beyond_the_sites_limit_get_429_while_cached_answers_and_other_sites_go_on()
    {
        var site = await fixture.CreateAsync();
        var other = await fixture.CreateAsync();
        var calls = new DynamoCallCounter();
        await using var api = fixture.WithCountedDynamo(calls, ("LiveInsight:Read:UncachedStatsQueriesPerSitePerMinute", "3"));
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", site.SecretKey);
        using var otherClient = api.CreateClient();
        otherClient.DefaultRequestHeaders.Authorization = new("Bearer", other.SecretKey);
        await CountedApi.WaitForFreshMinuteAsync();

        var statuses = new List<HttpStatusCode>();
        var callsAtLimit = 0;
        HttpResponseMessage last = null!;
        for (var i = 0; i < 6; i++)
        {
            last = await client.GetAsync($"/api/stats/summary?site_id={site.SiteId}&range=7d&page=/guess-{i}");
            statuses.Add(last.StatusCode);
            callsAtLimit = i == 2 ? calls.Count : callsAtLimit;
        }

        var callsAfter = calls.Count;
        var cached = await client.GetAsync($"/api/stats/summary?site_id={site.SiteId}&range=7d&page=/guess-0&format=csv");
        var otherSite = await otherClient.GetAsync($"/api/stats/summary?site_id={other.SiteId}&range=7d&page=/guess-5");

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.OK, 3), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)], statuses);
        await StatsApiTests.AssertProblemAsync(last, HttpStatusCode.TooManyRequests, "uncached stats queries a minute");
        Assert.NotNull(last.Headers.RetryAfter);
        Assert.Equal(callsAtLimit, callsAfter);
        Assert.Equal(HttpStatusCode.OK, cached.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherSite.StatusCode);
    }
}
