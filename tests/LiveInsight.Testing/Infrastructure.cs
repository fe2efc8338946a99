namespace LiveInsight.Testing;

/// <summary>Factories for the two real stores the functional tests run against.</summary>
public static class Infrastructure
{
    /// <summary>In-memory redis-server (no RDB, no AOF): fast, and nothing left behind.</summary>
    public static ExternalProcess RedisServer() => new("redis-server", "redis-server", port =>
        ["--port", port.ToString(), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]);

    /// <summary>dynalite in memory, with table operations made instant.</summary>
    public static ExternalProcess Dynalite(int port = 0) => new("dynalite", "node", port =>
    [
        RepositoryPaths.DynaliteCli, "--host", "127.0.0.1", "--port", port.ToString(),
        "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0",
    ], port);
}

/// <summary>One redis-server and one dynalite for a whole test collection; tests isolate by site id or table prefix.</summary>
public sealed class InfrastructureFixture : Xunit.IAsyncLifetime
{
    public ExternalProcess Redis { get; } = Infrastructure.RedisServer();

    public ExternalProcess Dynamo { get; } = Infrastructure.Dynalite();

    public string RedisConnectionString => $"127.0.0.1:{Redis.Port}";

    public string DynamoConnectionString => $"http://127.0.0.1:{Dynamo.Port}";

    public async Task InitializeAsync() => await Task.WhenAll(Redis.StartAsync(), Dynamo.StartAsync());

    public async Task DisposeAsync()
    {
        await Redis.DisposeAsync();
        await Dynamo.DisposeAsync();
    }
}
