using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using LiveInsight.Core.Events;
using StackExchange.Redis;

namespace LiveInsight.Api.Ingestion;

/// <summary>One line of the installation check: an event received or dropped, or a request refused for the site.</summary>
/// <param name="At">When the Api received it.</param>
/// <param name="Type">The event's type as sent (capped), absent for a refused request.</param>
/// <param name="Host">The page's host (or the refused origin's).</param>
/// <param name="Path">The page's path, when it was read.</param>
/// <param name="Reason">Why it was not kept: a drop reason of <c>X-LiveInsight-Dropped</c>, or <c>origin_not_allowed</c>,
/// <c>null_origin</c>, <c>rate_limited</c> for a whole request.</param>
/// <param name="UserAgent">For <c>bot</c> only: the start of the user agent that looked like one.</param>
public sealed record InstallationEntry(
    DateTimeOffset At,
    string? Type = null,
    string? Name = null,
    string? Host = null,
    string? Path = null,
    string? Reason = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? UserAgent = null);

public sealed record InstallationReport(IReadOnlyList<InstallationEntry> Received, IReadOnlyList<InstallationEntry> Dropped);

/// <summary>
/// The installation check (issue 23, finding 2): a site's last events received and last drops with their reasons, in two
/// small Redis lists (LPUSH + LTRIM to <see cref="RedisKeys.InstallationRingLength"/>, a day's TTL), so a newcomer whose
/// headless browser is dropped as a bot, or whose page is on another host, sees why in the site's settings. Writes are
/// fire-and-forget (the request never waits for them, a failure is not the visitor's problem) and at most
/// <see cref="WritesPerSecond"/> a second per site and Api process (a check needs a sample, not every event; the map of
/// seconds holds one entry per site that sent something, and sites are bounded by their administrators).
/// </summary>
public sealed class InstallationCheck(IConnectionMultiplexer redis, TimeProvider time)
{
    public const int WritesPerSecond = 10;

    /// <summary>Events of one request recorded at most: a 50-event batch is still one sample.</summary>
    private const int EventsPerRequest = 5;

    private const int FieldCap = 200;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly ConcurrentDictionary<string, (long Second, int Count)> _writes = new();

    public void RecordBatch(string siteId, IReadOnlyList<IngestEvent> events, string? userAgent)
    {
        if (events.Count == 0 || !Admit(siteId))
        {
            return;
        }

        var at = time.GetUtcNow();
        var received = events.Where(e => e.Dropped is null).Take(EventsPerRequest).Select(e => Entry(at, e, null)).ToList();
        var dropped = events.Where(e => e.Dropped is not null).Take(EventsPerRequest)
            .Select(e => Entry(at, e, e.Dropped == DropReason.Bot ? Cap(userAgent) : null)).ToList();
        Push(RedisKeys.InstallationReceived(siteId), received);
        Push(RedisKeys.InstallationDropped(siteId), dropped);
    }

    public void RecordRefusal(string siteId, string reason, string? host)
    {
        if (Admit(siteId))
        {
            Push(RedisKeys.InstallationDropped(siteId), [new InstallationEntry(time.GetUtcNow(), Host: Cap(host), Reason: reason)]);
        }
    }

    public async Task<InstallationReport> ReadAsync(string siteId)
    {
        var db = redis.GetDatabase();
        var received = db.ListRangeAsync(RedisKeys.InstallationReceived(siteId), 0, RedisKeys.InstallationRingLength - 1);
        var dropped = db.ListRangeAsync(RedisKeys.InstallationDropped(siteId), 0, RedisKeys.InstallationRingLength - 1);
        await Task.WhenAll(received, dropped);
        return new InstallationReport(Parse(received.Result), Parse(dropped.Result));
    }

    private bool Admit(string siteId)
    {
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        var admitted = true;
        _writes.AddOrUpdate(siteId, _ => (second, 1), (_, last) =>
        {
            if (last.Second != second)
            {
                return (second, 1);
            }

            admitted = last.Count < WritesPerSecond;
            return (second, last.Count + 1);
        });
        return admitted;
    }

    private void Push(string key, List<InstallationEntry> entries)
    {
        if (entries.Count == 0)
        {
            return;
        }

        // Oldest first into LPUSH, so the list reads newest first.
        var values = entries.AsEnumerable().Reverse().Select(e => (RedisValue)JsonSerializer.Serialize(e, Json)).ToArray();
        var batch = redis.GetDatabase().CreateBatch();
        _ = batch.ListLeftPushAsync(key, values, When.Always, CommandFlags.FireAndForget);
        _ = batch.ListTrimAsync(key, 0, RedisKeys.InstallationRingLength - 1, CommandFlags.FireAndForget);
        _ = batch.KeyExpireAsync(key, TimeSpan.FromSeconds(RedisKeys.Ttl.InstallationSeconds), CommandFlags.FireAndForget);
        batch.Execute();
    }

    private static InstallationEntry Entry(DateTimeOffset at, IngestEvent e, string? userAgent) => new(
        at,
        Type: Cap(e.EventType.Length > 0 ? e.EventType : e.Raw.EventType),
        Name: Cap(e.Name),
        Host: Cap(e.Page?.Host ?? RawHost(e.Raw.PageUrl)),
        Path: Cap(e.Page?.Path),
        Reason: e.Dropped?.WireName(),
        UserAgent: userAgent);

    /// <summary>Only the host of a URL the pipeline did not read (a bot's page): never the raw URL with its query.</summary>
    private static string? RawHost(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" ? uri.Host : null;

    private static string? Cap(string? value) =>
        value is null ? null : Enrichment.InvisibleText.Strip(value.Length > FieldCap ? value[..FieldCap] : value);

    private static List<InstallationEntry> Parse(RedisValue[] values)
    {
        var entries = new List<InstallationEntry>(values.Length);
        foreach (var value in values)
        {
            try
            {
                if (JsonSerializer.Deserialize<InstallationEntry>(value.ToString(), Json) is { } entry)
                {
                    entries.Add(entry);
                }
            }
            catch (JsonException)
            {
                // Written by another version: skipped, the next events replace it.
            }
        }

        return entries;
    }
}
