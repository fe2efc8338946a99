using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using LiveInsight.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using StackExchange.Redis;

namespace LiveInsight.Dashboard.Tests.Infrastructure;

[CollectionDefinition(nameof(DashboardCollection))]
public sealed class DashboardCollection : ICollectionFixture<DashboardFixture>;

/// <summary>
/// Started once per collection: redis-server and dynalite, the real Api and the real Dashboard on Kestrel (the
/// Dashboard's proxy reaches the Api through service discovery configuration, as under the AppHost), the first
/// administrator created through the one-time setup page, and headless Chromium.
/// </summary>
public sealed partial class DashboardFixture : IAsyncLifetime
{
    public const string AdminToken = "test-admin-token-0123456789";
    public const string AdminEmail = "admin@example.com";
    public const string AdminPassword = "correct horse battery staple";

    /// <summary>An ordinary desktop Chrome: the Api drops HeadlessChrome as a bot.</summary>
    public const string UserAgent =
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36";

    // Marker types: both services have a Program class, so each factory names a type of its own assembly.
    private WebApplicationFactory<LiveInsight.Api.Sites.CreatedSite>? _api;
    private WebApplicationFactory<LiveInsight.Dashboard.Users.UserService>? _dashboard;
    private IPlaywright? _playwright;

    /// <summary>Every test signs in from 127.0.0.1, one address whose count all Dashboards on the tables share: with the
    /// default budget the hostile suite's wrong passwords would throttle whichever tests sign in in the same minute. The
    /// throttle itself is tested with a budget of its own and a client address per test (LoginLimitTests).</summary>
    private const string NoLoginThrottle = "100000";

    public InfrastructureFixture Infrastructure { get; } = new();

    public string TablePrefix { get; } = $"dsh{Guid.NewGuid():N}"[..11] + "-";

    public int ApiPort { get; } = ExternalProcess.FreePort();

    public int DashboardPort { get; } = ExternalProcess.FreePort();

    public string ApiUrl => $"http://127.0.0.1:{ApiPort}";

    public string DashboardUrl => $"http://127.0.0.1:{DashboardPort}";

    public IBrowser Browser { get; private set; } = null!;

    /// <summary>The event lake the aggregator writes and the Api's /api/v2/query reads (the filtered dashboard).</summary>
    public string LakePath { get; } = Path.Combine(Path.GetTempPath(), "liveinsight-dashboard-lake-" + Guid.NewGuid().ToString("N")[..8]);

    public IConnectionMultiplexer Redis => _api!.Services.GetRequiredService<IConnectionMultiplexer>();

    /// <summary>The running Dashboard's services, for what no HTTP call can do (e.g. an invite issued 8 days ago).</summary>
    public IServiceProvider DashboardServices => _dashboard!.Services;

    public static string ScreenshotDirectory => Path.Combine(RepositoryPaths.Root, "TestResults", "screenshots");

    public async Task InitializeAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        await Task.WhenAll(Infrastructure.InitializeAsync(), LaunchBrowserAsync());

        _api = new WebApplicationFactory<LiveInsight.Api.Sites.CreatedSite>().WithWebHostBuilder(web => web
            .UseEnvironment("Testing")
            .UseSetting("ConnectionStrings:redis", Infrastructure.RedisConnectionString)
            .UseSetting("ConnectionStrings:dynamodb", Infrastructure.DynamoConnectionString)
            .UseSetting("LiveInsight:AdminToken", AdminToken)
            .UseSetting("LiveInsight:Storage:TablePrefix", TablePrefix)
            .UseSetting("Lake:Path", LakePath)
            .UseSetting("Alerts:Reports", "false")
            .UseSetting("LiveInsight:PersonalTokenCacheSeconds", "1")); // revocation tests wait one second, not thirty
        _api.UseKestrel(options => options.Listen(IPAddress.Loopback, ApiPort));
        _api.StartServer();

