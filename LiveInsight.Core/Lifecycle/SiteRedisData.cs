using System.Globalization;
using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;
using StackExchange.Redis;

namespace LiveInsight.Core.Lifecycle;

/// <summary>
/// A site's keys in Redis, found without blocking it: SCAN (on every primary of a cluster) for the site's prefix
/// (<see cref="RedisKeys.SitePrefix"/>, which carries the site's hash tag, so a cluster holds them on one shard), UNLINK
/// in batches of at most <see cref="BatchSize"/> (freed in the background), and the site's members of the per-shard
/// sets (dirty rollups, open sessions) removed with SSCAN/ZSCAN. Which site-day a key holds is read back from its name
/// with the heads the layout classes build, never typed again.
/// </summary>
public sealed class SiteRedisData(IConnectionMultiplexer redis)
{
    public const int BatchSize = 500;
    private const int ScanPageSize = 1000;
    private const string UnlinkScript = "return redis.call('UNLINK', unpack(KEYS))";

    /// <summary>Removes every key of the site for which <paramref name="remove"/> says yes (null: every key), and the
    /// site's members of the shared sets when <paramref name="sharedMembers"/>. Returns how many keys went.</summary>
    public async Task<long> RemoveAsync(string siteId, Func<string, bool>? remove, bool sharedMembers, CancellationToken cancellationToken)
    {
        var prefix = RedisKeys.SitePrefix(siteId);
        long removed = 0;
        // Beside the site's own keys: its stats-query counters of this minute, and the read cache's second level
        // (answers and site lookups naming the site; they would expire within minutes anyway).
        var patterns = new[]
        {
            Glob(prefix) + "*",
            Glob(RedisKeys.StatsQueriesThisMinute(siteId, DateTimeOffset.UnixEpoch)[..^12]) + "*",
            Glob(RedisKeys.ReadCachePrefix) + "*" + Glob(siteId) + "*",
        };
        foreach (var pattern in patterns)
        {
            // The site's own keys share its hash tag, so one shard holds them: that shard's primary is asked by the key
            // itself (the slot map), not only found among the servers that look like connected primaries right now (a
            // cluster whose topology is still being learnt, or just failed over, can leave it out of that list).
            var servers = pattern == patterns[0] ? Primaries().Append(OwnerOf(prefix)) : Primaries();
            foreach (var server in servers.DistinctBy(s => s.EndPoint.ToString()))
            {
                var batch = new List<RedisKey>(BatchSize);
                await foreach (var key in server.KeysAsync(pattern: pattern, pageSize: ScanPageSize).WithCancellation(cancellationToken))
                {
                    if (remove is null || remove(key.ToString()))
                    {
                        batch.Add(key);
                    }

                    if (batch.Count == BatchSize)
                    {
                        removed += await UnlinkAsync(batch);
                        batch.Clear();
                    }
                }

                removed += await UnlinkAsync(batch);
            }
        }

        if (sharedMembers)
        {
            await RemoveSharedMembersAsync(siteId, prefix);
        }

        return removed;
    }

