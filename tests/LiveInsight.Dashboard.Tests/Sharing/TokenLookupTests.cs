using System.Net;
using Amazon.DynamoDBv2;
using LiveInsight.Core.Sites;
using LiveInsight.Dashboard.Tests.Infrastructure;
using LiveInsight.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Dashboard.Tests.Sharing;

/// <summary>
/// <c>/share/&lt;token&gt;</c> and <c>/invite/&lt;token&gt;</c> are public: a malformed token costs no read, and well-formed
/// guesses from one network stop reaching DynamoDB at the limit (429), while other networks go on.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class TokenLookupTests(DashboardFixture fixture)
{
    private const string ClientIpHeader = "X-Test-Client-Ip";

    public static TheoryData<string> MalformedTokenUrls => new()
    {
        "/share/short",
        "/share/" + new string('a', 3000),
        "/share/" + new string('a', 42) + "!",
        "/invite/short",
        "/invite/" + new string('a', 3000),
        "/invite/" + new string('a', 42) + "!",
    };

    [Theory]
    [MemberData(nameof(MalformedTokenUrls))]
    public async Task A_malformed_share_or_invite_token_gets_404_without_a_dynamodb_call(string url)
    {
        var calls = new DynamoCallCounter();
        await using var dashboard = CountedDashboard(calls, lookupsPerMinute: 5);
        using var client = dashboard.CreateClient();
        var before = calls.Count;

        var response = await client.SendAsync(Get(url, FreshNetworkAddress()));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal(before, calls.Count);
    }

    [Theory]
    [InlineData("/share/")]
    [InlineData("/invite/")]
    public async Task Random_tokens_from_one_network_stop_reaching_dynamodb_at_the_limit(string prefix)
    {
        var calls = new DynamoCallCounter();
        await using var dashboard = CountedDashboard(calls, lookupsPerMinute: 5);
        using var client = dashboard.CreateClient();
        var ip = FreshNetworkAddress();

        var statuses = new List<HttpStatusCode>();
        var callsAtLimit = 0;
        HttpResponseMessage last = null!;
        for (var i = 0; i < 8; i++)
        {
            last = await client.SendAsync(Get(prefix + BearerTokens.New(), ip));
            statuses.Add(last.StatusCode);
            callsAtLimit = i == 4 ? calls.Count : callsAtLimit;
        }

        var callsAfter = calls.Count;
        var otherNetwork = await client.SendAsync(Get(prefix + BearerTokens.New(), FreshNetworkAddress()));

        Assert.Equal([.. Enumerable.Repeat(HttpStatusCode.NotFound, 5), .. Enumerable.Repeat(HttpStatusCode.TooManyRequests, 3)], statuses);
        Assert.True(callsAtLimit > 0, "the first guesses must have been looked up");
        Assert.Equal(callsAtLimit, callsAfter);
        Assert.NotNull(last.Headers.RetryAfter);
        Assert.Equal("application/problem+json", last.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, otherNetwork.StatusCode);
    }

    /// <summary>A second Dashboard on the fixture's stores (in memory, so each request can name its client address),
    /// its DynamoDB calls counted.</summary>
    private WebApplicationFactory<LiveInsight.Dashboard.Users.UserService> CountedDashboard(DynamoCallCounter calls, int lookupsPerMinute) =>
        new WebApplicationFactory<LiveInsight.Dashboard.Users.UserService>().WithWebHostBuilder(web => web
            .UseEnvironment("Testing")
            .UseSetting("ConnectionStrings:dynamodb", fixture.Infrastructure.DynamoConnectionString)
            .UseSetting("LiveInsight:AdminToken", DashboardFixture.AdminToken)
            .UseSetting("LiveInsight:Storage:TablePrefix", fixture.TablePrefix)
            .UseSetting("services:api:http:0", fixture.ApiUrl)
            .UseSetting("LiveInsight:Dashboard:TokenLookups:PerAddressPerMinute", lookupsPerMinute.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .ConfigureTestServices(services =>
            {
                services.AddSingleton<IStartupFilter, ClientIpFromHeader>();
                var real = fixture.DashboardServices.GetRequiredService<IAmazonDynamoDB>();
                services.AddSingleton(_ => DynamoCallCounter.Wrap(real, calls));
            }));

    private static HttpRequestMessage Get(string url, string ip)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Add(ClientIpHeader, ip);
        return request;
    }

    private static string FreshNetworkAddress() =>
        $"10.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}";

    private sealed class ClientIpFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (context.Request.Headers.TryGetValue(ClientIpHeader, out var ip))
                {
                    context.Connection.RemoteIpAddress = IPAddress.Parse(ip.ToString());
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }
}
