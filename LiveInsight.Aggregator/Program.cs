using LiveInsight.Core.Storage;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddSingleton(TimeProvider.System);
builder.AddRedisClient("redis", configureOptions: o => o.AbortOnConnectFail = false);
builder.AddLiveInsightStorage();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
