using LiveInsight.Aggregator.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddAggregator();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();

/// <summary>Marker for tests.</summary>
public partial class Program;
