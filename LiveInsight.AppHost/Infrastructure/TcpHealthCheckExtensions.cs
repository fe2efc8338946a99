using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LiveInsight.AppHost.Infrastructure;

public static class TcpHealthCheckExtensions
{
    /// <summary>
    /// Healthy once the endpoint accepts a TCP connection. A process counts as "running" as soon as it is spawned;
    /// this makes <c>WaitFor</c> hold the services back until Redis or the emulator actually listens.
    /// </summary>
    public static IResourceBuilder<T> WithTcpHealthCheck<T>(this IResourceBuilder<T> builder, EndpointReference endpoint)
        where T : IResource
    {
        var key = $"{builder.Resource.Name}_tcp_check";
        builder.ApplicationBuilder.Services.AddHealthChecks().AddAsyncCheck(key, async cancellationToken =>
        {
            if (!endpoint.IsAllocated)
            {
                return HealthCheckResult.Unhealthy("Endpoint not allocated yet");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(endpoint.Host, endpoint.Port, cancellationToken);
                return HealthCheckResult.Healthy();
            }
            catch (SocketException e)
            {
                return HealthCheckResult.Unhealthy($"{endpoint.Host}:{endpoint.Port} refused the connection", e);
            }
        });
        return builder.WithHealthCheck(key);
    }
}
