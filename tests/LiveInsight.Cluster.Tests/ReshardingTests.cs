using LiveInsight.Core.Events;
using LiveInsight.Core.Redis;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Stats;
using LiveInsight.Testing;
using StackExchange.Redis;

namespace LiveInsight.Cluster.Tests;

/// <summary>Re-sharding (DEPLOY.md, "Scaling out"): every site's keys move to the new layout's names with their
/// values and expiries, open sessions follow their sites, and a stream that is not drained stops it.</summary>
public sealed class ReshardingTests
{
    public ReshardingTests() => RedisShards.Configure(ShardedWorld.Shards);

    [Fact]
    public async Task One_shard_to_three_on_one_server_moves_every_site_key_and_open_session_to_the_names_this_process_uses()
    {
        await using var server = Infrastructure.RedisServer();
        await server.StartAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync($"127.0.0.1:{server.Port},allowAdmin=true");
        var db = redis.GetDatabase();
        var sites = Enumerable.Range(0, 12).Select(_ => SiteKeys.NewSiteId()).ToList();
        foreach (var site in sites)
        {
            var old = RedisKeys.SitePrefix(site, 1);
            await db.HashSetAsync(old + "r:d:2026-11-30", "summary||pageviews", 7);
            await db.KeyExpireAsync(old + "r:d:2026-11-30", TimeSpan.FromHours(5));
            await db.HyperLogLogAddAsync(old + "hll:d:20261130", ["a", "b", "c"]);
            await db.SortedSetAddAsync(RedisKeys.OpenSessions, RedisKeys.OpenSessionMember(site, "s1"), 1234);
        }

        await db.StringSetAsync("li:cache:other", "left alone");

        var result = await Resharding.MoveAsync(redis, from: 1, to: ShardedWorld.Shards);

        Assert.Equal(sites.Count * 2L, result.KeysMoved);
        Assert.Equal(sites.Count, result.OpenSessionsMoved);
        foreach (var site in sites)
        {
            var hash = RollupLayout.RedisHash(site, Granularity.Day, "2026-11-30"); // this process's (3-shard) name
            Assert.Equal(7, (long)await db.HashGetAsync(hash, "summary||pageviews"));
            Assert.InRange((await db.KeyTimeToLiveAsync(hash))!.Value.TotalHours, 4.9, 5.0);
            Assert.Equal(3, await db.HyperLogLogLengthAsync(RedisKeys.DayVisitors(site, new DateOnly(2026, 11, 30))));
            Assert.Equal(1234, await db.SortedSetScoreAsync(RedisKeys.OpenSessionsOf(RedisShards.Of(site)), RedisKeys.OpenSessionMember(site, "s1")));
            Assert.False(await db.KeyExistsAsync(RedisKeys.SitePrefix(site, 1) + "r:d:2026-11-30"));
        }

        Assert.False(await db.KeyExistsAsync(RedisKeys.OpenSessions));
        Assert.Equal("left alone", await db.StringGetAsync("li:cache:other"));
    }

    [Fact]
    public async Task Three_shards_to_five_on_a_cluster_moves_keys_across_slots_and_refuses_an_undrained_stream()
    {
        await using var cluster = await RedisCluster.StartAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(cluster.ConnectionString);
        var db = redis.GetDatabase();
        var sites = Enumerable.Range(0, 20).Select(_ => SiteKeys.NewSiteId()).ToList();
        foreach (var site in sites)
        {
            await db.StringSetAsync(RedisKeys.SitePrefix(site, 3) + "quota:x", site);
        }

        // An entry no group has read yet: re-sharding now would strand it.
        await db.StreamAddAsync(RedisKeys.EventsStreamOf(1, 3), "e", "x");
        await db.StreamCreateConsumerGroupAsync(RedisKeys.EventsStreamOf(1, 3), "aggregator", "0-0");
        await Assert.ThrowsAsync<InvalidOperationException>(() => Resharding.MoveAsync(redis, 3, 5));

        await db.StreamReadGroupAsync(RedisKeys.EventsStreamOf(1, 3), "aggregator", "c", ">");
        var pending = await db.StreamPendingMessagesAsync(RedisKeys.EventsStreamOf(1, 3), "aggregator", 10, "c");
        await db.StreamAcknowledgeAsync(RedisKeys.EventsStreamOf(1, 3), "aggregator", pending.Select(p => p.MessageId).ToArray());
        var result = await Resharding.MoveAsync(redis, 3, 5);

        var moving = sites.Where(s => RedisKeys.SitePrefix(s, 3)[..8] != RedisKeys.SitePrefix(s, 5)[..8]).ToList();
        Assert.NotEmpty(moving);
        Assert.Equal(sites.Count, result.KeysMoved + result.KeysKept);
        foreach (var site in sites)
        {
            Assert.Equal(site, await db.StringGetAsync(RedisKeys.SitePrefix(site, 5) + "quota:x"));
        }
    }

    [Theory]
    [InlineData("li:{abcdefghijkl}:r:d:2026-11-30", 1, "abcdefghijkl", "r:d:2026-11-30")]
    [InlineData("li:{s2}abcdefghijkl:hll:d:20261130", 3, null, null)] // s2 is not this site's shard of 3 … unless it is
    [InlineData("li:{s1}:events", 3, null, null)]
    [InlineData("li:{s1}:events", 1, null, null)]
    [InlineData("li:events", 1, null, null)]
    [InlineData("li:cache:x", 3, null, null)]
    public void Site_keys_are_told_from_a_shards_own_keys(string key, int shards, string? site, string? tail)
    {
        var parsed = Resharding.ParseSiteKey(key, shards);
        if (key.StartsWith("li:{s2}", StringComparison.Ordinal))
        {
            // Only a key whose tag really is its site's shard is a site key.
            Assert.Equal(RedisShards.Of("abcdefghijkl", 3) == 2, parsed is not null);
            return;
        }

        Assert.Equal(site, parsed?.Site);
        Assert.Equal(tail, parsed?.Tail);
    }
}
