using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Events;
using StackExchange.Redis;

namespace LiveInsight.Api.Tests.Ingestion;

public static class EventPosting
{
    public const string ChromeOnWindows =
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

    public static JsonObject PageView(string url = "https://example.com/", string? id = null, long? timestamp = null) => new()
    {
        ["id"] = id ?? Guid.NewGuid().ToString(),
        ["event_type"] = "page_view",
        ["page_url"] = url,
        ["session_id"] = "s" + Guid.NewGuid().ToString("N")[..12],
        ["timestamp"] = timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        ["screen_width"] = 1920,
    };

    public static JsonObject Batch(string? key, params JsonObject[] events) => new()
    {
        ["key"] = key,
        ["events"] = new JsonArray(events.Select(e => (JsonNode)e).ToArray()),
    };

    public static HttpRequestMessage Request(
        JsonNode body, string ip = "8.8.8.8", string userAgent = ChromeOnWindows, string contentType = "application/json",
        string? origin = null, params (string Name, string Value)[] headers)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/events")
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, contentType),
        };
        request.Headers.TryAddWithoutValidation("User-Agent", userAgent);
        request.Headers.Add(TestClientIpStartupFilter.Header, ip);
        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        foreach (var (name, value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        return request;
    }

    /// <summary>The stream entries of one site, decoded.</summary>
    public static async Task<List<JsonElement>> StreamEventsAsync(this ApiFixture fixture, string siteId)
    {
        var db = fixture.Redis.GetDatabase();
        var entries = await db.StreamRangeAsync(RedisKeys.EventsStream);
        return entries
            .Select(entry => JsonDocument.Parse((string)entry[RedisKeys.StreamField]!).RootElement.Clone())
            .Where(e => e.GetProperty("site_id").GetString() == siteId)
            .ToList();
    }

    public static async Task<string> RawStreamTextAsync(this ApiFixture fixture, string siteId)
    {
        var entries = await fixture.Redis.GetDatabase().StreamRangeAsync(RedisKeys.EventsStream);
        return string.Join("\n", entries.Select(e => (string)e[RedisKeys.StreamField]!).Where(t => t.Contains(siteId, StringComparison.Ordinal)));
    }
}
