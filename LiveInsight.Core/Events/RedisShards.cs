using System.Text;

namespace LiveInsight.Core.Events;

/// <summary>
/// How the hot path is split over Redis (issue 24). With one shard (the default) every key is what it always was: one
/// events stream <c>li:events</c>, each site's keys tagged with the site id (<c>li:{site}:…</c>). With N &gt; 1, sites are
/// mapped to N shards by a stable hash of their id, each shard has its own stream, open-sessions set and dirty set, and
/// every key of a site carries its shard's hash tag (<c>li:{s3}site:…</c>), so what one ingestion script or one
/// aggregator batch touches is in one Redis Cluster slot. The same keys run on a single redis-server (N shards in one
/// process) and on a cluster, where each slot, and so each shard, lives on one primary.
/// <para>The count is a deployment-wide setting (<see cref="Setting"/>), read once at start by
/// <c>AddLiveInsightRedis</c>; every Api and aggregator replica must agree on it (DEPLOY.md, "Scaling out", says how
/// to change it). A process refuses a second, different count rather than mixing two layouts.</para>
/// </summary>
public static class RedisShards
{
    public const string Setting = "LiveInsight:Redis:Shards";

    /// <summary>More shards than this would only add empty streams to poll: Redis Cluster has 16,384 slots, and a few
    /// shards per primary are enough to move load by moving slots.</summary>
    public const int MaxShards = 256;

    private static readonly Lock Gate = new();
    private static int _count = 1;
    private static bool _configured;

    /// <summary>The number of shards this process uses.</summary>
    public static int Count => _count;

    /// <summary>Whether keys carry shard tags (N &gt; 1) rather than the single-shard layout.</summary>
    public static bool Sharded => _count > 1;

    /// <summary>Every shard index, 0 … N−1.</summary>
    public static IEnumerable<int> All => Enumerable.Range(0, _count);

    /// <summary>Sets the count for this process. Calling it again with the same count is harmless; another count throws.</summary>
    public static void Configure(int count)
    {
        if (count is < 1 or > MaxShards)
        {
            throw new ArgumentOutOfRangeException(nameof(count), count, $"{Setting} must be between 1 and {MaxShards}.");
        }

        lock (Gate)
        {
            if (_configured && count != _count)
            {
                throw new InvalidOperationException(
                    $"{Setting} is {_count} in this process already; one process cannot use two key layouts ({count} asked).");
            }

            _count = count;
            _configured = true;
        }
    }

    /// <summary>The shard of a site among <see cref="Count"/>.</summary>
    public static int Of(string siteId) => Of(siteId, _count);

    /// <summary>The shard of a site among <paramref name="count"/>: FNV-1a (32 bits) of its UTF-8 id, modulo the count.
    /// Stable across processes, machines and .NET versions (string.GetHashCode is not).</summary>
    public static int Of(string siteId, int count)
    {
        if (count <= 1)
        {
            return 0;
        }

        var hash = 2166136261u;
        foreach (var b in Encoding.UTF8.GetBytes(siteId))
        {
            hash = (hash ^ b) * 16777619u;
        }

        return (int)(hash % (uint)count);
    }

    /// <summary>The hash tag's text of a shard (inside the braces): <c>s3</c>.</summary>
    public static string Tag(int shard) => $"s{shard}";
}
