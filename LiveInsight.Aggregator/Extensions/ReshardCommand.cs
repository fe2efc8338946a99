using LiveInsight.Core.Redis;
using StackExchange.Redis;

namespace LiveInsight.Aggregator.Extensions;

/// <summary><c>LiveInsight.Aggregator --reshard &lt;from&gt; &lt;to&gt;</c>: moves every site's keys between shard
/// layouts (<see cref="Resharding"/>) on the Redis of the aggregator's own configuration, then exits.</summary>
public static class ReshardCommand
{
    public static async Task<int> RunAsync(string[] args, int from, int to)
    {
        var builder = Host.CreateApplicationBuilder(args[3..]);
        var connection = builder.Configuration.GetConnectionString(RedisExtensions.ConnectionName)
            ?? throw new InvalidOperationException("ConnectionStrings:redis is not set.");
        var options = ConfigurationOptions.Parse(connection);
        options.Password ??= builder.Configuration["Aspire:StackExchange:Redis:ConfigurationOptions:Password"];
        await using var redis = await ConnectionMultiplexer.ConnectAsync(options);
        try
        {
            var result = await Resharding.MoveAsync(redis, from, to);
            Console.WriteLine($"resharded {from} → {to}: {result.KeysMoved} keys moved, {result.KeysKept} kept, {result.OpenSessionsMoved} open sessions");
            return 0;
        }
        catch (InvalidOperationException e)
        {
            Console.Error.WriteLine($"reshard refused: {e.Message}");
            return 1;
        }
    }
}