        _dashboard = new WebApplicationFactory<LiveInsight.Dashboard.Users.UserService>().WithWebHostBuilder(web => web
            .UseEnvironment("Testing")
            .UseSetting("ConnectionStrings:dynamodb", Infrastructure.DynamoConnectionString)
            .UseSetting("LiveInsight:AdminToken", AdminToken)
            .UseSetting("LiveInsight:Storage:TablePrefix", TablePrefix)
            .UseSetting("services:api:http:0", ApiUrl)
            .UseSetting("LiveInsight:Dashboard:LoginFailuresPerAddressPerMinute", NoLoginThrottle));
        _dashboard.UseKestrel(options => options.Listen(IPAddress.Loopback, DashboardPort));
        _dashboard.StartServer();

        await CreateFirstAdminAsync();
    }

    /// <summary>What a person does on first run: the setup page, with the admin token.</summary>
    private async Task CreateFirstAdminAsync()
    {
        using var client = NewHttpClient();
        var form = await client.GetStringAsync("/setup");
        var response = await client.PostAsync("/setup", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = CsrfField(form),
            ["adminToken"] = AdminToken,
            ["email"] = AdminEmail,
            ["password"] = AdminPassword,
            ["confirm"] = AdminPassword,
        }));
        if (response.StatusCode != HttpStatusCode.Redirect)
        {
            throw new InvalidOperationException($"setup answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    /// <summary>A client of the Dashboard that keeps cookies and does not follow redirects.</summary>
    public HttpClient NewHttpClient() =>
        new(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri(DashboardUrl),
        };

    public static string CsrfField(string html) => CsrfPattern().Match(html) is { Success: true } m
        ? WebUtility.HtmlDecode(m.Groups[1].Value)
        : throw new InvalidOperationException("no antiforgery field in " + html);

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfPattern();

    private async Task LaunchBrowserAsync()
    {
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
    }

    /// <summary>A fresh browser context (own cookies) with a page signed in as the administrator (or the given user).</summary>
    public async Task<IPage> SignedInPageAsync(int width = 1280, int height = 900, string path = "/", string email = AdminEmail, string password = AdminPassword)
    {
        var context = await Browser.NewContextAsync(new() { BaseURL = DashboardUrl, ViewportSize = new() { Width = width, Height = height } });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/login?returnUrl={Uri.EscapeDataString(path)}");
        await page.GetByLabel("E-mail").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(url => !url.Contains("/login"));
        return page;
    }

    /// <summary>A fresh site per test, so tests never see each other's data.</summary>
    public async Task<(string SiteId, string PublicKey)> CreateSiteAsync(string name = "Shop", string domain = "shop.test")
    {
        using var admin = new HttpClient { BaseAddress = new Uri(ApiUrl) };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        var response = await admin.PostAsJsonAsync("/api/sites", new { name, domains = new[] { domain } });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return (body.GetProperty("site_id").GetString()!, body.GetProperty("public_key").GetString()!);
    }

    /// <summary>An Api answer as the admin token sees it: what the dashboard must show.</summary>
    public async Task<JsonElement> ApiJsonAsync(string pathAndQuery)
    {
        using var admin = new HttpClient { BaseAddress = new Uri(ApiUrl) };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        return await admin.GetFromJsonAsync<JsonElement>(pathAndQuery);
    }

    /// <summary>The real aggregator on this fixture's Redis and tables, started by the first test that asks.</summary>
    public RunningAggregator Aggregator
    {
        get
        {
            lock (_aggregatorLock)
            {
                return _aggregator ??= RunningAggregator.Start(this);
            }
        }
    }

    private readonly Lock _aggregatorLock = new();
    private RunningAggregator? _aggregator;

    /// <summary>A real page view through ingestion (POST /api/events), from a distinct visitor (the user agent differs),
    /// in a session of its own unless one is given.</summary>
    public async Task PostPageViewAsync(
        string publicKey, string url, string? title = null, string? referrer = null, string visitor = "1", string? sessionId = null, DateTimeOffset? at = null)
    {
        using var client = new HttpClient { BaseAddress = new Uri(ApiUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events")
        {
            Content = JsonContent.Create(new
            {
                key = publicKey,
                events = new object[]
                {
                    new
                    {
                        id = Guid.NewGuid().ToString(), event_type = "page_view", page_url = url, title, referrer,
                        session_id = sessionId ?? "s" + Guid.NewGuid().ToString("N")[..12],
                        timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds(), screen_width = 1920,
                    },
                },
            }),
        };
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent.Replace("140.0.0.0", $"140.0.{visitor}.0"));
        request.Headers.Add("Origin", new Uri(url).GetLeftPart(UriPartial.Authority));
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Accepted || !body.Contains("\"accepted\":1"))
        {
            throw new InvalidOperationException($"event not accepted: {(int)response.StatusCode} {body} {response.Headers}");
        }
    }

    /// <summary>A real custom event through ingestion, from the visitor and session given (as <see cref="PostPageViewAsync"/>).</summary>
    public async Task PostCustomEventAsync(
        string publicKey, string url, string name, Dictionary<string, string>? props = null, string visitor = "1", string? sessionId = null, DateTimeOffset? at = null)
    {
        using var client = new HttpClient { BaseAddress = new Uri(ApiUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/events")
        {
            Content = JsonContent.Create(new
            {
                key = publicKey,
                events = new object[]
                {
                    new
                    {
                        id = Guid.NewGuid().ToString(), event_type = "custom", name, props, page_url = url,
                        session_id = sessionId ?? "s" + Guid.NewGuid().ToString("N")[..12],
                        timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds(), screen_width = 1920,
                    },
                },
            }),
        };
        request.Headers.TryAddWithoutValidation("User-Agent", UserAgent.Replace("140.0.0.0", $"140.0.{visitor}.0"));
        request.Headers.Add("Origin", new Uri(url).GetLeftPart(UriPartial.Authority));
        var response = await client.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.Accepted || !body.Contains("\"accepted\":1"))
        {
            throw new InvalidOperationException($"event not accepted: {(int)response.StatusCode} {body}");
        }
    }

    /// <summary>Waits until /api/v2/query counts <paramref name="events"/> events of the site today (the lake has them).</summary>
    public async Task LakeHasAsync(string siteId, long events, TimeSpan timeout)
    {
        using var admin = new HttpClient { BaseAddress = new Uri(ApiUrl) };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", AdminToken);
        var deadline = DateTime.UtcNow + timeout;
        long seen = -1;
        while (DateTime.UtcNow < deadline)
        {
            var response = await admin.PostAsJsonAsync("/api/v2/query", new { site_id = siteId, metrics = new[] { "events" }, date_range = "day" });
            if (response.IsSuccessStatusCode)
            {
                var body = await response.Content.ReadFromJsonAsync<JsonElement>();
                seen = body.GetProperty("results")[0].GetProperty("metrics")[0].GetInt64();
                if (seen == events)
                {
                    return;
                }
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"the lake has {seen} events of the site, not {events}");
    }

    /// <summary>Another Dashboard on the fixture's tables (so the same accounts), with settings and services of its own.
    /// The caller disposes both.</summary>
    public (WebApplicationFactory<LiveInsight.Dashboard.Users.UserService> Dashboard, HttpClient Client) StartSecondDashboard(
        Dictionary<string, string> settings, Action<IServiceCollection>? services = null)
    {
        var port = ExternalProcess.FreePort();
        var dashboard = new WebApplicationFactory<LiveInsight.Dashboard.Users.UserService>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Testing")
                .UseSetting("ConnectionStrings:dynamodb", Infrastructure.DynamoConnectionString)
                .UseSetting("LiveInsight:AdminToken", AdminToken)
                .UseSetting("LiveInsight:Storage:TablePrefix", TablePrefix)
                .UseSetting("services:api:http:0", ApiUrl)
                .UseSetting("LiveInsight:Dashboard:LoginFailuresPerAddressPerMinute", NoLoginThrottle); // the address's count is shared through the table
            foreach (var (key, value) in settings)
            {
                web.UseSetting(key, value);
            }

            if (services is not null)
            {
                web.ConfigureServices(services);
            }
        });
        dashboard.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        dashboard.StartServer();
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = new CookieContainer() })
        {
            BaseAddress = new Uri($"http://127.0.0.1:{port}"),
        };
        return (dashboard, client);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_dashboard is not null)
        {
            await _dashboard.DisposeAsync();
        }

        if (_aggregator is not null)
        {
            await _aggregator.DisposeAsync();
        }

        if (_api is not null)
        {
            await _api.DisposeAsync();
        }

        await Infrastructure.DisposeAsync();
        if (Directory.Exists(LakePath))
        {
            Directory.Delete(LakePath, recursive: true);
        }
    }
}
