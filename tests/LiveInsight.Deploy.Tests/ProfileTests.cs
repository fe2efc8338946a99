using System.Text.Json.Nodes;
using LiveInsight.Core.Events;
using LiveInsight.Deploy.Template;

namespace LiveInsight.Deploy.Tests;

/// <summary>The small profile (issue 24): one Spot task for Api + aggregator, an HTTP API instead of the ALB, public
/// subnets instead of a NAT gateway, one Redis node.</summary>
[Collection(SmallTemplateCollection.Name)]
public sealed class SmallProfileTests(SmallTemplateFixture fixture)
{
    [Fact]
    public void Has_no_load_balancer_autoscaling_private_subnets_or_metrics_sidecar()
    {
        var types = fixture.Resources.Select(r => r.Value!["Type"]!.GetValue<string>()).ToList();
        Assert.DoesNotContain(types, t => t.StartsWith("AWS::ElasticLoadBalancingV2::", StringComparison.Ordinal));
        Assert.DoesNotContain(types, t => t.StartsWith("AWS::ApplicationAutoScaling::", StringComparison.Ordinal));
        Assert.DoesNotContain("PrivateSubnetIds", fixture.Text);
        Assert.DoesNotContain(MetricsSidecar.LogGroupId, fixture.Resources.Select(r => r.Key));
        Assert.DoesNotContain("aws-otel-collector", fixture.Text);
    }

    [Fact]
    public void One_task_runs_the_api_and_the_aggregator_on_their_own_ports_and_the_aggregator_keeps_its_health_check()
    {
        Assert.Equal(2, fixture.OfType("AWS::ECS::Service").Count()); // core (api + aggregator) and dashboard
        Assert.Equal(2, fixture.OfType("AWS::ECS::TaskDefinition").Count());
        var containers = fixture.Properties(EcsServices.TaskDefinitionId(ServiceCatalog.Api))["ContainerDefinitions"]!.AsArray();
        Assert.Equal(["api", "aggregator"], containers.Select(c => c!["Name"]!.GetValue<string>()));
        var ports = containers.Select(c => c!["PortMappings"]![0]!["ContainerPort"]!.GetValue<int>()).ToList();
        Assert.Equal([ServiceCatalog.ContainerPort, SmallProfile.AggregatorPort], ports);
        var aggregator = containers[1]!;
        var environment = aggregator["Environment"]!.AsArray().ToDictionary(e => e!["Name"]!.GetValue<string>(), e => e!["Value"]!);
        Assert.Equal(SmallProfile.AggregatorPort.ToString(), environment["HTTP_PORTS"].GetValue<string>()); // the probe reads it
        Assert.DoesNotContain("OTEL_EXPORTER_OTLP_ENDPOINT", environment.Keys); // no collector in this task
        Assert.Equal("60", environment[SmallProfile.FlushIntervalVariable].GetValue<string>());
        Assert.NotNull(aggregator["HealthCheck"]);
        Assert.All(containers, c => Assert.True(c!["Essential"]!.GetValue<bool>()));
    }

    [Fact]
    public void The_core_task_role_holds_the_aggregators_table_grants_and_nothing_else_was_added()
    {
        var statements = fixture.Properties(Iam.TaskRoleId(ServiceCatalog.Api))["Policies"]![0]!["PolicyDocument"]!["Statement"]!.AsArray();
        var actions = statements.SelectMany(s => s!["Action"]!.AsArray().Select(a => a!.GetValue<string>())).ToHashSet();
        Assert.Contains("dynamodb:BatchWriteItem", actions); // Events, Sessions, Stats: the aggregator's
        Assert.Contains("dynamodb:PutItem", actions);        // Sites: the Api's
        // DynamoDB, and the lake's S3 actions both services already held (Template/Lake.cs): nothing new.
        Assert.All(actions, a => Assert.True(a.StartsWith("dynamodb:", StringComparison.Ordinal) || a.StartsWith("s3:", StringComparison.Ordinal), a));
        Assert.False(fixture.Resources.ContainsKey(Iam.TaskRoleId(ServiceCatalog.Aggregator)));
    }

