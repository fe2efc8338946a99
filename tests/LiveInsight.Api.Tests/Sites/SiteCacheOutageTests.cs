using System.Net;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Testing;
using Microsoft.Extensions.Caching.Hybrid;
using Microsoft.Extensions.DependencyInjection;
using static LiveInsight.Api.Tests.Ingestion.EventPosting;

namespace LiveInsight.Api.Tests.Sites;

/// <summary>Found by <c>./liveinsight chaos</c>: with DynamoDB away, a site whose one-minute cache entry expired was
/// refused (503) although it had been read a minute before. Ingestion now keeps taking its events as last read.</summary>
[Collection(nameof(ApiCollection))]
public sealed class SiteCacheOutageTests(ApiFixture fixture)
{
    [Fact]
    public async Task With_dynamodb_away_a_site_read_before_keeps_ingesting_after_its_cache_entry_expires_and_an_unseen_one_gets_503()
    {
        var known = await fixture.CreateAsync();
        var unseen = await fixture.CreateAsync();
        var calls = new DynamoCallCounter();
        await using var api = fixture.WithCountedDynamo(calls);
        using var client = api.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(Request(Batch(known.PublicKey, PageView())))).StatusCode);

        // The entry expires (both cache levels) while DynamoDB cannot be reached.
        await api.Services.GetRequiredService<HybridCache>().RemoveAsync($"site:pk:{known.PublicKey}");
        calls.Failing = true;
        try
        {
            var lookupsBefore = calls.CountOf("QueryAsync") + calls.CountOf("GetItemAsync");
            Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(Request(Batch(known.PublicKey, PageView())))).StatusCode);
            Assert.True(calls.CountOf("QueryAsync") + calls.CountOf("GetItemAsync") > lookupsBefore, "the expired entry was not looked up again");

            var refused = await client.SendAsync(Request(Batch(unseen.PublicKey, PageView())));
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.NotNull(refused.Headers.RetryAfter);
        }
        finally
        {
            calls.Failing = false;
        }

        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(Request(Batch(unseen.PublicKey, PageView())))).StatusCode);
    }
}
