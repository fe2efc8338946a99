using Amazon.DynamoDBv2;
using LiveInsight.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Api.Tests.Infrastructure;

[CollectionDefinition(nameof(ApiCollection))]
public sealed class ApiCollection : ICollectionFixture<ApiFixture>;

/// <summary>
/// The real Api (in-process, through WebApplicationFactory) against a real redis-server and dynalite started for the
/// collection. Each fixture gets its own table prefix; tests isolate further by creating their own sites.
/// </summary>
public sealed class ApiFixture : IAsyncLifetime
{
    public const string AdminToken = "test-admin-token-0123456789";

    public InfrastructureFixture Infrastructure { get; } = new();

    public string TablePrefix { get; } = $"api{Guid.NewGuid():N}"[..11] + "-";

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    /// <summary>The event lake the Api reads (<c>Lake:Path</c>); tests write Parquet files into it (<c>Query/TestLake</c>).</summary>
    public string LakeRoot { get; } = Path.Combine(Path.GetTempPath(), $"li-lake-{Guid.NewGuid():N}");

    public IAmazonDynamoDB Dynamo => Factory.Services.GetRequiredService<IAmazonDynamoDB>();

    /// <summary>The Api's own Redis connection (the same server the tests inspect).</summary>
    public StackExchange.Redis.IConnectionMultiplexer Redis => Factory.Services.GetRequiredService<StackExchange.Redis.IConnectionMultiplexer>();

    public HttpClient CreateClient() => Factory.CreateClient();

    public HttpClient CreateAdminClient()
    {
        var client = Factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        return client;
    }

    public async Task InitializeAsync()
    {
        await Infrastructure.InitializeAsync();
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseEnvironment("Testing")
            .UseSetting("ConnectionStrings:redis", Infrastructure.RedisConnectionString)
            .UseSetting("ConnectionStrings:dynamodb", Infrastructure.DynamoConnectionString)
            .UseSetting("LiveInsight:AdminToken", AdminToken)
            .UseSetting("LiveInsight:Storage:TablePrefix", TablePrefix)
            .UseSetting("Lake:Path", LakeRoot)
            // Report tests drive the schedule on a fake clock; a real one would mail every Monday's due reports.
            .UseSetting("Alerts:Reports", "false")
            .UseSetting("Alerts:SigningKey", "api-tests-signing-key-0123456789abcdef")
            .ConfigureServices(services => services.AddSingleton<IStartupFilter, TestClientIpStartupFilter>()));
        _ = Factory.Server; // start now: the schema bootstrap runs before the first request
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Infrastructure.DisposeAsync();
        if (Directory.Exists(LakeRoot))
        {
            Directory.Delete(LakeRoot, recursive: true);
        }
    }
}

/// <summary>
/// TestServer has no network connection, so no client address. Tests choose one with <c>X-Test-Client-Ip</c>, which this
/// test-only filter turns into the connection's remote address before the Api sees the request.
/// </summary>
internal sealed class TestClientIpStartupFilter : IStartupFilter
{
    public const string Header = "X-Test-Client-Ip";

    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use((context, nextMiddleware) =>
        {
            if (context.Request.Headers.TryGetValue(Header, out var ip))
            {
                context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse(ip.ToString());
            }

            return nextMiddleware(context);
        });
        next(app);
    };
}
