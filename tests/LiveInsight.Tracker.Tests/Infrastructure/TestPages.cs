using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LiveInsight.Tracker.Tests.Infrastructure;

/// <summary>
/// The customer's web site: a tiny Kestrel server on a free port. A page is registered under a fresh id and served for
/// <c>/{id}/</c> and every path below it (like an SPA's fallback route), whatever host name the browser used.
/// </summary>
public sealed class TestPages : IAsyncDisposable
{
    private readonly ConcurrentDictionary<string, string> _pages = new();
    private WebApplication? _app;

    public int Port { get; private set; }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(options => options.Listen(IPAddress.Loopback, 0));
        _app = builder.Build();
        _app.MapGet("/{id}/{**rest}", (string id) => _pages.TryGetValue(id, out var html)
            ? Results.Content(html, "text/html; charset=utf-8")
            : Results.NotFound());
        await _app.StartAsync();
        Port = new Uri(_app.Urls.First()).Port;
    }

    /// <summary>Registers a page and returns its id (the first path segment).</summary>
    public string Add(string html)
    {
        var id = Guid.NewGuid().ToString("N")[..12];
        _pages[id] = html;
        return id;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }
}
