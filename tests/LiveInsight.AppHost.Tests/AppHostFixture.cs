using Aspire.Hosting;
using LiveInsight.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.AppHost.Tests;

[CollectionDefinition(nameof(AppHostCollection))]
public sealed class AppHostCollection : ICollectionFixture<AppHostFixture>;

/// <summary>
/// The whole stack as the AppHost wires it (executables mode: redis-server and dynalite as processes), started once
/// per collection because DCP takes ~13 s to tear down. Ports are random; data lives in a temporary folder.
/// </summary>
public sealed class AppHostFixture : IAsyncLifetime
{
    public const string AdminToken = "e2e-admin-token-0123456789";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private readonly string _dataDir = Path.Combine(Path.GetTempPath(), "liveinsight-e2e-" + Guid.NewGuid().ToString("N"));

    public DistributedApplication App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LiveInsight_AppHost>(
        [
            "--LiveInsight:Infra=executables",
            $"--LiveInsight:DataDir={_dataDir}",
            $"--Parameters:admin-token={AdminToken}",
        ]);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        foreach (var service in new[] { "api", "aggregator", "dashboard" })
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(service, timeout.Token);
        }
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}
