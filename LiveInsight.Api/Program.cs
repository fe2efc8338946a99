using LiveInsight.Api.Apis;
using LiveInsight.Api.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
app.UseStatusCodePages();

app.MapDefaultEndpoints();
app.MapIngestApi();
app.MapTrackerApi();
app.MapSitesApi();
app.MapRealtimeApi();
app.MapStatsApi();
app.MapApiReference();
app.MapBenchApi(app.Configuration);

app.Run();

/// <summary>Marker for WebApplicationFactory in the functional tests.</summary>
public partial class Program;
