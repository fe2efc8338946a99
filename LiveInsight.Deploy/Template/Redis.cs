using System.Text.Json.Nodes;

namespace LiveInsight.Deploy.Template;

/// <summary>
/// ElastiCache for Redis, cluster mode disabled (one shard stream; <see cref="LargeProfile"/> turns cluster mode on),
/// a primary and a replica in two AZs with automatic failover, TLS and an AUTH token, encrypted at rest.
/// <c>noeviction</c>: the events stream is the durable buffer and must never be evicted to make room.
/// </summary>
public static class Redis
{
    public const int Port = 6379;

    public static void Add(CfnTemplate template)
    {
        template.Add("RedisSubnetGroup", "AWS::ElastiCache::SubnetGroup", new JsonObject
        {
            ["Description"] = "LiveInsight Redis: the private subnets",
            ["SubnetIds"] = Cfn.Ref("PrivateSubnetIds"),
        });
        template.Add("RedisParameterGroup", "AWS::ElastiCache::ParameterGroup", new JsonObject
        {
            ["CacheParameterGroupFamily"] = "redis7",
            ["Description"] = "LiveInsight: never evict (the stream is the durable buffer)",
            ["Properties"] = new JsonObject { ["maxmemory-policy"] = "noeviction" },
        });
        var redis = template.Add("Redis", "AWS::ElastiCache::ReplicationGroup", new JsonObject
        {
            ["ReplicationGroupDescription"] = "LiveInsight hot path: event stream, HyperLogLogs, realtime sets, cache",
            ["Engine"] = "redis",
            ["EngineVersion"] = "7.1",
            ["CacheNodeType"] = Cfn.Ref("RedisNodeType"),
            ["NumCacheClusters"] = 2,
            ["AutomaticFailoverEnabled"] = true,
            ["MultiAZEnabled"] = true,
            ["Port"] = Port,
            ["CacheParameterGroupName"] = Cfn.Ref("RedisParameterGroup"),
            ["CacheSubnetGroupName"] = Cfn.Ref("RedisSubnetGroup"),
            ["SecurityGroupIds"] = Cfn.Array(Cfn.GetAtt("RedisSecurityGroup", "GroupId")),
            ["AtRestEncryptionEnabled"] = true,
            ["TransitEncryptionEnabled"] = true,
            ["AuthToken"] = Cfn.Sub("{{resolve:secretsmanager:${RedisAuthSecret}:SecretString:password}}"),
            ["SnapshotRetentionLimit"] = 7,
            ["SnapshotWindow"] = "03:00-04:00",
            ["PreferredMaintenanceWindow"] = "sun:05:00-sun:06:00",
        });
        redis["DeletionPolicy"] = "Snapshot";
        redis["UpdateReplacePolicy"] = "Snapshot";
    }
}
