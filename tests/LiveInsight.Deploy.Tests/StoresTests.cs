using System.Text.Json.Nodes;
using LiveInsight.Core.Storage;
using LiveInsight.Deploy.Template;

namespace LiveInsight.Deploy.Tests;

/// <summary>DynamoDB tables from <see cref="Tables.All"/>, ElastiCache and the secrets.</summary>
[Collection(TemplateCollection.Name)]
public sealed class StoresTests(TemplateFixture fixture)
{
    [Fact]
    public void The_tables_are_exactly_Tables_All()
    {
        var names = fixture.OfType("AWS::DynamoDB::Table").Select(t => t.Resource["Properties"]!["TableName"]!["Fn::Sub"]!.GetValue<string>());
        Assert.Equal(Tables.All.Select(t => "${TablePrefix}" + t.LogicalName).Order(), names.Order());
    }

    public static TheoryData<string> TableNames() => new(Tables.All.Select(t => t.LogicalName));

    [Theory]
    [MemberData(nameof(TableNames))]
    public void Each_table_has_the_keys_indexes_and_ttl_of_its_definition_and_production_settings(string logicalName)
    {
        var definition = Tables.All.Single(t => t.LogicalName == logicalName);
        var resource = fixture.Resource(DynamoDbTables.LogicalId(definition));
        var properties = resource["Properties"]!;

        Assert.Equal("PAY_PER_REQUEST", properties["BillingMode"]!.GetValue<string>());
        Assert.Equal(
            definition.AttributeDefinitions.Select(a => $"{a.Name}:{a.Type.Value}").Order(),
            properties["AttributeDefinitions"]!.AsArray().Select(a => $"{a!["AttributeName"]}:{a["AttributeType"]}").Order());
        Assert.Equal(Keys(definition.PartitionKey, definition.SortKey), Keys(properties["KeySchema"]));

        var indexes = properties["GlobalSecondaryIndexes"]?.AsArray() ?? [];
        Assert.Equal(definition.Indexes.Select(i => i.Name).Order(), indexes.Select(i => i!["IndexName"]!.GetValue<string>()).Order());
        foreach (var index in definition.Indexes)
        {
            var node = indexes.Single(i => i!["IndexName"]!.GetValue<string>() == index.Name)!;
            Assert.Equal(Keys(index.PartitionKey, index.SortKey), Keys(node["KeySchema"]));
            Assert.Equal("ALL", node["Projection"]!["ProjectionType"]!.GetValue<string>());
        }

        if (definition.TimeToLiveAttribute is null)
        {
            Assert.Null(properties["TimeToLiveSpecification"]);
        }
        else
        {
            Assert.Equal(definition.TimeToLiveAttribute, properties["TimeToLiveSpecification"]!["AttributeName"]!.GetValue<string>());
            Assert.True(properties["TimeToLiveSpecification"]!["Enabled"]!.GetValue<bool>());
        }

        Assert.True(properties["SSESpecification"]!["SSEEnabled"]!.GetValue<bool>());
        Assert.True(properties["PointInTimeRecoverySpecification"]!["PointInTimeRecoveryEnabled"]!.GetValue<bool>());
        Assert.True(properties["DeletionProtectionEnabled"]!.GetValue<bool>());
        Assert.Equal("Retain", resource["DeletionPolicy"]!.GetValue<string>());
        Assert.Equal("Retain", resource["UpdateReplacePolicy"]!.GetValue<string>());
    }

    [Fact]
    public void Redis_is_one_shard_with_a_replica_failover_tls_auth_and_no_eviction()
    {
        var redis = fixture.Properties("Redis");
        Assert.Null(redis["NumNodeGroups"]);      // cluster mode disabled: the ingestion script needs one shard
        Assert.Null(redis["ClusterMode"]);
        Assert.Equal(2, redis["NumCacheClusters"]!.GetValue<int>());
        Assert.True(redis["AutomaticFailoverEnabled"]!.GetValue<bool>());
        Assert.True(redis["MultiAZEnabled"]!.GetValue<bool>());
        Assert.True(redis["AtRestEncryptionEnabled"]!.GetValue<bool>());
        Assert.True(redis["TransitEncryptionEnabled"]!.GetValue<bool>());
        Assert.StartsWith("7.", redis["EngineVersion"]!.GetValue<string>());
        Assert.Equal("{{resolve:secretsmanager:${RedisAuthSecret}:SecretString:password}}", redis["AuthToken"]!["Fn::Sub"]!.GetValue<string>());
        Assert.Equal("RedisParameterGroup", redis["CacheParameterGroupName"]!["Ref"]!.GetValue<string>());
        Assert.Equal("noeviction", fixture.Properties("RedisParameterGroup")["Properties"]!["maxmemory-policy"]!.GetValue<string>());
        Assert.Equal("RedisSecurityGroup", redis["SecurityGroupIds"]![0]!["Fn::GetAtt"]![0]!.GetValue<string>());
        Assert.Equal("Snapshot", fixture.Resource("Redis")["DeletionPolicy"]!.GetValue<string>());

        var ingress = fixture.Properties("RedisSecurityGroup")["SecurityGroupIngress"]!.AsArray().Single()!;
        Assert.Equal(6379, ingress["FromPort"]!.GetValue<int>());
        Assert.Equal("ServiceSecurityGroup", ingress["SourceSecurityGroupId"]!["Fn::GetAtt"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Secrets_are_generated_in_Secrets_Manager_not_written_in_the_template()
    {
        foreach (var id in Secrets.All)
        {
            var secret = fixture.Properties(id);
            Assert.Null(secret["SecretString"]);
            Assert.True(secret["GenerateSecretString"]!["PasswordLength"]!.GetValue<int>() >= 32);
            Assert.True(secret["GenerateSecretString"]!["ExcludePunctuation"]!.GetValue<bool>());
        }
    }

    private static string[] Keys(KeyAttribute partition, KeyAttribute? sort) =>
        sort is null ? [$"{partition.Name}:HASH"] : [$"{partition.Name}:HASH", $"{sort.Name}:RANGE"];

    private static string[] Keys(JsonNode? schema) =>
        schema!.AsArray().Select(k => $"{k!["AttributeName"]}:{k["KeyType"]}").ToArray();
}
