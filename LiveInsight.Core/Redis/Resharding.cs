using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;
using StackExchange.Redis;

namespace LiveInsight.Core.Redis;

/// <summary>What one re-sharding moved.</summary>
public sealed record ReshardResult(long KeysMoved, long KeysKept, long OpenSessionsMoved);

/// <summary>
/// Moves every site's keys from the layout of <c>from</c> shards to that of <c>to</c> (DEPLOY.md, "Scaling out": run
/// with ingestion stopped and the aggregator drained, flushed and stopped). Each key whose site prefix changes is
/// copied with DUMP/RESTORE (keeping its expiry) and deleted (RENAME cannot cross slots); the open sessions move to
/// their site's new shard with their scores. It refuses to start while any shard stream has entries a group has not
/// acknowledged or a dirty set is not empty, and never overwrites a key that exists under the new name.
/// </summary>
public static class Resharding
{
    public const string Argument = "--reshard";

    public static async Task<ReshardResult> MoveAsync(IConnectionMultiplexer redis, int from, int to)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(from, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(to, 1);
        var db = redis.GetDatabase();
        await EnsureDrainedAsync(db, from);

        long moved = 0, kept = 0;
        foreach (var server in redis.GetServers().Where(s => s.IsConnected && !s.IsReplica))
        {
            await foreach (var key in server.KeysAsync(pattern: "li:{*", pageSize: 1000))
            {
                if (ParseSiteKey(key!, from) is not var (site, tail))
                {
                    continue;
                }

                var target = RedisKeys.SitePrefix(site, to) + tail;
                if (target == key.ToString())
                {
                    kept++;
                    continue;
                }

                await MoveKeyAsync(db, key, target);
                moved++;
            }
        }

        return new ReshardResult(moved, kept, await MoveOpenSessionsAsync(db, from, to));
    }

    /// <summary>The site and the rest of a site's key in the layout of <paramref name="shards"/> shards, or null for a
    /// shard's own keys (stream, open sessions, dirty set) and anything else.</summary>
    public static (string Site, string Tail)? ParseSiteKey(string key, int shards)
    {
        var close = key.IndexOf('}', StringComparison.Ordinal);
        if (!key.StartsWith("li:{", StringComparison.Ordinal) || close < 0)
        {
            return null;
        }

        if (shards == 1)
        {
            var site = key[4..close];
            return site.Length > 0 && key.Length > close + 1 && key[close + 1] == ':' && !IsShardTag(site)
                ? (site, key[(close + 2)..])
                : null;
        }

        var colon = key.IndexOf(':', close + 1);
        var shardSite = key[(close + 1)..(colon < 0 ? key.Length : colon)];
        return IsShardTag(key[4..close]) && shardSite.Length > 0 && colon > 0
            && RedisKeys.SitePrefix(shardSite, shards) == key[..(colon + 1)]
            ? (shardSite, key[(colon + 1)..])
            : null;
    }

    private static bool IsShardTag(string tag) => tag.Length > 1 && tag[0] == 's' && tag[1..].All(char.IsAsciiDigit);

    private static async Task EnsureDrainedAsync(IDatabase db, int from)
    {
        for (var shard = 0; shard < from; shard++)
        {
            var stream = RedisKeys.EventsStreamOf(shard, from);
            if (await db.KeyExistsAsync(stream))
            {
                foreach (var group in await db.StreamGroupInfoAsync(stream))
                {
                    if (group.PendingMessageCount > 0 || (group.Lag ?? 0) > 0)
                    {
                        throw new InvalidOperationException(
                            $"{stream}: group {group.Name} has {group.Lag} unread and {group.PendingMessageCount} pending entries; drain the aggregator first.");
                    }
                }
            }

            var dirty = RollupLayout.DirtySetOf(shard, from);
            if (await db.SetLengthAsync(dirty) > 0)
            {
                throw new InvalidOperationException($"{dirty} is not empty: let the aggregator flush first.");
            }
        }
    }

    private static async Task MoveKeyAsync(IDatabase db, RedisKey key, string target)
    {
        var dump = await db.KeyDumpAsync(key);
        if (dump is null)
        {
            return; // expired meanwhile
        }

        var ttl = await db.KeyTimeToLiveAsync(key);
        if (await db.KeyExistsAsync(target))
        {
            throw new InvalidOperationException($"{target} exists already; not overwriting it with {key}.");
        }

        await db.KeyRestoreAsync(target, dump, ttl);
        await db.KeyDeleteAsync(key);
    }

    private static async Task<long> MoveOpenSessionsAsync(IDatabase db, int from, int to)
    {
        var members = new List<SortedSetEntry>();
        for (var shard = 0; shard < from; shard++)
        {
            var key = RedisKeys.OpenSessionsOf(shard, from);
            members.AddRange(await db.SortedSetRangeByRankWithScoresAsync(key));
            await db.KeyDeleteAsync(key);
        }

        foreach (var group in members.GroupBy(m => RedisShards.Of(m.Element.ToString().Split(RedisKeys.OpenSessionSeparator)[0], to)))
        {
            await db.SortedSetAddAsync(RedisKeys.OpenSessionsOf(group.Key, to), group.ToArray());
        }

        return members.Count;
    }
}
