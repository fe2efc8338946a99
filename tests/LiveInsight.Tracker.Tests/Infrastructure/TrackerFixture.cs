using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Core.Events;
using LiveInsight.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using StackExchange.Redis;

namespace LiveInsight.Tracker.Tests.Infrastructure;

[CollectionDefinition(nameof(TrackerCollection))]
public sealed class TrackerCollection : ICollectionFixture<TrackerFixture>;

/// <summary>
/// Everything a tracker test needs, started once per collection: redis-server and dynalite, the real Api on Kestrel
/// (reached by the browser as <c>http://api.test:PORT</c>), the customer's pages (<c>http://shop.test:PORT</c>) and
/// headless Chromium, which maps every <c>*.test</c> host to 127.0.0.1, so page and Api are really cross-origin.
/// </summary>
public sealed class TrackerFixture : IAsyncLifetime
{
    public const string AdminToken = "test-admin-token-0123456789";

    /// <summary>An ordinary desktop Chrome: the Api drops HeadlessChrome as a bot, as it should.</summary>
    public const string UserAgent =
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

    private IPlaywright? _playwright;
    private WebApplicationFactory<Program>? _api;

    public InfrastructureFixture Infrastructure { get; } = new();

    public TestPages Pages { get; } = new();

    public IBrowser Browser { get; private set; } = null!;

    public int ApiPort { get; } = ExternalProcess.FreePort();

    public string ApiOrigin => $"http://api.test:{ApiPort}";

    public string Origin(string host = "shop.test") => $"http://{host}:{Pages.Port}";

    /// <summary>Every POST /api/events the Api answered.</summary>
    public ConcurrentQueue<IngestRecord> ApiLog { get; } = new();

    public IConnectionMultiplexer Redis => _api!.Services.GetRequiredService<IConnectionMultiplexer>();

    public async Task InitializeAsync()
    {
        // Playwright drives Debian's Chromium; it must never try to fetch a browser of its own.
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        await Task.WhenAll(Infrastructure.InitializeAsync(), Pages.StartAsync().ContinueWith(_ => LaunchBrowserAsync()).Unwrap());

        _api = new WebApplicationFactory<Program>().WithWebHostBuilder(web => web
            .UseEnvironment("Testing")
            .UseSetting("ConnectionStrings:redis", Infrastructure.RedisConnectionString)
            .UseSetting("ConnectionStrings:dynamodb", Infrastructure.DynamoConnectionString)
            .UseSetting("LiveInsight:AdminToken", AdminToken)
            .UseSetting("LiveInsight:Storage:TablePrefix", $"trk{Guid.NewGuid():N}"[..11] + "-")
            .ConfigureServices(services => services.AddSingleton<IStartupFilter>(new IngestLog(ApiLog))));
        _api.UseKestrel(options => options.Listen(IPAddress.Loopback, ApiPort));
        _api.StartServer();
    }

    private async Task LaunchBrowserAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--no-first-run", "--host-resolver-rules=MAP *.test 127.0.0.1",
                // Also for beacons, which leave through the browser process where Playwright's per-context override does not reach.
                "--user-agent=" + UserAgent,
                // As in production (https): secure contexts, so requests carry Sec-Fetch-Mode (beacon: no-cors, fetch: cors).
                $"--unsafely-treat-insecure-origin-as-secure={ApiOrigin},{Origin()},{Origin("other.test")}",
            ],
        });
    }

    /// <summary>A fresh site per test, so tests never see each other's events.</summary>
    public async Task<(string SiteId, string PublicKey)> CreateSiteAsync(params string[] domains)
    {
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ApiPort}") };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        var response = await admin.PostAsJsonAsync("/api/sites", new { name = "Shop", domains = domains.Length > 0 ? domains : ["shop.test"] });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("site_id").GetString()!, body.GetProperty("public_key").GetString()!);
    }

    /// <summary>Turns identify on for a site and returns its identify secret (read from the Sites table, as only the
    /// Api can).</summary>
    public async Task<byte[]> EnableIdentifyAsync(string siteId)
    {
        using var admin = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{ApiPort}") };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        (await admin.PatchAsJsonAsync($"/api/sites/{siteId}", new { identify_enabled = true })).EnsureSuccessStatusCode();
        return await IdentifySecretAsync(siteId);
    }

    public async Task<byte[]> IdentifySecretAsync(string siteId) =>
        (await _api!.Services.GetRequiredService<LiveInsight.Core.Sites.SiteRepository>().FindByIdAsync(siteId, CancellationToken.None))!.IdentifySecret!;

    /// <summary>What reached the Redis stream for one site, decoded.</summary>
    public async Task<List<JsonElement>> StreamEventsAsync(string siteId)
    {
        var entries = await Redis.GetDatabase().StreamRangeAsync(RedisKeys.EventsStream);
        return entries
            .Select(entry => JsonDocument.Parse((string)entry[RedisKeys.StreamField]!).RootElement.Clone())
            .Where(e => e.GetProperty("site_id").GetString() == siteId)
            .ToList();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await Pages.DisposeAsync();
        await Infrastructure.DisposeAsync();
    }
}

/// <summary>One POST /api/events as the Api saw it. <c>Sec-Fetch-Mode</c> tells a beacon (no-cors) from a fetch (cors).</summary>
public sealed record IngestRecord(string Body, string ContentType, string FetchMode, int Status, string Dropped)
{
    public override string ToString() => $"{FetchMode} {ContentType} → {Status} {Dropped}";
}

/// <summary>
/// Records every ingestion request with its body, so a test can find its own (by its site's key) even when the
/// browser cannot report them: requests sent while a page unloads are invisible to Playwright.
/// </summary>
internal sealed class IngestLog(ConcurrentQueue<IngestRecord> log) : IStartupFilter
{
    public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
    {
        app.Use(async (context, nextMiddleware) =>
        {
            if (context.Request.Path != "/api/events" || !HttpMethods.IsPost(context.Request.Method))
            {
                await nextMiddleware(context);
                return;
            }

            context.Request.EnableBuffering();
            await nextMiddleware(context);
            context.Request.Body.Position = 0;
            var body = await new StreamReader(context.Request.Body).ReadToEndAsync();
            log.Enqueue(new IngestRecord(body, context.Request.ContentType ?? "", context.Request.Headers["Sec-Fetch-Mode"].ToString(),
                context.Response.StatusCode, context.Response.Headers["X-LiveInsight-Dropped"].ToString()));
        });
        next(app);
    };
}
