using System.Data.Common;
using Amazon;
using Amazon.DynamoDBv2;
using Amazon.Runtime;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LiveInsight.Core.Storage;

public static class DynamoDbExtensions
{
    public const string ConnectionName = "dynamodb";

    /// <summary>
    /// Registers the DynamoDB client, the schema bootstrap (run before the host takes traffic) and its health check.
    /// With <c>ConnectionStrings:dynamodb</c> (the AppHost sets it: dynalite or DynamoDB Local) the client talks to
    /// that endpoint with dummy credentials; without it, it uses the default AWS credential chain and region
    /// (the ECS task role), so no emulator setting can leak into production.
    /// </summary>
    public static IHostApplicationBuilder AddLiveInsightStorage(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>()
            .BindConfiguration(StorageOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<IAmazonDynamoDB>(_ => CreateClient(builder.Configuration.GetConnectionString(ConnectionName)));
        builder.Services.AddSingleton<SchemaState>();
        builder.Services.AddSingleton<SchemaBootstrapper>();
        builder.Services.AddSingleton<Audit.AuditLog>();
        builder.Services.AddHostedService<SchemaBootstrapService>();
        builder.Services.AddHealthChecks().AddCheck<DynamoDbHealthCheck>(ConnectionName);
        return builder;
    }

    /// <summary>Accepts a bare URL (<c>http://127.0.0.1:8000</c>) or <c>Endpoint=…;Region=…</c>.</summary>
    public static IAmazonDynamoDB CreateClient(string? connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return new AmazonDynamoDBClient();
        }

        var (endpoint, region) = ParseConnectionString(connectionString);
        var config = new AmazonDynamoDBConfig
        {
            ServiceURL = endpoint,
            AuthenticationRegion = region,
            // Local emulators answer in milliseconds; fail fast so health checks and retries stay responsive.
            Timeout = TimeSpan.FromSeconds(10),
            MaxErrorRetry = 2,
        };
        return new AmazonDynamoDBClient(new BasicAWSCredentials("local", "local"), config);
    }

    public static (string Endpoint, string Region) ParseConnectionString(string connectionString)
    {
        if (Uri.TryCreate(connectionString, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
        {
            return (uri.ToString().TrimEnd('/'), RegionEndpoint.USEast1.SystemName);
        }

        var parts = new DbConnectionStringBuilder { ConnectionString = connectionString };
        if (!parts.TryGetValue("Endpoint", out var endpoint) || endpoint is not string endpointText)
        {
            throw new FormatException("The dynamodb connection string needs an Endpoint (e.g. Endpoint=http://localhost:8000)");
        }

        var region = parts.TryGetValue("Region", out var r) && r is string regionText ? regionText : RegionEndpoint.USEast1.SystemName;
        return (endpointText.TrimEnd('/'), region);
    }
}
