using Amazon.DynamoDBv2;
using LiveInsight.Testing;
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

    public IAmazonDynamoDB Dynamo => Factory.Services.GetRequiredService<IAmazonDynamoDB>();

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
            .UseSetting("LiveInsight:Storage:TablePrefix", TablePrefix));
        _ = Factory.Server; // start now: the schema bootstrap runs before the first request
    }

    public async Task DisposeAsync()
    {
        await Factory.DisposeAsync();
        await Infrastructure.DisposeAsync();
    }
}
