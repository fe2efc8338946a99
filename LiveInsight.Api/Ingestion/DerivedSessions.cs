using System.Globalization;
using LiveInsight.Core.Events;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Api.Ingestion;

/// <summary>
/// Sessions for events whose tracker keeps none (Plausible's and Umami's): one per visitor until the visitor has been
/// idle for <see cref="IngestionOptions.DerivedSessionIdleSeconds"/> (30 minutes, as Plausible's server splits them).
/// A visitor's current session is a Redis string with that TTL (<see cref="RedisKeys.DerivedSession"/>): <c>SET NX GET</c>
/// keeps the one another replica may have just made, <c>EXPIRE</c> extends it; one pipelined round trip per request.
/// The visitor id changes with the daily salt, so a session still ends at the end of the (UTC) day.
/// </summary>
public sealed class DerivedSessions(IConnectionMultiplexer redis, IOptions<IngestionOptions> options, TimeProvider time)
{
    public async Task AssignAsync(string siteId, IReadOnlyList<IngestEvent> events)
    {
        var visitors = events.Where(e => e.Dropped is null && e.SessionId is null && e.VisitorId.Length > 0)
            .GroupBy(e => e.VisitorId, StringComparer.Ordinal)
            .ToList();
        if (visitors.Count == 0)
        {
            return;
        }

        var idle = TimeSpan.FromSeconds(options.Value.DerivedSessionIdleSeconds);
        var started = time.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        var batch = redis.GetDatabase().CreateBatch();
        var pending = visitors.Select(group =>
        {
            var key = RedisKeys.DerivedSession(siteId, group.Key);
            // "v" + visitor id as before idle splits existed, then when this session started.
            var candidate = $"v{group.Key}.{started}";
            var kept = batch.StringSetAndGetAsync(key, candidate, idle, keepTtl: false, When.NotExists);
            var extended = batch.KeyExpireAsync(key, idle);
            return (Events: group, Candidate: candidate, Kept: kept, Extended: extended);
        }).ToList();
        batch.Execute();
        foreach (var (group, candidate, kept, extended) in pending)
        {
            var existing = await kept;
            await extended;
            var session = existing.IsNull ? candidate : existing.ToString();
            foreach (var e in group)
            {
                e.SessionId = session;
            }
        }
    }
}
