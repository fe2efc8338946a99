using LiveInsight.Api.Tests.Stats;
using LiveInsight.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Api.Tests.Infrastructure;

/// <summary>
/// A second Api on the fixture's stores whose DynamoDB calls are counted, with its own in-memory cache (the Redis level
/// is shared), optionally with other settings. Tests of "no lookup" read <see cref="DynamoCallCounter.Count"/>.
/// </summary>
public static class CountedApi
{
    public static WebApplicationFactory<Program> WithCountedDynamo(
        this ApiFixture fixture, DynamoCallCounter calls, params (string Key, string Value)[] settings) =>
        fixture.Factory.WithWebHostBuilder(web =>
        {
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }

            web.ConfigureTestServices(services =>
            {
                var real = fixture.Dynamo;
                services.AddSingleton(_ => DynamoCallCounter.Wrap(real, calls));
            });
        });

    /// <summary>An address in a /24 no other test uses, so per-network limits start at zero.</summary>
    public static string FreshNetworkAddress() =>
        $"10.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}.{Random.Shared.Next(1, 255)}";

    /// <summary>The limits are per UTC minute: start early in one, so a test never straddles two.</summary>
    public static async Task WaitForFreshMinuteAsync(int secondsNeeded = 15)
    {
        var now = DateTimeOffset.UtcNow;
        if (now.Second >= 60 - secondsNeeded)
        {
            await Task.Delay(TimeSpan.FromSeconds(60 - now.Second) + TimeSpan.FromMilliseconds(200));
        }
    }
}
