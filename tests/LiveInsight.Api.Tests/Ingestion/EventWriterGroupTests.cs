using System.Text.Json;
using LiveInsight.Api.Ingestion;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Events;
using LiveInsight.Core.Sites;
using Microsoft.Extensions.Time.Testing;
using StackExchange.Redis;

namespace LiveInsight.Api.Tests.Ingestion;

/// <summary>
/// Issue 22: requests of one shard that wait while a script call is in flight are written by the next call together
/// (group commit). Each must still get exactly the answer a call of its own would have given: its own quota, its own
/// duplicates, its own events in the stream and nobody else's.
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class EventWriterGroupTests(ApiFixture fixture)
{
    [Fact]
    public async Task Requests_queued_behind_a_paused_redis_go_in_few_calls_and_each_keeps_its_own_quota_duplicates_and_events()
    {
        await using var admin = await ConnectionMultiplexer.ConnectAsync(fixture.Infrastructure.RedisConnectionString + ",allowAdmin=true");
        var server = admin.GetServer(admin.GetEndPoints()[0]);
        // The quota is per clock minute: a stopped clock, so the 20 requests never straddle two minutes.
        var writer = new EventWriter(fixture.Redis, new FakeTimeProvider(DateTimeOffset.UtcNow));
        var limited = SiteKeys.NewSiteId();   // 5 requests a minute, sent 20
        var repeated = SiteKeys.NewSiteId();  // 20 requests of 2 events, every id sent twice
        var large = SiteKeys.NewSiteId();     // 3 requests of 50 events (each alone above half a call's events)
        var now = DateTimeOffset.UtcNow;
        var noLimit = new IngestQuota(0, 0, 0);

        var callsBefore = EvalshaCalls(await server.InfoAsync("commandstats"));
        // Paused, Redis holds the first calls; everything sent meanwhile queues in the writer and must be grouped.
        await server.ExecuteAsync("CLIENT", "PAUSE", "500", "ALL");
        var writes = new List<(string Site, int Events, Task<WriteResult> Result)>();
        for (var r = 0; r < 20; r++)
        {
            writes.Add((limited, 1, writer.WriteAsync(limited, TimeZoneInfo.Utc, new IngestQuota(5, 0, 0), [Event(limited, $"l{r}", now)])));
            // Request r and request r + 10 carry the same two ids: exactly one of each pair is new.
            var ids = new[] { $"d{r % 10}a", $"d{r % 10}b" };
            writes.Add((repeated, 2, writer.WriteAsync(repeated, TimeZoneInfo.Utc, noLimit, ids.Select(id => Event(repeated, id, now)).ToList())));
            if (r % 7 == 0)
            {
                writes.Add((large, 50, writer.WriteAsync(large, TimeZoneInfo.Utc, noLimit,
                    Enumerable.Range(0, 50).Select(e => Event(large, $"g{r}-{e}", now)).ToList())));
            }
        }

        await Task.WhenAll(writes.Select(w => w.Result));
        var calls = EvalshaCalls(await server.InfoAsync("commandstats")) - callsBefore;

        // 43 requests, 173 events: one call each before; grouped by at most 32 requests and 100 events a call, with two
        // calls in flight while paused, they need a handful (never one per request).
        Assert.InRange(calls, 2, 12);

        var limitedResults = writes.Where(w => w.Site == limited).Select(w => w.Result.Result).ToList();
        Assert.Equal(5, limitedResults.Count(r => r.Exceeded is null));
        Assert.All(limitedResults.Where(r => r.Exceeded is not null), r => Assert.Equal(QuotaLimit.Requests, r.Exceeded));

        var repeatedResults = writes.Where(w => w.Site == repeated).Select(w => w.Result.Result).ToList();
        Assert.All(repeatedResults, r => Assert.Null(r.Exceeded));
        // Each of the 20 ids is new exactly once: 20 of the 40 events are duplicates, and a request's duplicates are
        // indexes into its own events.
        Assert.Equal(20, repeatedResults.Sum(r => r.Duplicates.Count));
        Assert.All(repeatedResults, r => Assert.All(r.Duplicates, index => Assert.InRange(index, 0, 1)));
        Assert.All(writes.Where(w => w.Site == large), w => Assert.Empty(w.Result.Result.Duplicates));

        var stream = await fixture.Redis.GetDatabase().StreamRangeAsync(RedisKeys.EventsStreamFor(limited));
        var bySite = stream
            .Select(entry => JsonSerializer.Deserialize(entry[RedisKeys.StreamField].ToString(), StreamEventJsonContext.Default.StreamEvent)!)
            .Where(e => e.SiteId == limited || e.SiteId == repeated || e.SiteId == large)
            .GroupBy(e => e.SiteId)
            .ToDictionary(g => g.Key, g => g.Select(e => e.EventId).ToList());
        Assert.Equal(5, bySite[limited].Count);
        Assert.Equal(20, bySite[repeated].Count);
        Assert.Equal(20, bySite[repeated].Distinct().Count());
        Assert.Equal(150, bySite[large].Count);
        Assert.Equal(150, bySite[large].Distinct().Count());
    }

    private static long EvalshaCalls(IGrouping<string, KeyValuePair<string, string>>[] info) =>
        info.SelectMany(g => g).Where(kv => kv.Key == "cmdstat_evalsha")
            .Select(kv => long.Parse(kv.Value.Split(',')[0]["calls=".Length..], System.Globalization.CultureInfo.InvariantCulture))
            .SingleOrDefault();

    private static StreamEvent Event(string siteId, string id, DateTimeOffset at) => new()
    {
        SiteId = siteId,
        EventId = id,
        EventType = "page_view",
        Ts = at.ToUnixTimeMilliseconds(),
        SessionId = $"s-{id}",
        VisitorId = "00112233aabbccdd",
        Host = "example.com",
        Path = "/",
    };
}
