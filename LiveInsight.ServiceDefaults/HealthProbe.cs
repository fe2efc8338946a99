namespace Microsoft.Extensions.Hosting;

/// <summary>
/// <c>&lt;service&gt; --health-probe</c>: GET /health on the service's own port and exit 0 (healthy or degraded) or 1.
/// For container health checks (ECS) in chiseled images, which have no shell or curl. The port is the first of
/// <c>HTTP_PORTS</c> (the container sets 8080).
/// </summary>
public static class HealthProbe
{
    public const string Argument = "--health-probe";

    public static bool IsRequested(string[] args) => args is [Argument, ..];

    public static int Run()
    {
        var port = (Environment.GetEnvironmentVariable("HTTP_PORTS") ?? "8080").Split(',', ';')[0].Trim();
        try
        {
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(4) };
            using var response = client.GetAsync($"http://127.0.0.1:{port}{Extensions.HealthEndpointPath}").GetAwaiter().GetResult();
            return response.IsSuccessStatusCode ? 0 : 1;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            Console.Error.WriteLine($"health probe: {e.Message}");
            return 1;
        }
    }
}
