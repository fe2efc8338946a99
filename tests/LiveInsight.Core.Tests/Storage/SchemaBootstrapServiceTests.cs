using System.Diagnostics.Metrics;
using LiveInsight.Core.Storage;
using LiveInsight.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace LiveInsight.Core.Tests.Storage;

public sealed class SchemaBootstrapServiceTests
{
    [Fact]
    public async Task Waits_for_a_DynamoDB_that_starts_late_and_then_reports_healthy()
    {
        // The AppHost starts everything at once: the emulator may still be booting when a service starts.
        var port = ExternalProcess.FreePort();
        await using var dynalite = Infrastructure.Dynalite(port);
        using var dynamo = DynamoDbExtensions.CreateClient($"http://127.0.0.1:{port}");
        var options = Options.Create(new StorageOptions { TablePrefix = "late-", BootstrapTimeoutSeconds = 60 });
        var state = new SchemaState();
        var health = new DynamoDbHealthCheck(dynamo, options, state);
        var service = new SchemaBootstrapService(
            new SchemaBootstrapper(dynamo, options, TimeProvider.System, NullLogger<SchemaBootstrapper>.Instance),
            options, state, NewMetrics(), TimeProvider.System, NullLogger<SchemaBootstrapService>.Instance);

        var starting = service.StartAsync(CancellationToken.None);
        await Task.Delay(TimeSpan.FromSeconds(1));
        Assert.False(starting.IsCompleted);
        Assert.Equal(HealthStatus.Unhealthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);

        await dynalite.StartAsync();
        await starting.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.True(state.IsReady);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);
    }

    [Fact]
    public async Task Gives_up_after_the_configured_timeout_instead_of_serving_without_tables()
    {
        using var dynamo = DynamoDbExtensions.CreateClient($"http://127.0.0.1:{ExternalProcess.FreePort()}");
        var options = Options.Create(new StorageOptions { BootstrapTimeoutSeconds = 1 });
        var state = new SchemaState();
        var service = new SchemaBootstrapService(
            new SchemaBootstrapper(dynamo, options, TimeProvider.System, NullLogger<SchemaBootstrapper>.Instance),
            options, state, NewMetrics(), TimeProvider.System, NullLogger<SchemaBootstrapService>.Instance);

        await Assert.ThrowsAnyAsync<Exception>(() => service.StartAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.False(state.IsReady);
    }

    private static LiveInsightMetrics NewMetrics() =>
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
}
