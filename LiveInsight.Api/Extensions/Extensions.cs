using System.Text.Json;
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

        // Never abort on a failed first connect: the Api must come up (and answer 503s) while Redis is away.
        builder.AddRedisClient(RedisConnectionName, configureOptions: o => o.AbortOnConnectFail = false);
        builder.AddLiveInsightStorage();
        builder.Services.AddSingleton<SiteRepository>();
    }
}
