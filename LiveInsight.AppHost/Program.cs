using LiveInsight.AppHost.Infrastructure;

var builder = DistributedApplication.CreateBuilder(args);

// Infrastructure: Redis (hot path) and DynamoDB (store), as containers or local executables.
var infrastructure = builder.AddLiveInsightInfrastructure();
var adminToken = builder.AddParameter("admin-token", secret: true);

var api = builder.AddProject<Projects.LiveInsight_Api>("api")
    .WithInfrastructure(infrastructure)
    .WithEnvironment("LiveInsight__AdminToken", adminToken)
    .WithLakeFolder()
    .WithHttpHealthCheck("/health");
api.WithDemoCommand(adminToken);

builder.AddProject<Projects.LiveInsight_Aggregator>("aggregator")
    .WithInfrastructure(infrastructure)
    .WithLakeFolder()
    .WithHttpHealthCheck("/health");

builder.AddProject<Projects.LiveInsight_Dashboard>("dashboard")
    .WithReference(api)
    .WaitFor(api)
    .WithReference(infrastructure.DynamoDb)
    .WaitFor(infrastructure.DynamoDb)
    .WithEnvironment("LiveInsight__AdminToken", adminToken)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