    [Fact]
    public void Services_run_on_the_chosen_capacity_provider_in_public_subnets_registered_in_cloud_map()
    {
        foreach (var (id, service) in fixture.OfType("AWS::ECS::Service"))
        {
            var properties = service["Properties"]!;
            Assert.Null(properties["LaunchType"]);
            Assert.Equal("CapacityProvider", properties["CapacityProviderStrategy"]![0]!["CapacityProvider"]!["Ref"]!.GetValue<string>());
            Assert.Equal(1, properties["DesiredCount"]!.GetValue<int>());
            var vpc = properties["NetworkConfiguration"]!["AwsvpcConfiguration"]!;
            Assert.Equal("ENABLED", vpc["AssignPublicIp"]!.GetValue<string>());
            Assert.Equal("PublicSubnetIds", vpc["Subnets"]!["Ref"]!.GetValue<string>());
            Assert.Equal(ServiceCatalog.ContainerPort, properties["ServiceRegistries"]![0]!["ContainerPort"]!.GetValue<int>());
        }

        Assert.Equal(["FARGATE", "FARGATE_SPOT"], fixture.Properties("Cluster")["CapacityProviders"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal(["FARGATE_SPOT", "FARGATE"], fixture.Template["Parameters"]!["CapacityProvider"]!["AllowedValues"]!.AsArray().Select(v => v!.GetValue<string>()));
        Assert.Equal("FARGATE_SPOT", fixture.Template["Parameters"]!["CapacityProvider"]!["Default"]!.GetValue<string>());
    }

    [Fact]
    public void Only_the_vpc_link_reaches_the_tasks_and_only_the_tasks_reach_redis()
    {
        var ingress = fixture.Properties("ServiceSecurityGroup")["SecurityGroupIngress"]!.AsArray();
        Assert.Equal("VpcLinkSecurityGroup", Assert.Single(ingress)!["SourceSecurityGroupId"]!["Fn::GetAtt"]![0]!.GetValue<string>());
        Assert.Null(fixture.Properties("VpcLinkSecurityGroup")["SecurityGroupIngress"]);
        Assert.DoesNotContain("0.0.0.0/0", fixture.Text); // nothing admits the internet: API Gateway is the only way in
        var redisIngress = Assert.Single(fixture.Properties("RedisSecurityGroup")["SecurityGroupIngress"]!.AsArray())!;
        Assert.Equal("ServiceSecurityGroup", redisIngress["SourceSecurityGroupId"]!["Fn::GetAtt"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Redis_is_one_micro_node_without_failover()
    {
        var redis = fixture.Properties("Redis");
        Assert.Equal(1, redis["NumCacheClusters"]!.GetValue<int>());
        Assert.False(redis["AutomaticFailoverEnabled"]!.GetValue<bool>());
        Assert.False(redis["MultiAZEnabled"]!.GetValue<bool>());
        Assert.True(redis["TransitEncryptionEnabled"]!.GetValue<bool>());
        Assert.Equal("cache.t4g.micro", fixture.Template["Parameters"]!["RedisNodeType"]!["Default"]!.GetValue<string>());
    }

    [Fact]
    public void The_http_api_routes_every_standard_alb_path_to_its_service_and_the_rest_to_the_dashboard()
    {
        var routes = fixture.OfType("AWS::ApiGatewayV2::Route")
            .ToDictionary(r => r.Resource["Properties"]!["RouteKey"]!.GetValue<string>(), r => r.Resource["Properties"]!["Target"]!["Fn::Sub"]!.GetValue<string>());
        foreach (var path in ServiceCatalog.IngestPaths.Concat(ServiceCatalog.ReadApiPaths))
        {
            Assert.Equal("integrations/${ApiIntegration}", routes[SmallProfile.RouteKey(path)]);
        }

        Assert.Equal("integrations/${DashboardIntegration}", routes["$default"]);
        Assert.Equal("ANY /api/stats/{proxy+}", SmallProfile.RouteKey("/api/stats/*"));
        Assert.Equal("ANY /api/events", SmallProfile.RouteKey("/api/events"));
        foreach (var (id, integration) in fixture.OfType("AWS::ApiGatewayV2::Integration"))
        {
            Assert.Equal("VPC_LINK", integration["Properties"]!["ConnectionType"]!.GetValue<string>());
            Assert.EndsWith("Discovery", integration["Properties"]!["IntegrationUri"]!["Fn::GetAtt"]![0]!.GetValue<string>());
        }

        Assert.Equal("HttpApi", fixture.Template["Outputs"]!["Url"]!["Value"]!["Fn::GetAtt"]![0]!.GetValue<string>());
        Assert.Equal("$default", fixture.Properties("HttpApiStage")["StageName"]!.GetValue<string>()); // no stage in paths
    }

    [Fact]
    public void The_dashboard_reaches_the_api_by_its_cloud_map_name()
    {
        var url = fixture.Environment(ServiceCatalog.Dashboard)["services__api__http__0"];
        Assert.Equal(SmallProfile.InternalApiUrl, url["Fn::Sub"]!.GetValue<string>());
        var ingress = fixture.Properties("ServiceSecurityGroupSelfIngress");
        Assert.Equal(ServiceCatalog.ContainerPort, ingress["FromPort"]!.GetValue<int>());
    }
}

/// <summary>The large profile (issue 24): ElastiCache cluster mode and the hot path's shard streams.</summary>
[Collection(LargeTemplateCollection.Name)]
public sealed class LargeProfileTests(LargeTemplateFixture fixture)
{
    [Fact]
    public void Redis_runs_in_cluster_mode_with_a_replica_per_node_group()
    {
        var redis = fixture.Properties("Redis");
        Assert.Null(redis["NumCacheClusters"]);
        Assert.Equal("RedisNodeGroups", redis["NumNodeGroups"]!["Ref"]!.GetValue<string>());
        Assert.Equal("RedisReplicasPerNodeGroup", redis["ReplicasPerNodeGroup"]!["Ref"]!.GetValue<string>());
        Assert.True(redis["AutomaticFailoverEnabled"]!.GetValue<bool>());
        Assert.Equal("yes", fixture.Properties("RedisParameterGroup")["Properties"]!["cluster-enabled"]!.GetValue<string>());
        Assert.Equal("noeviction", fixture.Properties("RedisParameterGroup")["Properties"]!["maxmemory-policy"]!.GetValue<string>());
    }

    [Fact]
    public void Api_and_aggregator_use_the_configuration_endpoint_and_the_shard_streams()
    {
        Assert.DoesNotContain("PrimaryEndPoint", fixture.Text);
        foreach (var spec in new[] { ServiceCatalog.Api, ServiceCatalog.Aggregator })
        {
            var environment = fixture.Environment(spec);
            Assert.Equal("${Redis.ConfigurationEndPoint.Address}:${Redis.ConfigurationEndPoint.Port},ssl=true",
                environment["ConnectionStrings__redis"]["Fn::Sub"]!.GetValue<string>());
            Assert.Equal("StreamShards", environment[LargeProfile.ShardsVariable]["Ref"]!.GetValue<string>());
        }

        Assert.Equal("LiveInsight__Redis__Shards", LargeProfile.ShardsVariable);
        Assert.Equal(RedisShards.MaxShards, fixture.Template["Parameters"]!["StreamShards"]!["MaxValue"]!.GetValue<int>());
        Assert.Equal(2, fixture.Template["Parameters"]!["StreamShards"]!["MinValue"]!.GetValue<int>()); // 1 = no hash tags
    }
}

/// <summary>The standard profile keeps today's single-shard layout.</summary>
[Collection(TemplateCollection.Name)]
public sealed class StandardProfileTests(TemplateFixture fixture)
{
    [Fact]
    public void Keeps_one_shard_and_the_primary_endpoint()
    {
        Assert.DoesNotContain(LargeProfile.ShardsVariable, fixture.Text);
        Assert.Contains("Redis.PrimaryEndPoint.Address", fixture.Text);
        Assert.Equal(2, fixture.Properties("Redis")["NumCacheClusters"]!.GetValue<int>());
        Assert.Throws<ArgumentException>(() => Profiles.Parse("huge"));
        Assert.Equal(Profile.Small, Profiles.Parse("SMALL"));
    }
}
