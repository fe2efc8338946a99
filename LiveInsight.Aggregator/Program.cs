using LiveInsight.Aggregator.Extensions;

// ECS container health check (the aggregator has no load balancer route): see HealthProbe.
if (HealthProbe.IsRequested(args))
{
    return HealthProbe.Run();
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
