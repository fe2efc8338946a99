using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Playwright;

namespace LiveInsight.Tracker.Tests.Infrastructure;

/// <summary>How a test page embeds the tracker.</summary>
public sealed record PageSetup
{
    /// <summary>Extra attributes on the script tag, e.g. <c>data-hash</c>.</summary>
    public string Attributes { get; init; } = "";

    /// <summary>Tests shorten the flush interval (the default is 2 s).</summary>
    public int FlushMs { get; init; } = 200;

    public string Head { get; init; } = "";
    public string Body { get; init; } = "";
    public string Title { get; init; } = "Shop";

    /// <summary>The host the page is served from; the site is registered for shop.test.</summary>
    public string Host { get; init; } = "shop.test";

    public string Path { get; init; } = "";

    /// <summary>Turns the site's identify setting on before the page loads.</summary>
    public bool IdentifyEnabled { get; init; }
}

/// <summary>
/// One test's browser context (fresh storage) on a page of a fresh site, recording every request the tracker makes to
/// the Api, the answers, and any error the page throws.
/// </summary>
public sealed class TrackedPage : IAsyncDisposable
{
    public const string StubScript =
        "<script>window.liveinsight=window.liveinsight||{q:[],track:function(){liveinsight.q.push(arguments)}}</script>";

    /// <summary>Only a failing test waits this long; a loaded CI machine with parallel test projects needs the room.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private readonly TrackerFixture _fixture;

    private TrackedPage(TrackerFixture fixture, string siteId, string publicKey, IBrowserContext context, IPage page)
    {
        _fixture = fixture;
        SiteId = siteId;
        PublicKey = publicKey;
        Context = context;
        Page = page;
    }

    public string SiteId { get; }
    public string PublicKey { get; }
    public IBrowserContext Context { get; }
    public IPage Page { get; }
    public string PageId { get; private set; } = "";
    public ConcurrentQueue<IRequest> Requests { get; } = new();
    public ConcurrentQueue<string> PageErrors { get; } = new();

    /// <summary>This test's requests as the Api saw them (found by the site's key in the body).</summary>
    public List<IngestRecord> ApiRequests => _fixture.ApiLog.Where(r => r.Body.Contains(PublicKey, StringComparison.Ordinal)).ToList();

    public static async Task<TrackedPage> OpenAsync(
        TrackerFixture fixture, PageSetup? setup = null, Func<IBrowserContext, Task>? beforeLoad = null)
    {
        setup ??= new PageSetup();
        var (siteId, publicKey) = await fixture.CreateSiteAsync("shop.test");
        if (setup.IdentifyEnabled)
        {
            await fixture.EnableIdentifyAsync(siteId);
        }

        var context = await fixture.Browser.NewContextAsync(new() { UserAgent = TrackerFixture.UserAgent });
        var page = await context.NewPageAsync();
        var tracked = new TrackedPage(fixture, siteId, publicKey, context, page);
        context.Request += (_, request) =>
        {
            if (request.Url.Contains("/api/events", StringComparison.Ordinal))
            {
                tracked.Requests.Enqueue(request);
            }
        };
        page.PageError += (_, error) => tracked.PageErrors.Enqueue(error);
        if (beforeLoad is not null)
        {
            await beforeLoad(context);
        }

        tracked.PageId = fixture.Pages.Add($"""
            <!doctype html><html><head><meta charset="utf-8"><title>{setup.Title}</title>{setup.Head}
            <script defer src="{fixture.ApiOrigin}/liveinsight.js" data-api-key="{publicKey}" data-flush-ms="{setup.FlushMs}" {setup.Attributes}></script>
            </head><body><div id="app" style="height:3000px">{setup.Body}</div></body></html>
            """);
        await tracked.GotoAsync(setup.Path, setup.Host);
        return tracked;
    }

    /// <summary>The URL of a path below this test's page, e.g. <c>Url("pricing")</c>.</summary>
    public string Url(string path = "", string host = "shop.test") => $"{_fixture.Origin(host)}/{PageId}/{path}";

    /// <summary>Loads the page and waits until the deferred tracker has run (it replaces the stub).</summary>
    public async Task GotoAsync(string path = "", string host = "shop.test")
    {
        await Page.GotoAsync(Url(path, host));
        await Page.WaitForFunctionAsync("() => window.liveinsight && !window.liveinsight.q");
    }

    public Task TrackAsync(string name, object? props = null) =>
        Page.EvaluateAsync("([name, props]) => liveinsight.track(name, props)", new object?[] { name, props });

    public Task<List<JsonElement>> EventsAsync() => _fixture.StreamEventsAsync(SiteId);

    /// <summary>Polls the Redis stream until <paramref name="done"/> holds for this site's events.</summary>
    public async Task<List<JsonElement>> WaitForEventsAsync(Func<List<JsonElement>, bool> done)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            var events = await EventsAsync();
            if (done(events))
            {
                return events;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(
                    $"The stream did not reach the expected state in {Patience}; it holds: [{string.Join(", ", events.Select(Describe))}]; " +
                    $"the Api answered: [{string.Join(", ", ApiRequests)}]");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Waits until the browser has reported <paramref name="count"/> requests to the Api: its request events reach the
    /// test after the Api may already have stored what they carried.
    /// </summary>
    public Task WaitForRequestsAsync(int count) =>
        WaitUntilAsync(() => Task.FromResult(Requests.Count >= count), $"{count} request(s) to /api/events");

    /// <summary>Waits until the Api's own log holds a request of this test that matches: it is written once the answer
    /// has gone out, so the page (and the browser's events) can be a step ahead of it.</summary>
    public Task WaitForApiRequestAsync(Func<IngestRecord, bool> match, string what) =>
        WaitUntilAsync(() => Task.FromResult(ApiRequests.Any(match)), what);

    /// <summary>The tracker's offline queue in localStorage.</summary>
    public async Task<JsonElement[]> StoredAsync()
    {
        var json = await Page.EvaluateAsync<string?>("key => localStorage.getItem(key)", "li_q:" + PublicKey);
        return json is null ? [] : JsonSerializer.Deserialize<JsonElement[]>(json) ?? [];
    }

    public static async Task WaitUntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out waiting for {what}");
            }

            await Task.Delay(50);
        }
    }

    public static string Describe(JsonElement e) =>
        $"{e.GetProperty("event_type").GetString()}({(e.TryGetProperty("name", out var n) ? n.GetString() : e.TryGetProperty("path", out var p) ? p.GetString() : "")})";

    public async ValueTask DisposeAsync() => await Context.DisposeAsync();
}

public static class EventExtensions
{
    public static string Type(this JsonElement e) => e.GetProperty("event_type").GetString()!;

    public static string? Str(this JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ToString() : null;

    public static IEnumerable<JsonElement> OfType(this IEnumerable<JsonElement> events, string type) => events.Where(e => e.Type() == type);

    public static IEnumerable<JsonElement> Named(this IEnumerable<JsonElement> events, string name) =>
        events.Where(e => e.Type() == "custom" && e.Str("name") == name);
}
