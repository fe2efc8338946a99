using LiveInsight.Api.Ingestion;

namespace LiveInsight.Api.Apis;

/// <summary>
/// The benchmark's ceiling: the same Kestrel, the same body reading and JSON parsing as <c>POST /api/events</c>, and
/// nothing else (no site lookup, no pipeline, no Redis). Only mapped when <c>LiveInsight:Bench:ParseOnlyEndpoint</c>
/// is true, which only <c>./liveinsight bench</c> sets.
/// </summary>
public static class BenchApi
{
    public const string EnabledSetting = "LiveInsight:Bench:ParseOnlyEndpoint";

    public static IEndpointRouteBuilder MapBenchApi(this IEndpointRouteBuilder app, IConfiguration configuration)
    {
        if (configuration.GetValue<bool>(EnabledSetting))
        {
            app.MapPost("/bench/parse", ParseOnly).ExcludeFromDescription().DisableAntiforgery();
        }

        return app;
    }

    public static async Task<IResult> ParseOnly(HttpRequest request, CancellationToken cancellationToken)
    {
        var (batch, error) = await EventBatchReader.ReadAsync(request, cancellationToken);
        return error is not null
            ? TypedResults.Problem(statusCode: error.Status, title: error.Title, detail: error.Detail)
            : TypedResults.Json(new IngestResult(batch!.Events!.Count, 0), statusCode: StatusCodes.Status202Accepted);
    }
}
