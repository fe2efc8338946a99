using System.Text.Json;
using LiveInsight.Api.Ingestion;
using LiveInsight.Core.Redis;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Storage;

namespace LiveInsight.Api.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiOptions>()
            .BindConfiguration(ApiOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemDefaults.FillDetail);
        builder.Services.AddExceptionHandler<BadRequestExceptionHandler>();
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.DictionaryKeyPolicy = null;
        });

        // Replies are read on the .NET thread pool instead of the client's own 10 dedicated threads: on the ingestion
        // hot path every reply then completes where the waiting requests continue anyway, without a hand-off between
        // two schedulers (the dedicated pool's queue lock and wake-ups were ~18 % of the Api's CPU samples, issue 22).
        builder.AddLiveInsightRedis(o => o.SocketManager = StackExchange.Redis.SocketManager.ThreadPool);
        builder.AddLiveInsightStorage();
        builder.Services.AddSingleton<SiteRepository>();
        builder.Services.AddSingleton<Sites.SiteSummaries>();
        builder.Services.AddSingleton<Sites.AdminAudit>();
        builder.AddIngestion();
        builder.AddReadApis();
        builder.AddAlertsAndReports();
    }
}
