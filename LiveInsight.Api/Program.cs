using LiveInsight.Api.Apis;
using LiveInsight.Api.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseExceptionHandler();
if (!app.Environment.IsDevelopment())
{
    // TLS ends at the load balancer in production; browsers must never fall back to plain http for the Api.
    app.UseHsts();
}

app.Use((context, next) =>
{
    context.Response.Headers.XContentTypeOptions = "nosniff";
    return next(context);
});
app.UseStatusCodePages();

app.MapDefaultEndpoints();
app.MapIngestApi();
app.MapCompatApi();
app.MapTrackerApi();
app.MapSitesApi();
app.MapLifecycleApi();
app.MapImportsApi();
app.MapDemoApi();
app.MapGoalsApi();
app.MapFunnelsApi();
app.MapInstallationApi();
app.MapRealtimeApi();
app.MapStatsApi();
app.MapQueryApi();
app.MapCohortsApi();
app.MapAlertsApi();
app.MapUnsubscribeApi();
app.MapApiReference();
app.MapBenchApi(app.Configuration);

app.Run();

/// <summary>Marker for WebApplicationFactory in the functional tests.</summary>
public partial class Program;
