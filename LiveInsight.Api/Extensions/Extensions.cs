using System.Text.Json;
using LiveInsight.Api.Ingestion;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Storage;

namespace LiveInsight.Api.Extensions;

internal static class Extensions
{
    public const string RedisConnectionName = "redis";

    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiOptions>()
            .BindConfiguration(ApiOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails();
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
        });

        // Never abort on a failed first connect, and fail fast while disconnected instead of queueing: the Api must
        // come up and answer 503 at once while Redis is away, then recover on its own.
        builder.AddRedisClient(RedisConnectionName, configureOptions: o =>
        {
            o.AbortOnConnectFail = false;
            o.BacklogPolicy = StackExchange.Redis.BacklogPolicy.FailFast;
        });
        builder.AddLiveInsightStorage();
        builder.Services.AddSingleton<SiteRepository>();
        builder.AddIngestion();
    }
}
