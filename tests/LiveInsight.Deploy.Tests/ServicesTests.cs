using Microsoft.Extensions.Hosting;
using System.Text.Json.Nodes;
using LiveInsight.Deploy.Manifest;
using LiveInsight.Deploy.Template;

namespace LiveInsight.Deploy.Tests;

/// <summary>ECS services: environment from the manifest, routes, health checks, Service Connect and autoscaling.</summary>
[Collection(TemplateCollection.Name)]
public sealed class ServicesTests(TemplateFixture fixture)
{
    public static TheoryData<string> Services() => new(ServiceCatalog.All.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Services))]
    public void Environment_has_no_emulator_or_localhost_value(string name)
    {
        var spec = ServiceCatalog.For(name);
        var environment = fixture.Environment(spec);
        Assert.DoesNotContain("ConnectionStrings__dynamodb", environment.Keys);
        Assert.DoesNotContain(fixture.Secrets(spec).Keys, k => k.Contains("dynamodb", StringComparison.OrdinalIgnoreCase));
        foreach (var (variable, value) in environment)
        {
            var text = value.ToJsonString();
            Assert.DoesNotContain("8000", text);              // DynamoDB Local's port
            Assert.DoesNotContain("dynamodb-local", text);
            if (variable == "OTEL_EXPORTER_OTLP_ENDPOINT" && spec.MetricsSidecar)
            {
                Assert.Equal(MetricsSidecar.OtlpEndpoint, value.GetValue<string>()); // the collector in the same task
                continue;
            }

            Assert.False(EnvironmentMapper.LooksLocal(text), $"{name}: {variable} = {text}");
        }

        Assert.Equal("AWS::Region", environment["AWS_REGION"]["Ref"]!.GetValue<string>());
        Assert.Equal("8080", environment["HTTP_PORTS"].GetValue<string>());
    }

    [Theory]
    [MemberData(nameof(Services))]
    public void Every_manifest_variable_is_mapped_or_dropped_with_a_reason(string name)
    {
        var project = AspireManifest.Parse(fixture.ManifestJson).Projects.Single(p => p.Name == name);
        var spec = ServiceCatalog.For(name);
        var present = fixture.Environment(spec).Keys.Concat(fixture.Secrets(spec).Keys).ToHashSet();
        var dropped = fixture.Generator.Dropped.Where(d => d.Name.StartsWith(name + ": ", StringComparison.Ordinal))
            .Select(d => d.Name[(name.Length + 2)..]).ToHashSet();
        foreach (var (variable, _) in project.Environment)
        {
            Assert.True(present.Contains(variable) ^ dropped.Contains(variable), $"{name}: {variable}");
        }
    }

    [Fact]
    public void Redis_connection_is_the_ElastiCache_primary_with_tls_and_the_auth_token_as_a_secret()
    {
        foreach (var spec in new[] { ServiceCatalog.Api, ServiceCatalog.Aggregator })
        {
            Assert.Equal("${Redis.PrimaryEndPoint.Address}:${Redis.PrimaryEndPoint.Port},ssl=true",
                fixture.Environment(spec)["ConnectionStrings__redis"]["Fn::Sub"]!.GetValue<string>());
            Assert.Equal("${RedisAuthSecret}:password::",
                fixture.Secrets(spec)[EnvironmentMapper.RedisPasswordVariable]["Fn::Sub"]!.GetValue<string>());
            Assert.Equal("TablePrefix", fixture.Environment(spec)["LiveInsight__Storage__TablePrefix"]["Ref"]!.GetValue<string>());
        }
    }

    [Fact]
    public void Api_and_dashboard_get_the_admin_token_from_Secrets_Manager_and_the_api_trusts_only_the_vpc_as_proxy()
    {
        // The dashboard's server-side proxy adds the admin token to its Api calls; the browser never sees it.
        foreach (var spec in new[] { ServiceCatalog.Api, ServiceCatalog.Dashboard })
        {
            Assert.Equal("AdminTokenSecret", fixture.Secrets(spec)["LiveInsight__AdminToken"]["Ref"]!.GetValue<string>());
            Assert.DoesNotContain("LiveInsight__AdminToken", fixture.Environment(spec).Keys);
        }

        Assert.Equal("VpcCidr", fixture.Environment(ServiceCatalog.Api)["LiveInsight__Ingestion__TrustedProxies__0"]["Ref"]!.GetValue<string>());
        Assert.DoesNotContain("LiveInsight__AdminToken", fixture.Secrets(ServiceCatalog.Aggregator).Keys);
    }

    [Fact]
    public void The_dashboard_trusts_only_the_vpc_as_proxy_for_the_addresses_in_its_audit_log()
    {
        var environment = fixture.Environment(ServiceCatalog.Dashboard);

        Assert.Equal("VpcCidr", environment["LiveInsight__Dashboard__TrustedProxies__0"]["Ref"]!.GetValue<string>());
        Assert.DoesNotContain("LiveInsight__Ingestion__TrustedProxies__0", environment.Keys);
    }

    [Fact]
    public void Dashboard_reaches_the_api_through_Service_Connect()
    {
        Assert.Equal(EnvironmentMapper.InternalApiUrl, fixture.Environment(ServiceCatalog.Dashboard)["services__api__http__0"].GetValue<string>());
        var server = fixture.Properties("ApiService")["ServiceConnectConfiguration"]!["Services"]!.AsArray().Single()!;
        Assert.Equal("http", server["PortName"]!.GetValue<string>());
        Assert.Equal("api", server["ClientAliases"]![0]!["DnsName"]!.GetValue<string>());
        Assert.Equal(8080, server["ClientAliases"]![0]!["Port"]!.GetValue<int>());
        Assert.Equal("http", fixture.Container(ServiceCatalog.Api)["PortMappings"]![0]!["Name"]!.GetValue<string>());
        Assert.True(fixture.Properties("DashboardService")["ServiceConnectConfiguration"]!["Enabled"]!.GetValue<bool>());
        Assert.Equal("ServiceNamespace", fixture.Properties("Cluster")["ServiceConnectDefaults"]!["Namespace"]!["Fn::GetAtt"]![0]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/liveinsight.js", "api")]
    [InlineData("/api/events", "api")]
    [InlineData("/api/realtime/*", "api")]
    [InlineData("/api/stats/*", "api")]
    [InlineData("/api/sites", "api")]
    [InlineData("/api/event", "api")]  // Plausible's
    [InlineData("/api/send", "api")]   // Umami's
    [InlineData("/api/v2/*", "api")]   // the query API
    [InlineData("/*", "dashboard")]
    public void Load_balancer_routes_paths_to_the_right_target_group(string path, string service)
    {
        var rules = fixture.OfType("AWS::ElasticLoadBalancingV2::ListenerRule")
            .Where(r => r.Resource["Properties"]!["Conditions"]![0]!["PathPatternConfig"]!["Values"]!.AsArray().Any(v => v!.GetValue<string>() == path))
            .ToList();
        var rule = Assert.Single(rules).Resource["Properties"]!;
        Assert.Equal(LoadBalancer.TargetGroupId(ServiceCatalog.For(service)), rule["Actions"]![0]!["TargetGroupArn"]!["Ref"]!.GetValue<string>());
        Assert.Equal("HasCertificate", rule["ListenerArn"]!["Fn::If"]![0]!.GetValue<string>());
    }

    [Fact]
    public void Every_api_route_of_the_api_reaches_the_api_and_no_rule_exceeds_the_albs_three_values_per_condition()
    {
        var paths = fixture.OfType("AWS::ElasticLoadBalancingV2::ListenerRule")
            .Where(r => r.Resource["Properties"]!["Actions"]![0]!["TargetGroupArn"]!["Ref"]!.GetValue<string>() == LoadBalancer.TargetGroupId(ServiceCatalog.Api))
            .SelectMany(r => r.Resource["Properties"]!["Conditions"]![0]!["PathPatternConfig"]!["Values"]!.AsArray().Select(v => v!.GetValue<string>()))
            .ToList();
        // The Api's own public routes (LiveInsight.Api/Apis): each must match one of the rules' patterns.
        foreach (var route in new[] { "/liveinsight.js", "/api/events", "/api/event", "/api/send", "/api/v2/query", "/api/realtime/users",
                     "/api/stats/summary", "/api/sites", "/api/sites/abc/rotate-keys" })
        {
            Assert.Contains(paths, p => p == route || (p.EndsWith("/*", StringComparison.Ordinal) && route.StartsWith(p[..^1], StringComparison.Ordinal)));
        }

        foreach (var (id, rule) in fixture.OfType("AWS::ElasticLoadBalancingV2::ListenerRule"))
        {
            Assert.True(rule["Properties"]!["Conditions"]![0]!["PathPatternConfig"]!["Values"]!.AsArray().Count <= 3, id);
        }
    }

    [Fact]
    public void Rules_have_distinct_priorities_and_the_catch_all_comes_last()
    {
        var priorities = fixture.OfType("AWS::ElasticLoadBalancingV2::ListenerRule").Select(r => r.Resource["Properties"]!["Priority"]!.GetValue<int>()).ToList();
        Assert.Equal(priorities.Count, priorities.Distinct().Count());
        Assert.Equal(ServiceCatalog.Dashboard.Routes.Single().Priority, priorities.Max());
    }

    [Theory]
    [InlineData("api")]
    [InlineData("dashboard")]
    public void Public_services_register_in_a_target_group_health_checked_on_health(string name)
    {
        var spec = ServiceCatalog.For(name);
        var group = fixture.Properties(LoadBalancer.TargetGroupId(spec));
        Assert.Equal("/health", group["HealthCheckPath"]!.GetValue<string>());
        Assert.Equal("ip", group["TargetType"]!.GetValue<string>());
        Assert.Equal(8080, group["Port"]!.GetValue<int>());
        var service = fixture.Resource(EcsServices.ServiceId(spec));
        var registration = service["Properties"]!["LoadBalancers"]!.AsArray().Single()!;
        Assert.Equal(LoadBalancer.TargetGroupId(spec), registration["TargetGroupArn"]!["Ref"]!.GetValue<string>());
        Assert.Equal(name, registration["ContainerName"]!.GetValue<string>());
        Assert.NotEmpty(service["DependsOn"]!.AsArray());
    }

    [Fact]
    public void Aggregator_has_no_route_but_a_container_health_check_and_the_metrics_sidecar()
    {
        var spec = ServiceCatalog.Aggregator;
        Assert.Null(fixture.Properties("AggregatorService")["LoadBalancers"]);
        Assert.Equal(["CMD", "dotnet", "/app/LiveInsight.Aggregator.dll", HealthProbe.Argument],
            fixture.Container(spec)["HealthCheck"]!["Command"]!.AsArray().Select(c => c!.GetValue<string>()));
        var containers = fixture.Properties("AggregatorTaskDefinition")["ContainerDefinitions"]!.AsArray();
        var collector = containers.Single(c => c!["Name"]!.GetValue<string>() == MetricsSidecar.ContainerName)!;
        Assert.False(collector["Essential"]!.GetValue<bool>());
        var config = collector["Environment"]![0]!["Value"]!["Fn::Sub"]!.GetValue<string>();
        Assert.Contains("awsemf", config);
        Assert.Contains("namespace: " + MetricsSidecar.Namespace, config);
        Assert.Contains("${MetricsLogGroup}", config);
        Assert.Matches(@"'\^liveinsight\\\.'", config);
        Assert.Matches(@"^liveinsight\.", MetricsSidecar.LagMetric);
    }

    [Fact]
    public void Api_scales_on_cpu_and_aggregator_on_the_stream_lag_the_sidecar_publishes()
    {
        var api = fixture.Properties("ApiScalingPolicy")["TargetTrackingScalingPolicyConfiguration"]!;
        Assert.Equal("ECSServiceAverageCPUUtilization", api["PredefinedMetricSpecification"]!["PredefinedMetricType"]!.GetValue<string>());
        var lag = fixture.Properties("AggregatorScalingPolicy")["TargetTrackingScalingPolicyConfiguration"]!["CustomizedMetricSpecification"]!;
        Assert.Equal("liveinsight.aggregator.stream.lag", lag["MetricName"]!.GetValue<string>());
        Assert.Equal(MetricsSidecar.Namespace, lag["Namespace"]!.GetValue<string>());
        Assert.Equal("service.name", lag["Dimensions"]![0]!["Name"]!.GetValue<string>());
        Assert.Equal("aggregator", lag["Dimensions"]![0]!["Value"]!.GetValue<string>());
        foreach (var id in new[] { "ApiScalableTarget", "AggregatorScalableTarget" })
        {
            Assert.Equal("ecs:service:DesiredCount", fixture.Properties(id)["ScalableDimension"]!.GetValue<string>());
        }

        Assert.Equal("service/${Cluster}/${ApiService.Name}", fixture.Properties("ApiScalableTarget")["ResourceId"]!["Fn::Sub"]!.GetValue<string>());
        Assert.DoesNotContain(fixture.OfType("AWS::ApplicationAutoScaling::ScalableTarget"), t => t.Id.StartsWith("Dashboard", StringComparison.Ordinal));
    }

    [Fact]
    public void Tasks_run_on_Fargate_in_private_subnets_with_their_own_role_and_logs()
    {
        foreach (var spec in ServiceCatalog.All)
        {
            var task = fixture.Properties(EcsServices.TaskDefinitionId(spec));
            Assert.Equal("awsvpc", task["NetworkMode"]!.GetValue<string>());
            Assert.Equal(Iam.TaskRoleId(spec), task["TaskRoleArn"]!["Fn::GetAtt"]![0]!.GetValue<string>());
            Assert.Equal($"{spec.Id}Image", fixture.Container(spec)["Image"]!["Ref"]!.GetValue<string>());
            Assert.Equal(EcsServices.LogGroupId(spec), fixture.Container(spec)["LogConfiguration"]!["Options"]!["awslogs-group"]!["Ref"]!.GetValue<string>());
            var network = fixture.Properties(EcsServices.ServiceId(spec))["NetworkConfiguration"]!["AwsvpcConfiguration"]!;
            Assert.Equal("DISABLED", network["AssignPublicIp"]!.GetValue<string>());
            Assert.Equal("PrivateSubnetIds", network["Subnets"]!["Ref"]!.GetValue<string>());
        }
    }

    [Fact]
    public void An_unknown_placeholder_stops_the_generator_instead_of_leaking_a_dev_value()
    {
        var manifest = JsonNode.Parse(fixture.ManifestJson)!.AsObject();
        manifest["resources"]!["api"]!["env"]!["SEARCH_URL"] = "{search.bindings.http.url}";
        var error = Assert.Throws<InvalidOperationException>(() => new TemplateGenerator(AspireManifest.Parse(manifest.ToJsonString())).Generate());
        Assert.Contains("SEARCH_URL", error.Message);
    }

    [Fact]
    public void A_literal_localhost_value_is_dropped()
    {
        var manifest = JsonNode.Parse(fixture.ManifestJson)!.AsObject();
        manifest["resources"]!["api"]!["env"]!["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://localhost:19080";
        var generator = new TemplateGenerator(AspireManifest.Parse(manifest.ToJsonString()));
        var template = JsonNode.Parse(generator.Generate().ToJsonString())!;
        Assert.DoesNotContain("localhost:19080", template.ToJsonString());
        Assert.Contains(generator.Dropped, d => d.Name == "api: OTEL_EXPORTER_OTLP_ENDPOINT");
    }
}
