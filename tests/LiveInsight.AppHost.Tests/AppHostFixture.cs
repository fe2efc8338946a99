using Aspire.Hosting;
using LiveInsight.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

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

    /// <summary>Where redis-server keeps its AOF and dynalite its files: the privacy scan reads them too.</summary>
    public string DataDirectory => _dataDir;

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.LiveInsight_AppHost>(
        [
            "--LiveInsight:Infra=executables",
            $"--LiveInsight:DataDir={_dataDir}",
            $"--Parameters:admin-token={AdminToken}",
        ]);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());

        // The tests play the load balancer: loopback is a trusted proxy, so X-Forwarded-For names the visitor, as in
        // production behind the ALB. That is what lets the privacy scan send real-looking visitor addresses.
        builder.CreateResourceBuilder<ProjectResource>("api").WithEnvironment("LiveInsight__Ingestion__TrustedProxies__0", "127.0.0.1");
        builder.CreateResourceBuilder<ProjectResource>("dashboard").WithEnvironment("LiveInsight__Dashboard__TrustedProxies__0", "127.0.0.1");
        // The testing host forwards every resource's console output to ILogger under "{AppHost}.Resources.{name}".
        builder.Services.AddLogging(logging => logging.AddProvider(new ResourceLogCollector(_logs)));
        App = await builder.BuildAsync();
        using var timeout = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(timeout.Token);
        foreach (var service in new[] { "api", "aggregator", "dashboard" })
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(service, timeout.Token);
        }
    }

    /// <summary>Every line each resource wrote since start-up, collected as it arrives.</summary>
    public IReadOnlyCollection<(string Resource, string Line)> Logs => _logs;

    private readonly System.Collections.Concurrent.ConcurrentQueue<(string, string)> _logs = new();

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        if (Directory.Exists(_dataDir))
        {
            Directory.Delete(_dataDir, recursive: true);
        }
    }
}

/// <summary>Keeps the resource log lines the testing host forwards, so tests can search what the services logged.</summary>
internal sealed class ResourceLogCollector(System.Collections.Concurrent.ConcurrentQueue<(string, string)> lines) : ILoggerProvider
{
    private const string Prefix = "LiveInsight.AppHost.Resources.";

    public ILogger CreateLogger(string categoryName) =>
        categoryName.StartsWith(Prefix, StringComparison.Ordinal) ? new Collector(categoryName[Prefix.Length..], lines) : NullLogger.Instance;

    public void Dispose()
    {
    }

    private sealed class Collector(string resource, System.Collections.Concurrent.ConcurrentQueue<(string, string)> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue((resource, formatter(state, exception) + (exception is null ? "" : "\n" + exception)));
    }
}
