using System.Text.Json.Nodes;
using LiveInsight.Core.Events;

namespace LiveInsight.Deploy.Template;

/// <summary>
/// The large profile (issue 24): ElastiCache with cluster mode enabled (node groups = primaries, each with a replica
/// in another AZ), the Api and the aggregator on <see cref="RedisShards"/> shard streams whose hash tags spread them
/// over the node groups' slots, and higher scaling ceilings. Everything else is the standard stack.
/// </summary>
public static class LargeProfile
{
    /// <summary>The environment variable of <see cref="RedisShards.Setting"/>.</summary>
    public static readonly string ShardsVariable = RedisShards.Setting.Replace(":", "__", StringComparison.Ordinal);

    public static void Apply(CfnTemplate template)
    {
        template.Parameter("RedisNodeGroups", "Number",
            "ElastiCache node groups (shards of the cluster: each a primary and its replicas). Online resharding changes it.", "3");
        template.Parameter("RedisReplicasPerNodeGroup", "Number", "Replicas per node group (in other AZs; 1 gives failover).", "1");
        template.Parameter("StreamShards", "Number",
            "Shard streams of the hot path (LiveInsight:Redis:Shards): several per node group, so load moves with slots. Changing it is the re-sharding procedure of DEPLOY.md.",
            "12", p => { p["MinValue"] = 2; p["MaxValue"] = RedisShards.MaxShards; });
        template.Parameters["RedisNodeType"]!["Default"] = "cache.r7g.large";
        template.Parameters["RedisNodeType"]!["Description"] = "ElastiCache node type (every primary and replica of every node group).";
        template.Parameters["ApiMaxTasks"]!["Default"] = "40";
        template.Parameters["AggregatorMaxTasks"]!["Default"] = "16";

        var parameters = template.Resources["RedisParameterGroup"]!["Properties"]!.AsObject();
        parameters["Description"] = "LiveInsight: cluster mode, never evict (the stream is the durable buffer)";
        parameters["Properties"]!["cluster-enabled"] = "yes";

        var redis = template.Resources["Redis"]!["Properties"]!.AsObject();
        redis.Remove("NumCacheClusters");
        redis["ReplicationGroupDescription"] = "LiveInsight hot path, cluster mode: shard streams, HyperLogLogs, realtime sets, cache";
        redis["NumNodeGroups"] = Cfn.Ref("RedisNodeGroups");
        redis["ReplicasPerNodeGroup"] = Cfn.Ref("RedisReplicasPerNodeGroup");

        // Clients are given the configuration endpoint and discover every node group's primary from it.
        Profiles.RewriteStrings(template.Resources, s => s.Replace("Redis.PrimaryEndPoint.", "Redis.ConfigurationEndPoint.", StringComparison.Ordinal));
        foreach (var spec in new[] { ServiceCatalog.Api, ServiceCatalog.Aggregator })
        {
            Profiles.SetEnvironment(Profiles.Containers(template, EcsServices.TaskDefinitionId(spec))[0]!, ShardsVariable, Cfn.Ref("StreamShards"));
        }
    }
}
