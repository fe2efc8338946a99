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

var aggregator = builder.AddProject<Projects.LiveInsight_Aggregator>("aggregator")
    .WithInfrastructure(infrastructure)
    .WithLakeFolder()
    .WithHttpHealthCheck("/health");

var dashboard = builder.AddProject<Projects.LiveInsight_Dashboard>("dashboard")
    .WithReference(api)
    .WaitFor(api)
    .WithReference(infrastructure.DynamoDb)
    .WaitFor(infrastructure.DynamoDb)
    .WithEnvironment("LiveInsight__AdminToken", adminToken)
    .WithHttpHealthCheck("/health");

// Alerts and reports: a local SMTP server with a web inbox (maildev; its URL shows in the Aspire dashboard). In AWS the
// SMTP server and the signing key are deploy parameters and secrets instead (LiveInsight.Deploy/Template/MailSettings.cs).
var mail = builder.AddLocalMail("mail");
var signingKey = mail is null ? null : builder.AddParameter("alerts-signing-key", new GenerateParameterDefault { MinLength = 48, Special = false }, secret: true);
foreach (var sender in new[] { api, aggregator })
{
    sender.WithLocalMail(mail, signingKey, api, dashboard);
}

// Account mail (password reset links) from the Dashboard, through the same SMTP server; links point at its own address.
if (mail is not null)
{
    dashboard.WithLocalMail(mail, signingKey, api, dashboard)
        .WithEnvironment("LiveInsight__Dashboard__PublicUrl", dashboard.GetEndpoint("http"));
}

builder.Build().Run();
