using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Aggregator.Extensions;
using LiveInsight.Core.Events;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;

namespace LiveInsight.Aggregator.Consumer;

/// <summary>
/// Writes items with BatchWriteItem (25 per request), retrying what DynamoDB leaves unprocessed with exponential
/// backoff. Keys are deterministic, so writing the same event twice overwrites it: redelivery never duplicates.
/// </summary>
public sealed class EventStore(IAmazonDynamoDB dynamo, IOptions<StorageOptions> storage, IOptions<AggregatorOptions> options, TimeProvider time)
{
    public const int MaxBatchItems = 25;
    public const int MaxAttempts = 8;

    /// <summary>The most attributes <see cref="ToItem"/> writes: nine always, up to eleven optional text ones, props,
    /// engaged_ms and scroll_depth.</summary>
    private const int MaxAttributes = 23;
    private static readonly TimeSpan FirstBackoff = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(2);
    private long _requests;
    private long _items;

    /// <summary>BatchWriteItem requests sent so far (retries of unprocessed items included): what the bench reports
    /// per batch and per event.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Items sent so far (an item DynamoDB left unprocessed counts again when retried).</summary>
    public long Items => Interlocked.Read(ref _items);

    public Task WriteEventsAsync(IReadOnlyList<(StreamEvent Event, string DayBucket)> events, CancellationToken cancellationToken)
    {
        var retention = TimeSpan.FromHours(options.Value.RetentionHours);
        var items = events
            .Select(e => ToItem(e.Event, e.DayBucket, retention))
            .DistinctBy(item => (item["pk"].S, item["sk"].S))
            .ToList();
        return WriteAsync(storage.Value.TableName(Tables.Events), items, cancellationToken);
    }

    public async Task WriteAsync(string table, IReadOnlyList<Dictionary<string, AttributeValue>> items, CancellationToken cancellationToken)
    {
        var chunks = items.Chunk(MaxBatchItems)
            .Select(chunk => WriteChunkAsync(table, chunk.Select(i => new WriteRequest(new PutRequest(i))).ToList(), cancellationToken));
        await Task.WhenAll(chunks);
    }

    private async Task WriteChunkAsync(string table, List<WriteRequest> requests, CancellationToken cancellationToken)
    {
        var pending = new Dictionary<string, List<WriteRequest>> { [table] = requests };
        var backoff = FirstBackoff;
        for (var attempt = 1; ; attempt++)
        {
            Interlocked.Increment(ref _requests);
            Interlocked.Add(ref _items, pending.Values.Sum(v => v.Count));
            var response = await dynamo.BatchWriteItemAsync(new BatchWriteItemRequest { RequestItems = pending }, cancellationToken);
            if (response.UnprocessedItems is not { Count: > 0 } unprocessed || unprocessed.Values.All(v => v.Count == 0))
            {
                return;
            }

            if (attempt == MaxAttempts)
            {
                throw new InvalidOperationException(
                    $"DynamoDB left {unprocessed.Values.Sum(v => v.Count)} item(s) of {table} unprocessed after {MaxAttempts} attempts");
            }

            pending = unprocessed;
            await Task.Delay(backoff, time, cancellationToken);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, MaxBackoff.Ticks));
        }
    }

    private static Dictionary<string, AttributeValue> ToItem(StreamEvent e, string dayBucket, TimeSpan retention)
    {
        // Sized for every attribute an event can have: no resize per item (issue 22's allocation profile).
        var item = new Dictionary<string, AttributeValue>(MaxAttributes)
        {
            ["pk"] = S($"{e.SiteId}#{e.SessionId ?? "-"}"),
            ["sk"] = S($"{e.Ts:D13}#{e.EventId}"),
            ["site_day"] = S($"{e.SiteId}#{dayBucket}"),
            ["site_id"] = S(e.SiteId),
            ["event_id"] = S(e.EventId),
            ["event_type"] = S(e.EventType),
            ["ts"] = N(e.Ts),
            ["visitor_id"] = S(e.VisitorId),
            ["expires_at"] = N((e.Ts / 1000) + (long)retention.TotalSeconds),
        };
        Put(item, "session_id", e.SessionId);
        Put(item, "name", e.Name);
        Put(item, "path", e.Path);
        Put(item, "title", e.Title);
        Put(item, "referrer_host", e.ReferrerHost);
        Put(item, "source", e.Source);
        Put(item, "utm_campaign", e.UtmCampaign);
        Put(item, "browser", e.Browser);
        Put(item, "os", e.Os);
        Put(item, "device", e.Device);
        Put(item, "country", e.Country);
        if (e.Props is { Count: > 0 } props)
        {
            item["props"] = new AttributeValue { M = props.ToDictionary(p => p.Key, p => S(p.Value)) };
        }

        if (e.EngagedMs is { } engaged)
        {
            item["engaged_ms"] = N(engaged);
        }

        if (e.ScrollDepth is { } scroll)
        {
            item["scroll_depth"] = N(scroll);
        }

        return item;
    }

    private static void Put(Dictionary<string, AttributeValue> item, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            item[name] = S(value);
        }
    }

    internal static AttributeValue S(string value) => new() { S = value };

    internal static AttributeValue N(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };
}
