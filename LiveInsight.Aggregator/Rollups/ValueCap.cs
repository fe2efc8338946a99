using LiveInsight.Aggregator.Extensions;
using LiveInsight.Core.Stats;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Aggregator.Rollups;

/// <summary>
/// Caps the distinct values each dimension of a site-day may add to the rollups. Before a batch is applied, every
/// value its rollups would write is looked up in the site-day's set of admitted values (<see
/// cref="RollupLayout.AdmittedValues"/>): a member stays itself, a new one is admitted while the set is below the cap,
/// and any other is counted as <see cref="RollupLayout.Other"/>. The sets only grow, so a redelivered batch (or one
/// another replica took over) meets the same choice; the choice is made in Redis, so every replica agrees.
/// </summary>
public sealed class ValueCap(IConnectionMultiplexer redis, IOptions<AggregatorOptions> options)
{
    // KEYS: the first set (routing only). ARGV: cap, ttl, then pairs of (set key, member). Returns 1 (admitted) or 0
    // (over the cap) per pair.
    private const string Lua = """
        local cap, ttl = tonumber(ARGV[1]), ARGV[2]
        local out = {}
        for i = 3, #ARGV, 2 do
          local key, member = ARGV[i], ARGV[i + 1]
          if redis.call('SISMEMBER', key, member) == 1 then
            out[#out + 1] = 1
          elseif redis.call('SCARD', key) < cap then
            redis.call('SADD', key, member)
            redis.call('EXPIRE', key, ttl)
            out[#out + 1] = 1
          else
            out[#out + 1] = 0
          end
        end
        return out
        """;

    /// <summary>Decides every value <paramref name="asked"/> recorded (one round trip) and returns it, now mapping.</summary>
    public async Task<RollupValues> AdmitAsync(RollupValues asked)
    {
        var values = asked.Asked.ToList();
        if (values.Count == 0)
        {
            return asked;
        }

        var args = new List<RedisValue>((values.Count * 2) + 2) { options.Value.MaxValuesPerDimensionPerDay, RollupLayout.RedisTtlSeconds };
        foreach (var (siteId, day, dimension, value) in values)
        {
            args.Add(RollupLayout.AdmittedValues(siteId, day, dimension));
            args.Add(RollupLayout.AdmittedMember(value));
        }

        // KEYS[1] only routes the script: on a cluster it runs on the node of that slot, which with N shards is every
        // set's slot (a batch is one shard's). Without a key the client would pick any node.
        var admitted = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(Lua, [(RedisKey)(string)args[2]!], args.ToArray()))!;
        for (var i = 0; i < values.Count; i++)
        {
            if ((int)admitted[i] == 0)
            {
                asked.Refuse(values[i]);
            }
        }

        return asked;
    }
}

/// <summary>
/// The values a batch's rollups write, per site-day and dimension: first recorded (a dry run of the rollups), then,
/// once <see cref="ValueCap"/> decided them, mapped: a refused value becomes <see cref="RollupLayout.Other"/>.
/// Asking through one method means no rollup can write a value the cap has not seen.
/// </summary>
public sealed class RollupValues
{
    private readonly HashSet<(string SiteId, string Day, string Dimension, string Value)> _refused = [];

    public HashSet<(string SiteId, string Day, string Dimension, string Value)> Asked { get; } = [];

    public string Value(RollupTarget target, string dimension, string value)
    {
        if (dimension == RollupLayout.Summary)
        {
            return value;
        }

        // Events ingested before values were capped at the source may still hold longer ones.
        value = RollupLayout.CapValue(value);
        var key = (target.SiteId, target.DayBucket, dimension, value);
        Asked.Add(key);
        return _refused.Contains(key) ? RollupLayout.Other : value;
    }

    internal void Refuse((string, string, string, string) value) => _refused.Add(value);
}
