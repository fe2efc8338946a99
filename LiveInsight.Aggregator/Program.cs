using LiveInsight.Aggregator.Extensions;

// ECS container health check (the aggregator has no load balancer route): see HealthProbe.
if (HealthProbe.IsRequested(args))
{
    return HealthProbe.Run();
}

// Re-sharding (DEPLOY.md, "Scaling out"): --reshard <from> <to>, with the services stopped, e.g. as an ECS run-task.
if (args is [LiveInsight.Core.Redis.Resharding.Argument, var from, var to])
{
    return await LiveInsight.Aggregator.Extensions.ReshardCommand.RunAsync(args, int.Parse(from), int.Parse(to));
}

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAggregator();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
return 0;

/// <summary>Marker for tests.</summary>
public partial class Program;
