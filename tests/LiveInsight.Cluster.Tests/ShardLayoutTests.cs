using LiveInsight.Core.Events;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Stats;

namespace LiveInsight.Cluster.Tests;

/// <summary>The key layout with N shards (this test process runs with <see cref="ShardedWorld.Shards"/>): what one
/// script or batch touches shares one hash slot, and the flusher can read a rollup key back.</summary>
public sealed class ShardLayoutTests
{
    public ShardLayoutTests() => RedisShards.Configure(ShardedWorld.Shards);

    [Fact]
    public void Every_key_of_a_site_and_its_shards_global_keys_share_one_slot()
    {
        for (var i = 0; i < 50; i++)
        {
            var site = SiteKeys.NewSiteId();
            var shard = RedisShards.Of(site);
            var keys = new[]
            {
                RedisKeys.EventsStreamOf(shard), RedisKeys.OpenSessionsOf(shard), RollupLayout.DirtySetOf(shard),
                RollupLayout.FlushingSet(shard, "replica-1"), RedisKeys.EventsStreamFor(site),
                RedisKeys.RealtimeVisitors(site), RedisKeys.RealtimeSessions(site), RedisKeys.RealtimePages(site),
                RedisKeys.QuotaThisMinute(site, DateTimeOffset.UtcNow), RedisKeys.KeysLastUsed(site),
                RedisKeys.SeenEvents(site, DateTimeOffset.UtcNow), RedisKeys.HourVisitors(site, DateTimeOffset.UtcNow),
                RedisKeys.DayVisitors(site, new DateOnly(2026, 11, 30)), RedisKeys.Session(site, "abc"),
                RedisKeys.SessionKeyHead(shard) + site + RedisKeys.SessionKeyMiddle + "abc",
                RollupLayout.RedisHash(site, Granularity.Hour, "2026113010"),
                RollupLayout.ValueVisitorsHll(site, "2026-11-30", RollupLayout.Page, "/"),
                RollupLayout.ValueVisitorsHll(site, "2026-11-30", RollupLayout.Source, "Google"),
                RollupLayout.AdmittedValues(site, "2026-11-30", RollupLayout.Page), RedisKeys.VisitorScratchPrefix(site) + "1",
            };
            Assert.Single(keys.Select(Slot).Distinct());
            Assert.Equal(RedisKeys.Session(site, "abc"), keys[14]);
        }
    }

    [Fact]
    public void Sites_spread_over_every_shard_and_a_site_always_maps_to_the_same_one()
    {
        var sites = Enumerable.Range(0, 3000).Select(_ => SiteKeys.NewSiteId()).ToList();
        var perShard = sites.GroupBy(RedisShards.Of).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(RedisShards.All.Order(), perShard.Keys.Order());
        Assert.All(perShard.Values, n => Assert.InRange(n, 800, 1200)); // about a third each
        // FNV-1a of the UTF-8 id: fixed values, so every process and version agrees on a site's shard.
        Assert.Equal(RedisShards.Of("abcdefghijkl", 16), RedisShards.Of("abcdefghijkl", 16));
        Assert.Equal(0, RedisShards.Of("anything", 1));
        Assert.Equal((int)(0xE40C292Cu % 7), RedisShards.Of("a", 7)); // FNV-1a("a") = 0xE40C292C
    }

    [Fact]
    public void The_flusher_reads_site_granularity_and_bucket_back_from_a_sharded_rollup_key()
    {
        var site = SiteKeys.NewSiteId();
        Assert.Equal((site, Granularity.Hour, "2026113010"), RollupLayout.ParseRedisHash(RollupLayout.RedisHash(site, Granularity.Hour, "2026113010")));
        Assert.Equal((site, Granularity.Day, "2026-11-30"), RollupLayout.ParseRedisHash(RollupLayout.RedisHash(site, Granularity.Day, "2026-11-30")));
        Assert.StartsWith($"li:{{s{RedisShards.Of(site)}}}{site}:", RedisKeys.SitePrefix(site));
    }

    [Fact]
    public void A_process_refuses_a_second_different_shard_count()
    {
        Assert.Throws<InvalidOperationException>(() => RedisShards.Configure(ShardedWorld.Shards + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => RedisShards.Configure(0));
        RedisShards.Configure(ShardedWorld.Shards); // the same count again is fine
    }

    /// <summary>Redis Cluster's slot of a key: CRC16 (XMODEM) of its hash tag (or the whole key) modulo 16,384.</summary>
    private static int Slot(string key)
    {
        var open = key.IndexOf('{');
        var close = open < 0 ? -1 : key.IndexOf('}', open + 1);
        var part = close > open + 1 ? key[(open + 1)..close] : key;
        ushort crc = 0;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(part))
        {
            crc ^= (ushort)(b << 8);
            for (var i = 0; i < 8; i++)
            {
                crc = (crc & 0x8000) != 0 ? (ushort)((crc << 1) ^ 0x1021) : (ushort)(crc << 1);
            }
        }

        return crc % 16384;
    }
}
