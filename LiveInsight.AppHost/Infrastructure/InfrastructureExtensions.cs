using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace LiveInsight.AppHost.Infrastructure;

/// <summary>The two stores every service references, whichever way they run.</summary>
public sealed record LiveInsightInfrastructure(
    IResourceBuilder<IResourceWithConnectionString> Redis,
    IResourceBuilder<IResourceWithConnectionString> DynamoDb);

/// <summary>
/// <c>LiveInsight:Infra</c> = <c>auto</c> | <c>containers</c> | <c>executables</c>. Containers use <c>AddRedis</c> and the
/// <c>amazon/dynamodb-local</c> image; executables run <c>redis-server</c> and dynalite (node) from this repository.
/// Both hand the projects the same connection strings (<c>redis</c>: host:port, <c>dynamodb</c>: an http URL), so no
/// project knows which branch runs. Publishing (the manifest) always describes containers.
/// </summary>
public static class InfrastructureExtensions
{
    public const string InfraSetting = "LiveInsight:Infra";
    public const string DataDirSetting = "LiveInsight:DataDir";

    public static LiveInsightInfrastructure AddLiveInsightInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var mode = (builder.Configuration[InfraSetting] ?? "auto").Trim().ToLowerInvariant();
        var useContainers = builder.ExecutionContext.IsPublishMode || mode switch
        {
            "containers" => true,
            "executables" => false,
            "auto" => ContainerRuntimeAnswers(),
            _ => throw new InvalidOperationException($"{InfraSetting} must be auto, containers or executables, not '{mode}'."),
        };

        return useContainers ? builder.AddContainerInfrastructure() : builder.AddExecutableInfrastructure();
    }

    public static IResourceBuilder<ProjectResource> WithInfrastructure(
        this IResourceBuilder<ProjectResource> project, LiveInsightInfrastructure infrastructure) =>
        project
            .WithReference(infrastructure.Redis).WaitFor(infrastructure.Redis)
            .WithReference(infrastructure.DynamoDb).WaitFor(infrastructure.DynamoDb);

    private static LiveInsightInfrastructure AddContainerInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var redis = builder.AddRedis("redis").WithDataVolume().WithPersistence();
        var dynamo = builder.AddResource(new DynamoDbLocalResource("dynamodb"))
            .WithImage(DynamoDbLocalResource.Image, DynamoDbLocalResource.Tag)
            .WithHttpEndpoint(targetPort: DynamoDbLocalResource.ContainerPort, name: DynamoDbLocalResource.EndpointName)
            .WithVolume("liveinsight-dynamodb", "/home/dynamodblocal/data")
            .WithArgs("-jar", "DynamoDBLocal.jar", "-sharedDb", "-dbPath", "/home/dynamodblocal/data");
        return new(AsConnectionStringResource(builder, redis.Resource), AsConnectionStringResource(builder, dynamo.Resource));
    }

    private static LiveInsightInfrastructure AddExecutableInfrastructure(this IDistributedApplicationBuilder builder)
    {
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var dataDir = builder.Configuration[DataDirSetting] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, repositoryRoot)
            : Path.Combine(repositoryRoot, ".data");
        var redis = builder.AddRedisServer("redis", dataDir);
        var dynamo = builder.AddDynalite("dynamodb", repositoryRoot, dataDir);
        return new(AsConnectionStringResource(builder, redis.Resource), AsConnectionStringResource(builder, dynamo.Resource));
    }

    private static IResourceBuilder<IResourceWithConnectionString> AsConnectionStringResource(
        IDistributedApplicationBuilder builder, IResourceWithConnectionString resource) =>
        builder.CreateResourceBuilder(resource);

    private static bool ContainerRuntimeAnswers()
    {
        foreach (var runtime in new[] { "docker", "podman" })
        {
            try
            {
                using var process = Process.Start(new ProcessStartInfo(runtime, "info")
                {
                    RedirectStandardOutput = true,
                    RedirectStandardError = true,
                });
                if (process is null)
                {
                    continue;
                }

                if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
                {
                    process.Kill(entireProcessTree: true);
                    continue;
                }

                if (process.ExitCode == 0)
                {
                    return true;
                }
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed.
            }
        }

        return false;
    }
}
