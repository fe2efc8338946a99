using LiveInsight.Api.Auth;
using LiveInsight.Api.Ingestion;
using Microsoft.AspNetCore.Http.HttpResults;

namespace LiveInsight.Api.Apis;

/// <summary>
/// The installation check (issue 23): what the Api last received for a site and what it last refused or dropped, with
/// the reason, so someone setting up the tracker sees at once whether it works and, if not, why (<see cref="InstallationCheck"/>).
/// Read with the site's secret key or the admin token, like the site's other settings.
/// </summary>
public static class InstallationApi
{
    public static IEndpointRouteBuilder MapInstallationApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/api/sites/{siteId}/installation", GetInstallation)
            .WithTags("Sites")
            .AddEndpointFilter<RouteSiteAccessFilter>()
            .AddEndpointFilter<KnownQueryParameters>()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .WithName("GetInstallationCheck")
            .WithSummary("The site's last events received and last drops or refusals with their reasons (20 each, newest first, kept a day)");
        return app;
    }

    public static async Task<Ok<InstallationReport>> GetInstallation(string siteId, InstallationCheck check) =>
        TypedResults.Ok(await check.ReadAsync(siteId));
}
