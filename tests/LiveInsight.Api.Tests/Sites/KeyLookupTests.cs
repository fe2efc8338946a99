using System.Net;
using System.Net.Http.Headers;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Stats;
using LiveInsight.Core.Sites;
using LiveInsight.Testing;
using static LiveInsight.Api.Tests.Ingestion.EventPosting;

namespace LiveInsight.Api.Tests.Sites;

/// <summary>
/// Keys and site ids that belong to no site must not each cost a DynamoDB read: malformed ones are refused before any
/// lookup, unknown ones are cached as null, and lookups that miss the cache stop at the per-network limit (429).
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class KeyLookupTests(ApiFixture fixture)
{
    private const string LookupLimitSetting = "LiveInsight:Ingestion:UnauthenticatedPerIpPerMinute";
    private static readonly string HugeKey = "pk_" + new string('a', 3000);

    public static TheoryData<string, string> MalformedPublicKeys => new()
    {
        { "too short", "pk_guess1" },
        { "3 KB", HugeKey },
        { "not url-safe", "pk_" + new string('a', 23) + "/" },
        { "a secret key", SiteKeys.NewSecretKey() },
    };

    [Theory]
    [MemberData(nameof(MalformedPublicKeys))]
    public async Task A_malformed_public_key_gets_401_without_a_dynamodb_call(string _, string key)
    {
        var calls = new DynamoCallCounter();
        await using var api = fixture.WithCountedDynamo(calls);
        using var client = api.CreateClient();
        var before = calls.Count; // the started Api has checked its tables

        var inBody = await client.SendAsync(Request(Batch(key, PageView()), ip: CountedApi.FreshNetworkAddress()));
        var inHeader = await client.SendAsync(Request(Batch(null, PageView()), ip: CountedApi.FreshNetworkAddress(), headers: ("X-LiveInsight-Key", key)));

        await StatsApiTests.AssertProblemAsync(inBody, HttpStatusCode.Unauthorized, "not one");
        await StatsApiTests.AssertProblemAsync(inHeader, HttpStatusCode.Unauthorized, "not one");
        Assert.Equal(before, calls.Count);
    }

    [Fact]
    public async Task An_unknown_public_key_is_looked_up_once_and_then_answered_from_the_cache()
    {
        var calls = new DynamoCallCounter();
        await using var api = fixture.WithCountedDynamo(calls);
        using var client = api.CreateClient();
        var key = SiteKeys.NewPublicKey();
        var ip = CountedApi.FreshNetworkAddress();

        var first = await client.SendAsync(Request(Batch(key, PageView()), ip: ip));
        var afterFirst = calls.Count;
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(Request(Batch(key, PageView()), ip: ip))).StatusCode);
        }

        await StatsApiTests.AssertProblemAsync(first, HttpStatusCode.Unauthorized, "does not belong");
        Assert.True(afterFirst > 0, "the first request must have looked the key up");
        Assert.Equal(afterFirst, calls.Count);
    }

    [Fact]
    public async Task Random_public_keys_from_one_network_stop_reaching_dynamodb_at_the_limit_while_known_keys_go_on()
    {
        var site = await fixture.CreateAsync();
        var calls = new DynamoCallCounter();
        await using var api = fixture.WithCountedDynamo(calls, (LookupLimitSetting, "5"));
        using var client = api.CreateClient();
        var ip = CountedApi.FreshNetworkAddress();
        await CountedApi.WaitForFreshMinuteAsync();
        Assert.Equal(HttpStatusCode.Accepted, (await client.SendAsync(Request(Batch(site.PublicKey, PageView()), ip: CountedApi.FreshNetworkAddress()))).StatusCode);

        var statuses = new List<HttpStatusCode>();
        var callsAtLimit = 0;
        HttpResponseMessage last = null!;
        for (var i = 0; i < 8; i++)
        {
            last = await client.SendAsync(Request(Batch(SiteKeys.NewPublicKey(), PageView()), ip: ip));
            statuses.Add(last.StatusCode);
            callsAtLimit = i == 4 ? calls.Count : callsAtLimit;
        }

        var callsAfter = calls.Count;
        var known = await client.SendAsync(Request(Batch(site.PublicKey, PageView()), ip: ip));
        var otherNetwork = await client.SendAsync(Request(Batch(SiteKeys.NewPublicKey(), PageView()), ip: CountedApi.FreshNetworkAddress()));

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)], statuses);
        Assert.Equal(callsAtLimit, callsAfter);
        Assert.NotNull(last.Headers.RetryAfter);
        Assert.Equal(HttpStatusCode.Accepted, known.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, otherNetwork.StatusCode);
    }

    public static TheoryData<string, string, string, HttpStatusCode, string> MalformedReads => new()
    {
        { "short secret key", "sk_guess", "{site}", HttpStatusCode.Unauthorized, "malformed" },
        { "3 KB secret key", "sk_" + new string('a', 3000), "{site}", HttpStatusCode.Unauthorized, "malformed" },
        { "public key as bearer", "{pk}", "{site}", HttpStatusCode.Unauthorized, "malformed" },
        { "admin, 3 KB site id", ApiFixture.AdminToken, new string('a', 3000), HttpStatusCode.NotFound, "not a site id" },
        { "admin, id outside the alphabet", ApiFixture.AdminToken, "nosuchsite00", HttpStatusCode.NotFound, "not a site id" },
        { "site key, 3 KB site id", "{sk}", new string('a', 3000), HttpStatusCode.NotFound, "not a site id" },
    };

    [Theory]
    [MemberData(nameof(MalformedReads))]
    public async Task A_malformed_secret_key_or_site_id_gets_4xx_without_a_dynamodb_call(
        string _, string bearer, string siteId, HttpStatusCode status, string detail)
    {
        var site = await fixture.CreateAsync();
        var calls = new DynamoCallCounter();
        await using var api = fixture.WithCountedDynamo(calls);
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Add(TestClientIpStartupFilter.Header, CountedApi.FreshNetworkAddress());
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", site.SecretKey);
        await client.GetJsonAsync($"/api/realtime/users?site_id={site.SiteId}"); // the real key is now cached
        var before = calls.Count;

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
            "Bearer", bearer.Replace("{pk}", site.PublicKey, StringComparison.Ordinal).Replace("{sk}", site.SecretKey, StringComparison.Ordinal));
        siteId = siteId.Replace("{site}", site.SiteId, StringComparison.Ordinal);
        foreach (var url in new[] { "/api/stats/summary", "/api/realtime/users" })
        {
            await StatsApiTests.AssertProblemAsync(await client.GetAsync($"{url}?site_id={siteId}"), status, detail);
        }

        Assert.Equal(before, calls.Count);
    }

    [Fact]
    public async Task Unknown_secret_keys_and_site_ids_are_looked_up_once_and_then_answered_from_the_cache()
    {
        var site = await fixture.CreateAsync();
        var calls = new DynamoCallCounter();
        await using var api = fixture.WithCountedDynamo(calls);
        using var guesser = api.CreateClient();
        guesser.DefaultRequestHeaders.Add(TestClientIpStartupFilter.Header, CountedApi.FreshNetworkAddress());
        guesser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", SiteKeys.NewSecretKey());
        using var admin = api.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiFixture.AdminToken);
        var unknownId = SiteKeys.NewSiteId();

        await StatsApiTests.AssertProblemAsync(await guesser.GetAsync($"/api/realtime/users?site_id={site.SiteId}"), HttpStatusCode.Unauthorized, "not a valid");
        await StatsApiTests.AssertProblemAsync(await admin.GetAsync($"/api/realtime/users?site_id={unknownId}"), HttpStatusCode.NotFound, "no site");
        var afterFirst = calls.Count;
        for (var i = 0; i < 5; i++)
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await guesser.GetAsync($"/api/realtime/users?site_id={site.SiteId}")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"/api/realtime/users?site_id={unknownId}")).StatusCode);
        }

        Assert.True(afterFirst > 0, "the first requests must have looked the key and the id up");
        Assert.Equal(afterFirst, calls.Count);
    }

    [Fact]
    public async Task Random_secret_keys_from_one_network_stop_reaching_dynamodb_at_the_limit_while_the_real_key_goes_on()
    {
        var site = await fixture.CreateAsync();
        var calls = new DynamoCallCounter();
        await using var api = fixture.WithCountedDynamo(calls, (LookupLimitSetting, "5"));
        using var client = api.CreateClient();
        var ip = CountedApi.FreshNetworkAddress();
        await CountedApi.WaitForFreshMinuteAsync();
        var url = $"/api/stats/summary?site_id={site.SiteId}&range=today";
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(Read(url, site.SecretKey, CountedApi.FreshNetworkAddress()))).StatusCode);

        var statuses = new List<HttpStatusCode>();
        var callsAtLimit = 0;
        HttpResponseMessage last = null!;
        for (var i = 0; i < 8; i++)
        {
            last = await client.SendAsync(Read(url, SiteKeys.NewSecretKey(), ip));
            statuses.Add(last.StatusCode);
            callsAtLimit = i == 4 ? calls.Count : callsAtLimit;
        }

        var callsAfter = calls.Count;
        var real = await client.SendAsync(Read(url, site.SecretKey, ip));

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.Unauthorized, 5), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)], statuses);
        Assert.Equal(callsAtLimit, callsAfter);
        Assert.NotNull(last.Headers.RetryAfter);
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, real.StatusCode);
    }

    [Theory]
    [InlineData("PATCH", "")]
    [InlineData("POST", "/rotate-keys")]
    [InlineData("DELETE", "/retired-keys")]
    public async Task A_malformed_site_id_in_an_admin_route_gets_404_without_a_dynamodb_call(string method, string suffix)
    {
        var calls = new DynamoCallCounter();
        await using var api = fixture.WithCountedDynamo(calls);
        using var admin = api.CreateClient();
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiFixture.AdminToken);
        var before = calls.Count;

        foreach (var siteId in new[] { new string('a', 3000), "nosuchsite00" })
        {
            using var request = new HttpRequestMessage(new HttpMethod(method), $"/api/sites/{siteId}{suffix}")
            {
                Content = method == "PATCH" ? System.Net.Http.Json.JsonContent.Create(new { name = "Renamed" }) : null,
            };
            await StatsApiTests.AssertProblemAsync(await admin.SendAsync(request), HttpStatusCode.NotFound, "not a site id");
        }

        Assert.Equal(before, calls.Count);
    }

    private static HttpRequestMessage Read(string url, string bearer, string ip)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        request.Headers.Add(TestClientIpStartupFilter.Header, ip);
        return request;
    }
}