    /// <summary>The site-local day a key of the site holds data of (rollup hashes, visitor sketches, value caps), or
    /// null for keys of no one day (realtime sets, sessions, quotas, key usage, alerts).</summary>
    public static DateOnly? DayOf(string siteId, string key, TimeZoneInfo zone)
    {
        var prefix = RedisKeys.SitePrefix(siteId);
        if (!key.StartsWith(prefix, StringComparison.Ordinal))
        {
            return null;
        }

        foreach (var head in DayHeads(siteId))
        {
            if (key.StartsWith(head, StringComparison.Ordinal) && key.Length >= head.Length + 10
                && DateOnly.TryParseExact(key.AsSpan(head.Length, 10), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
            {
                return day;
            }
        }

        var compactDay = RedisKeys.DayVisitors(siteId, Sample)[..^8];
        if (key.StartsWith(compactDay, StringComparison.Ordinal) && key.Length == compactDay.Length + 8
            && DateOnly.TryParseExact(key.AsSpan(compactDay.Length), "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
        {
            return d;
        }

        foreach (var head in HourHeads(siteId))
        {
            if (key.StartsWith(head, StringComparison.Ordinal) && key.Length == head.Length + 10
                && DateTime.TryParseExact(key.AsSpan(head.Length), "yyyyMMddHH", CultureInfo.InvariantCulture,
                    DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var hour))
            {
                return DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(new DateTimeOffset(hour, TimeSpan.Zero), zone).DateTime);
            }
        }

        return null;
    }

    /// <summary>Keys kept by a reset of the site's stats: when each key was last used (a setting of the keys, not a stat).</summary>
    public static bool IsStat(string siteId, string key) => key != RedisKeys.KeysLastUsed(siteId);

    private static readonly DateOnly Sample = new(2000, 1, 1);
    private static readonly DateTimeOffset SampleHour = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Heads followed by a site-local day as <c>yyyy-MM-dd</c>: day rollup hashes, value sketches, value caps.</summary>
    private static IEnumerable<string> DayHeads(string siteId)
    {
        var bucket = RollupLayout.DayBucket(Sample);
        yield return RollupLayout.RedisHash(siteId, Granularity.Day, bucket)[..^bucket.Length];
        yield return RollupLayout.ValueVisitorsHllHead(siteId, bucket)[..^(bucket.Length + 1)];
        yield return RollupLayout.PageVisitorsHll(siteId, bucket, "")[..^(bucket.Length + 1)];
        yield return RollupLayout.AdmittedValues(siteId, bucket, "")[..^(bucket.Length + 1)];
    }

    /// <summary>Heads followed by a UTC hour as <c>yyyyMMddHH</c>: hour rollup hashes and hour visitor sketches.</summary>
    private static IEnumerable<string> HourHeads(string siteId)
    {
        var bucket = RollupLayout.Bucket(Granularity.Hour, SampleHour, TimeZoneInfo.Utc);
        yield return RollupLayout.RedisHash(siteId, Granularity.Hour, bucket)[..^bucket.Length];
        yield return RedisKeys.HourVisitors(siteId, SampleHour)[..^bucket.Length];
    }

    private async Task RemoveSharedMembersAsync(string siteId, string prefix)
    {
        var db = redis.GetDatabase();
        foreach (var shard in RedisShards.All)
        {
            foreach (var set in await FlushingSetsAsync(shard))
            {
                var members = new List<RedisValue>();
                await foreach (var member in db.SetScanAsync(set, Glob(prefix) + "*", ScanPageSize))
                {
                    members.Add(member);
                }

                foreach (var chunk in members.Chunk(BatchSize))
                {
                    await db.SetRemoveAsync(set, chunk);
                }
            }

            var open = RedisKeys.OpenSessionsOf(shard);
            var sessions = new List<RedisValue>();
            await foreach (var entry in db.SortedSetScanAsync(open, Glob(RedisKeys.OpenSessionMember(siteId, "")) + "*", ScanPageSize))
            {
                sessions.Add(entry.Element);
            }

            foreach (var chunk in sessions.Chunk(BatchSize))
            {
                await db.SortedSetRemoveAsync(open, chunk);
            }
        }
    }

    /// <summary>The shard's dirty set and every flusher's taken copy of it.</summary>
    private async Task<List<RedisKey>> FlushingSetsAsync(int shard)
    {
        var sets = new List<RedisKey> { RollupLayout.DirtySetOf(shard) };
        var head = RollupLayout.FlushingSet(shard, "");
        foreach (var server in Primaries())
        {
            await foreach (var key in server.KeysAsync(pattern: Glob(head) + "*", pageSize: ScanPageSize))
            {
                sets.Add(key);
            }
        }

        return sets;
    }

    private async Task<long> UnlinkAsync(List<RedisKey> keys)
    {
        if (keys.Count == 0)
        {
            return 0;
        }

        // One UNLINK per hash slot (a cluster refuses keys of several slots in one command); a site's keys share one.
        long removed = 0;
        var db = redis.GetDatabase();
        foreach (var slot in keys.GroupBy(k => redis.HashSlot(k)))
        {
            removed += (long)await db.ScriptEvaluateAsync(UnlinkScript, slot.ToArray());
        }

        return removed;
    }

    private IEnumerable<IServer> Primaries() => redis.GetServers().Where(s => s.IsConnected && !s.IsReplica);

    /// <summary>The server that holds <paramref name="key"/>'s hash slot (the primary a write of it goes to).</summary>
    private IServer OwnerOf(string key) =>
        redis.GetServer(redis.GetDatabase().IdentifyEndpoint(key) ?? throw new InvalidOperationException("No Redis server holds the site's keys."));

    /// <summary>A literal for a SCAN MATCH pattern (site ids hold none of these, but keys are never trusted to).</summary>
    private static string Glob(string literal) =>
        string.Concat(literal.Select(c => c is '*' or '?' or '[' or ']' or '\\' ? "\\" + c : c.ToString()));
}
