using System.Net.Http.Headers;

namespace LiveInsight.AppHost.Infrastructure;

/// <summary>
/// "Load demo data" on the api resource in the Aspire dashboard (issue 23): the same as <c>./liveinsight demo</c>, a
/// <c>POST /api/demo</c> with the admin token, which creates the Demo site and fills it with 90 days of traffic.
/// </summary>
public static class DemoCommandExtensions
{
    public const string CommandName = "load-demo";

    public static IResourceBuilder<ProjectResource> WithDemoCommand(
        this IResourceBuilder<ProjectResource> api, IResourceBuilder<ParameterResource> adminToken) =>
        api.WithCommand(CommandName, "Load demo data", async context =>
        {
            try
            {
                var endpoint = api.GetEndpoint("http");
                using var http = new HttpClient { BaseAddress = new Uri(endpoint.Url), Timeout = TimeSpan.FromMinutes(2) };
                http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue(
                    "Bearer", await adminToken.Resource.GetValueAsync(context.CancellationToken));
                using var response = await http.PostAsync("/api/demo", content: null, context.CancellationToken);
                var body = await response.Content.ReadAsStringAsync(context.CancellationToken);
                return response.IsSuccessStatusCode
                    ? CommandResults.Success()
                    : CommandResults.Failure($"The Api answered {(int)response.StatusCode}: {body}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return CommandResults.Failure($"The Api cannot be reached: {e.Message}");
            }
        }, new CommandOptions
        {
            Description = "Create the Demo site and fill it with 90 days of realistic traffic (history imported, the last 23 hours ingested).",
            IconName = "DataHistogram",
            UpdateState = context => context.ResourceSnapshot.HealthStatus is Microsoft.Extensions.Diagnostics.HealthChecks.HealthStatus.Healthy
                ? ResourceCommandState.Enabled
                : ResourceCommandState.Disabled,
        });
}
