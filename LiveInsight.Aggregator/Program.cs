using LiveInsight.Core.Redis;
using LiveInsight.Core.Storage;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.Services.AddSingleton(TimeProvider.System);
builder.AddLiveInsightRedis();
builder.AddLiveInsightStorage();

var app = builder.Build();

app.MapDefaultEndpoints();

app.Run();
