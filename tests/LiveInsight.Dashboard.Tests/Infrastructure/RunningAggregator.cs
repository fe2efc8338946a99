using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using StackExchange.Redis;

namespace LiveInsight.Dashboard.Tests.Infrastructure;

/// <summary>
/// The real aggregator (its own Program, background worker included) on the fixture's redis-server and tables, for
/// tests that follow an event from ingestion to a number on the dashboard. Started by the first test that needs it.
/// </summary>
public sealed class RunningAggregator : IAsyncDisposable
{
    private readonly WebApplicationFactory<LiveInsight.Aggregator.Consumer.BatchProcessor> _factory;

    private RunningAggregator(WebApplicationFactory<LiveInsight.Aggregator.Consumer.BatchProcessor> factory) => _factory = factory;

    public static RunningAggregator Start(DashboardFixture fixture)
    {
        var factory = new WebApplicationFactory<LiveInsight.Aggregator.Consumer.BatchProcessor>().WithWebHostBuilder(web => web
            .UseEnvironment("Testing")
            .UseSetting("ConnectionStrings:redis", fixture.Infrastructure.RedisConnectionString)
            .UseSetting("ConnectionStrings:dynamodb", fixture.Infrastructure.DynamoConnectionString)
            .UseSetting("LiveInsight:Storage:TablePrefix", fixture.TablePrefix)
            .UseSetting("LiveInsight:Aggregator:ConsumerName", "dashboard-tests")
            .UseSetting("LiveInsight:Aggregator:PollIntervalMs", "50")
            .UseSetting("Lake:Path", fixture.LakePath) // the lake the fixture's Api queries
            .UseSetting("Lake:FlushIntervalSeconds", "1"));
        factory.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        factory.StartServer();
        return new RunningAggregator(factory);
    }

    /// <summary>Waits until the aggregator has read and acknowledged every entry of the event stream.</summary>
    public static async Task DrainedAsync(IConnectionMultiplexer redis, TimeSpan timeout)
    {
        var db = redis.GetDatabase();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            var groups = await db.StreamGroupInfoAsync(LiveInsight.Core.Events.RedisKeys.EventsStream);
            var group = groups.FirstOrDefault(g => g.Name == LiveInsight.Aggregator.Extensions.AggregatorOptions.GroupName);
            if (group.Name is not null && group.PendingMessageCount == 0 && group.Lag == 0)
            {
                return;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the aggregator did not drain the event stream in time");
    }

    public async ValueTask DisposeAsync()
    {
        await _factory.DisposeAsync();
    }
}
