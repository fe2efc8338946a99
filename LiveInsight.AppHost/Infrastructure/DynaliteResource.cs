namespace LiveInsight.AppHost.Infrastructure;

/// <summary>dynalite (a DynamoDB emulator on LevelDB) run by <c>node</c> from this repository's pinned node_modules.</summary>
public sealed class DynaliteResource(string name, string workingDirectory)
    : ExecutableResource(name, "node", workingDirectory), IResourceWithConnectionString
{
    public const string EndpointName = "http";

    public EndpointReference PrimaryEndpoint => field ??= new(this, EndpointName);

    public ReferenceExpression ConnectionStringExpression =>
        ReferenceExpression.Create($"{PrimaryEndpoint.Property(EndpointProperty.Url)}");
}

public static class DynaliteResourceExtensions
{
    public static IResourceBuilder<DynaliteResource> AddDynalite(
        this IDistributedApplicationBuilder builder, string name, string repositoryRoot, string dataDirectory)
    {
        var cli = Path.Combine(repositoryRoot, "node_modules", "dynalite", "cli.js");
        if (!File.Exists(cli))
        {
            throw new InvalidOperationException(
                $"dynalite is not installed ({cli} is missing): run 'npm ci' in {repositoryRoot}, or './liveinsight run' which does it.");
        }

        var dynamoDirectory = Path.Combine(dataDirectory, "dynamodb");
        Directory.CreateDirectory(dynamoDirectory);
        var resource = new DynaliteResource(name, repositoryRoot);
        return builder.AddResource(resource)
            .WithHttpEndpoint(name: DynaliteResource.EndpointName, isProxied: false)
            .WithArgs(context =>
            {
                context.Args.Add(cli);
                context.Args.Add("--host");
                context.Args.Add("127.0.0.1");
                context.Args.Add("--port");
                context.Args.Add(resource.PrimaryEndpoint.Property(EndpointProperty.TargetPort));
                context.Args.Add("--path");
                context.Args.Add(dynamoDirectory);
                foreach (var delay in new[] { "--createTableMs", "--deleteTableMs", "--updateTableMs" })
                {
                    context.Args.Add(delay);
                    context.Args.Add("0");
                }
            })
            .WithTcpHealthCheck(resource.PrimaryEndpoint);
    }
}
