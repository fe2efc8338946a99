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

        builder.AddLiveInsightRedis();
        builder.AddLiveInsightStorage();
        builder.Services.AddSingleton<SiteRepository>();
        builder.Services.AddSingleton<Sites.SiteSummaries>();
        builder.Services.AddSingleton<Sites.AdminAudit>();
        builder.AddIngestion();
        builder.AddReadApis();
        builder.AddAlertsAndReports();
    }
}
