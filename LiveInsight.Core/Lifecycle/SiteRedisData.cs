using System.Globalization;
using System.Runtime.CompilerServices;
using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;
using StackExchange.Redis;

namespace LiveInsight.Core.Lifecycle;

/// <summary>
/// A site's keys in Redis, found without blocking it: SCAN for the site's prefix (<see cref="RedisKeys.SitePrefix"/>,
/// which carries the site's hash tag, so a cluster holds them on one shard: the SCAN is sent to that shard's primary by
/// the slot, see <see cref="ScanRoutedAsync"/>), UNLINK
/// in batches of at most <see cref="BatchSize"/> (freed in the background), and the site's members of the per-shard
/// sets (dirty rollups, open sessions) removed with SSCAN/ZSCAN. Which site-day a key holds is read back from its name
/// with the heads the layout classes build, never typed again.
/// </summary>
public sealed class SiteRedisData(IConnectionMultiplexer redis)
{
    public const int BatchSize = 500;
    private const int ScanPageSize = 1000;
    private const string UnlinkScript = "return redis.call('UNLINK', unpack(KEYS))";
    private const string ScanScript = "return redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3])";

    /// <summary>Passes over the site's own keys at most (each after one that removed something).</summary>
    private const int MaxSitePasses = 3;

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
        // The site's own keys share its hash tag, so one shard holds them. They are SCANned by a script keyed by the
        // site's prefix, so the SCAN runs on whichever primary holds that slot now (the client follows MOVED), whatever
        // the client believes the topology to be: a connection that has not yet learnt a failover, or whose view of the
        // primaries is stale, can otherwise SCAN the wrong node and find nothing. A pass that removed keys is followed by
        // another, so a failover between two pages of one SCAN (its cursor then walks another node) leaves nothing behind.
        for (var pass = 0; pass < MaxSitePasses; pass++)
        {
            var removedThisPass = await RemoveKeysAsync(ScanRoutedAsync(prefix, patterns[0], cancellationToken), remove, cancellationToken);
            removed += removedThisPass;
            if (removedThisPass == 0)
            {
                break;
            }
        }

        // Keys of every slot (read-cache answers, per-minute counters) are on every primary; they expire within minutes
        // anyway, so a primary missing from the client's view for a moment costs nothing that lasts.
        foreach (var pattern in patterns.Skip(1))
        {
            foreach (var server in Primaries())
            {
                removed += await RemoveKeysAsync(server.KeysAsync(pattern: pattern, pageSize: ScanPageSize), remove, cancellationToken);
            }
        }

        if (sharedMembers)
        {
            await RemoveSharedMembersAsync(siteId, prefix);
        }

        return removed;
    }

    /// <summary>UNLINKs the keys <paramref name="keys"/> yields that <paramref name="remove"/> accepts, in batches.</summary>
    private async Task<long> RemoveKeysAsync(IAsyncEnumerable<RedisKey> keys, Func<string, bool>? remove, CancellationToken cancellationToken)
    {
        long removed = 0;
        var batch = new List<RedisKey>(BatchSize);
        await foreach (var key in keys.WithCancellation(cancellationToken))
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

        return removed + await UnlinkAsync(batch);
    }

    /// <summary>SCAN (one page of <see cref="ScanPageSize"/> per call, as a plain SCAN blocks Redis) on the primary that
    /// holds <paramref name="slotKey"/>'s hash slot, asked through a script keyed by it.</summary>
    private async IAsyncEnumerable<RedisKey> ScanRoutedAsync(
        string slotKey, string pattern, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        RedisValue cursor = 0;
        do
        {
            cancellationToken.ThrowIfCancellationRequested();
            var page = (RedisResult[])(await db.ScriptEvaluateAsync(ScanScript, [slotKey], [cursor, pattern, ScanPageSize]))!;
            cursor = (RedisValue)page[0];
            foreach (var key in (RedisKey[])page[1]!)
            {
                yield return key;
            }
        }
        while (cursor != "0");
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
        // The taken copies share the dirty set's slot: asked of the primary that holds it, as the site's keys are.
        var head = RollupLayout.FlushingSet(shard, "");
        await foreach (var key in ScanRoutedAsync(RollupLayout.DirtySetOf(shard), Glob(head) + "*", CancellationToken.None))
        {
            sets.Add(key);
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

    /// <summary>A literal for a SCAN MATCH pattern (site ids hold none of these, but keys are never trusted to).</summary>
    private static string Glob(string literal) =>
        string.Concat(literal.Select(c => c is '*' or '?' or '[' or ']' or '\\' ? "\\" + c : c.ToString()));
}
