using System.Collections.Concurrent;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Aggregator.Consumer;
using LiveInsight.Core.Events;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using static LiveInsight.Aggregator.Consumer.EventStore;
using F = LiveInsight.Core.Events.RedisKeys.SessionFields;

namespace LiveInsight.Aggregator.Sessions;

/// <summary>
/// Copies sessions from their Redis hash (the live state the apply script keeps) into the Sessions table as absolute
/// snapshots: writing one twice is harmless. An open session is written once it has been seen for a minute, and then
/// at most once a minute while it stays active; the closer writes the final one (is_active false, bounce and duration
/// final) from the Redis hash. No reader needs the open ones sooner: the stats come from the rollups and the closer
/// from Redis, so a session shorter than a minute (most of them: bounces) costs one Sessions item, its final one,
/// instead of two (issue 22: 1.25 → 1.00 DynamoDB items per event in the aggregator bench).
/// </summary>
public sealed class SessionStore(IConnectionMultiplexer redis, EventStore store, IOptions<StorageOptions> storage, TimeProvider time)
{
    public static readonly TimeSpan Retention = TimeSpan.FromDays(30);
    public static readonly TimeSpan OpenSnapshotInterval = TimeSpan.FromMinutes(1);
    // When each session was last written, or first seen if it has not been written yet.
    private readonly ConcurrentDictionary<(string, string), DateTimeOffset> _written = new();

    public async Task SnapshotAsync(IEnumerable<(string SiteId, string SessionId)> sessions, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var distinct = new List<(string SiteId, string SessionId)>();
        foreach (var session in sessions.Distinct())
        {
            if (!_written.TryGetValue(session, out var at))
            {
                _written[session] = now;
            }
            else if (now - at >= OpenSnapshotInterval)
            {
                _written[session] = now;
                distinct.Add(session);
            }
        }

        if (_written.Count > 100_000)
        {
            foreach (var (key, at) in _written)
            {
                if (now - at > TimeSpan.FromMinutes(30))
                {
                    _written.TryRemove(key, out _);
                }
            }
        }

        if (distinct.Count == 0)
        {
            return;
        }

        var db = redis.GetDatabase();
        var hashes = await Task.WhenAll(distinct.Select(s => db.HashGetAllAsync(RedisKeys.Session(s.SiteId, s.SessionId))));
        var items = distinct.Zip(hashes)
            .Where(pair => pair.Second.Length > 0)
            .Select(pair => ToItem(pair.First.SiteId, pair.First.SessionId, pair.Second.ToDictionary(h => h.Name.ToString(), h => h.Value.ToString()), active: true))
            .ToList();
        await store.WriteAsync(storage.Value.TableName(Tables.Sessions), items, cancellationToken);
    }

    public static Dictionary<string, AttributeValue> ToItem(string siteId, string sessionId, Dictionary<string, string> hash, bool active)
    {
        var start = long.Parse(hash.GetValueOrDefault(F.Start, "0"));
        var last = long.Parse(hash.GetValueOrDefault(F.Last, "0"));
        var pages = long.Parse(hash.GetValueOrDefault(F.Pages, "0"));
        var item = new Dictionary<string, AttributeValue>
        {
            ["site_id"] = S(siteId),
            ["session_id"] = S(sessionId),
            ["start"] = N(start),
            ["last_seen"] = N(last),
            ["page_count"] = N(pages),
            ["duration_ms"] = N(last - start),
            ["is_active"] = new AttributeValue { BOOL = active },
            ["expires_at"] = N((last / 1000) + (long)Retention.TotalSeconds),
        };
        if (!active)
        {
            item["bounce"] = new AttributeValue { BOOL = pages <= 1 && hash.GetValueOrDefault(F.Interactive) != "1" };
        }

        // The real value (x:…) where the rollups count "(other)" for it: this table keeps what was sent.
        foreach (var (field, attribute) in new[] { (F.Entry, "entry_page"), (F.Exit, "exit_page") })
        {
            if ((hash.GetValueOrDefault(F.RealPrefix + field) ?? hash.GetValueOrDefault(field)) is { Length: > 0 } value)
            {
                item[attribute] = S(value);
            }
        }

        foreach (var (field, rolledUp) in hash)
        {
            if (field.StartsWith(F.DimensionPrefix, StringComparison.Ordinal)
                && field[F.DimensionPrefix.Length..] is var dimension
                && (hash.GetValueOrDefault(F.RealPrefix + dimension) ?? rolledUp) is { Length: > 0 } value)
            {
                item[dimension] = S(value);
            }
        }

        return item;
    }
}
