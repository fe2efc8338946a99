using System.Text.Json.Nodes;

namespace LiveInsight.Deploy.Template;

/// <summary>
/// The small profile (issue 24, DEPLOY.md "Small installation"): the standard stack reshaped to cost about $40 a month
/// at 1 M events.
/// <list type="bullet">
/// <item>One Fargate task runs the Api and the aggregator (two containers, one network namespace: the aggregator
/// listens on <see cref="AggregatorPort"/>); the dashboard is a second, smaller task. Both on Fargate Spot by default
/// (<c>CapacityProvider</c>): a reclaimed task is replaced in a minute or two, the stream keeps what was ingested and
/// the tracker keeps what it could not send (localStorage) and sends it again.</item>
/// <item>An API Gateway HTTP API (pay per request) instead of the ALB (~$22 a month before the first request), reaching
/// the tasks through a VPC link and Cloud Map service discovery (A + SRV records in a private DNS namespace, which is
/// also how the dashboard finds the Api).</item>
/// <item>No NAT gateway and no interface endpoints: the tasks run in the public subnets with a public address and a
/// security group that admits only the VPC link (and the dashboard); ElastiCache admits only the tasks.</item>
/// <item>One cache.t4g.micro node: no replica, no failover.</item>
/// <item>No autoscaling and no metrics sidecar (nothing to scale; CloudWatch Logs still gets stdout).</item>
/// </list>
/// </summary>
public static class SmallProfile
{
    public const int AggregatorPort = 8081;

    public const int FlushIntervalSeconds = 60;

    public const string FlushIntervalVariable = "LiveInsight__Aggregator__FlushIntervalSeconds";

    /// <summary>Private DNS name of the Api inside the VPC (Cloud Map A record).</summary>
    public const string InternalApiUrl = "http://api.${AWS::StackName}.internal:8080";

    private static readonly string[] RemovedTypes =
    [
        "AWS::ElasticLoadBalancingV2::LoadBalancer", "AWS::ElasticLoadBalancingV2::Listener",
        "AWS::ElasticLoadBalancingV2::ListenerRule", "AWS::ElasticLoadBalancingV2::TargetGroup",
        "AWS::ApplicationAutoScaling::ScalableTarget", "AWS::ApplicationAutoScaling::ScalingPolicy",
    ];

    private static readonly string[] RemovedParameters =
    [
        "PrivateSubnetIds", "CertificateArn", "ApiMinTasks", "ApiMaxTasks", "ApiCpuTarget", "AggregatorMinTasks",
        "AggregatorMaxTasks", "AggregatorLagTarget", "CollectorImage",
    ];

    public static void Apply(CfnTemplate template)
    {
        var resources = template.Resources;
        foreach (var id in resources.Where(r => RemovedTypes.Contains(r.Value!["Type"]!.GetValue<string>())).Select(r => r.Key).ToList())
        {
            resources.Remove(id);
        }

        Parameters(template);
        Network(template);
        Redis(template);
        CombineApiAndAggregator(template);
        foreach (var spec in new[] { ServiceCatalog.Api, ServiceCatalog.Dashboard })
        {
            Service(template, spec);
        }

        HttpApi(template);
        ReplaceLoadBalancerUrl(template.Resources, Cfn.GetAtt("HttpApi", "ApiEndpoint"));
        template.Outputs.Remove("LoadBalancerDnsName");
        template.Output("Url", "Where LiveInsight answers (HTTPS; map a custom domain to it in API Gateway)", Cfn.GetAtt("HttpApi", "ApiEndpoint"));
    }

    /// <summary>Settings that name the load balancer's URL (mail's links: <see cref="MailSettings"/>) name the HTTP API's
    /// instead: there is no load balancer, and no certificate condition, in this profile.</summary>
    private static void ReplaceLoadBalancerUrl(JsonNode? node, JsonObject replacement)
    {
        var loadBalancerUrl = LoadBalancer.PublicUrl();
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, child) in obj.ToList())
                {
                    if (JsonNode.DeepEquals(child, loadBalancerUrl))
                    {
                        obj[key] = replacement.DeepClone();
                    }
                    else
                    {
                        ReplaceLoadBalancerUrl(child, replacement);
                    }
                }

                break;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (JsonNode.DeepEquals(array[i], loadBalancerUrl))
                    {
                        array[i] = replacement.DeepClone();
                    }
                    else
                    {
                        ReplaceLoadBalancerUrl(array[i], replacement);
                    }
                }

                break;
        }
    }

    private static void Parameters(CfnTemplate template)
    {
        foreach (var name in RemovedParameters)
        {
            template.Parameters.Remove(name);
        }

        template.Conditions.Remove("HasCertificate");
        template.Parameters["PublicSubnetIds"]!["Description"] =
            "At least two public subnets (different AZs, a route to an internet gateway): the tasks, the VPC link and ElastiCache.";
        template.Parameters["RedisNodeType"]!["Default"] = "cache.t4g.micro";
        template.Parameters["RedisNodeType"]!["Description"] = "ElastiCache node type (one node: no replica, no failover).";
        template.Parameter("CapacityProvider", "String",
            "FARGATE_SPOT (about 70 % cheaper; a reclaimed task is replaced within minutes) or FARGATE.", "FARGATE_SPOT",
            p => p["AllowedValues"] = Cfn.Strings("FARGATE_SPOT", "FARGATE"));
        template.Parameter("ThrottleRatePerSecond", "Number",
            "Requests per second the HTTP API passes on (steady rate; beyond it callers get 429 and the tracker retries).", "200");
    }

    private static void Network(CfnTemplate template)
    {
        var resources = template.Resources;
        resources.Remove("LoadBalancerSecurityGroup");
        template.Add("VpcLinkSecurityGroup", "AWS::EC2::SecurityGroup", new JsonObject
        {
            ["GroupDescription"] = "LiveInsight HTTP API VPC link: no inbound; reaches the tasks",
            ["VpcId"] = Cfn.Ref("VpcId"),
        });
        resources["ServiceSecurityGroup"]!["Properties"]!["GroupDescription"] = "LiveInsight tasks: the container port from the HTTP API's VPC link only";
        resources["ServiceSecurityGroup"]!["Properties"]!["SecurityGroupIngress"] = Cfn.Array(new JsonObject
        {
            ["IpProtocol"] = "tcp",
            ["FromPort"] = ServiceCatalog.ContainerPort,
            ["ToPort"] = ServiceCatalog.ContainerPort,
            ["SourceSecurityGroupId"] = Cfn.GetAtt("VpcLinkSecurityGroup", "GroupId"),
        });

        // Service Connect's HTTP namespace → a private DNS namespace: API Gateway integrates with Cloud Map services
        // that have DNS records, and the dashboard resolves the Api's A record.
        resources.Remove("ServiceNamespace");
        template.Add("ServiceNamespace", "AWS::ServiceDiscovery::PrivateDnsNamespace", new JsonObject
        {
            ["Name"] = Cfn.Sub("${AWS::StackName}.internal"),
            ["Vpc"] = Cfn.Ref("VpcId"),
            ["Description"] = "LiveInsight tasks: api and dashboard (A and SRV records), for the HTTP API and the dashboard",
        });
        foreach (var spec in new[] { ServiceCatalog.Api, ServiceCatalog.Dashboard })
        {
            template.Add(DiscoveryId(spec), "AWS::ServiceDiscovery::Service", new JsonObject
            {
                ["Name"] = spec.Name,
                ["NamespaceId"] = Cfn.GetAtt("ServiceNamespace", "Id"),
                ["DnsConfig"] = new JsonObject
                {
                    ["RoutingPolicy"] = "MULTIVALUE",
                    ["DnsRecords"] = Cfn.Array(new JsonObject { ["Type"] = "A", ["TTL"] = 10 }, new JsonObject { ["Type"] = "SRV", ["TTL"] = 10 }),
                },
                ["HealthCheckCustomConfig"] = new JsonObject { ["FailureThreshold"] = 1 },
            });
        }

        resources["Cluster"]!["Properties"]!.AsObject().Remove("ServiceConnectDefaults");
        // A capacity provider strategy may only name providers the cluster has.
        resources["Cluster"]!["Properties"]!["CapacityProviders"] = Cfn.Strings("FARGATE", "FARGATE_SPOT");
    }

    private static void Redis(CfnTemplate template)
    {
        template.Resources["RedisSubnetGroup"]!["Properties"]!["SubnetIds"] = Cfn.Ref("PublicSubnetIds");
        template.Resources["RedisSubnetGroup"]!["Properties"]!["Description"] = "LiveInsight Redis: the public subnets (no public address; tasks only)";
        var redis = template.Resources["Redis"]!["Properties"]!.AsObject();
        redis["NumCacheClusters"] = 1;
        redis["AutomaticFailoverEnabled"] = false;
        redis["MultiAZEnabled"] = false;
        redis["ReplicationGroupDescription"] = "LiveInsight hot path, one node (small profile: no replica, no failover)";
    }

    /// <summary>The aggregator's container moves into the Api's task (on its own port) with its task role's table
    /// grants; its service, task definition, role and metrics sidecar go.</summary>
    private static void CombineApiAndAggregator(CfnTemplate template)
    {
        var resources = template.Resources;
        var api = ServiceCatalog.Api;
        var aggregator = ServiceCatalog.Aggregator;
        var aggregatorContainer = Profiles.Containers(template, EcsServices.TaskDefinitionId(aggregator))[0]!.DeepClone();
        Profiles.SetEnvironment(aggregatorContainer, "HTTP_PORTS", JsonValue.Create(AggregatorPort.ToString(System.Globalization.CultureInfo.InvariantCulture))!);
        Profiles.RemoveEnvironment(aggregatorContainer, "OTEL_EXPORTER_OTLP_ENDPOINT");
        // Readers take the newest buckets from Redis, so flushing once a minute costs no freshness and, at a few
        // events per site a minute, about half the DynamoDB writes (BENCHMARKS.md, profiles side by side).
        Profiles.SetEnvironment(aggregatorContainer, FlushIntervalVariable, JsonValue.Create(FlushIntervalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture))!);
        aggregatorContainer["PortMappings"]![0]!["ContainerPort"] = AggregatorPort;
        aggregatorContainer["PortMappings"]![0]!["Name"] = "aggregator";
        var apiTask = resources[EcsServices.TaskDefinitionId(api)]!["Properties"]!.AsObject();
        apiTask["ContainerDefinitions"]!.AsArray().Add(aggregatorContainer);
        apiTask["Memory"] = "2048"; // two .NET processes of 1 GB each in the standard profile; 0.5 vCPU shared
        apiTask["Family"] = Cfn.Sub("${AWS::StackName}-core");

        var aggregatorStatements = resources[Iam.TaskRoleId(aggregator)]!["Properties"]!["Policies"]![0]!["PolicyDocument"]!["Statement"]!.AsArray()
            .Where(s => s!["Action"]!.AsArray().All(a => a!.GetValue<string>().StartsWith("dynamodb:", StringComparison.Ordinal)))
            .Select(s => s!.DeepClone());
        var apiStatements = resources[Iam.TaskRoleId(api)]!["Properties"]!["Policies"]![0]!["PolicyDocument"]!["Statement"]!.AsArray();
        foreach (var statement in aggregatorStatements)
        {
            apiStatements.Add(statement);
        }

        resources[Iam.TaskRoleId(api)]!["Properties"]!["Description"] = "LiveInsight api + aggregator task role (small profile: one task, both services' grants)";
        foreach (var id in new[]
        {
            EcsServices.ServiceId(aggregator), EcsServices.TaskDefinitionId(aggregator), Iam.TaskRoleId(aggregator), MetricsSidecar.LogGroupId,
        })
        {
            resources.Remove(id);
        }
    }

    /// <summary>Spot (or not), public subnets with a public address, registered in Cloud Map, no load balancer.</summary>
    private static void Service(CfnTemplate template, ServiceSpec spec)
    {
        var resource = template.Resources[EcsServices.ServiceId(spec)]!.AsObject();
        resource.Remove("DependsOn");
        var service = resource["Properties"]!.AsObject();
        service.Remove("LaunchType");
        service.Remove("LoadBalancers");
        service.Remove("HealthCheckGracePeriodSeconds");
        service.Remove("ServiceConnectConfiguration");
        service["DesiredCount"] = 1;
        service["CapacityProviderStrategy"] = Cfn.Array(new JsonObject { ["CapacityProvider"] = Cfn.Ref("CapacityProvider"), ["Weight"] = 1 });
        var vpc = service["NetworkConfiguration"]!["AwsvpcConfiguration"]!.AsObject();
        vpc["AssignPublicIp"] = "ENABLED";
        vpc["Subnets"] = Cfn.Ref("PublicSubnetIds");
        service["ServiceRegistries"] = Cfn.Array(new JsonObject
        {
            ["RegistryArn"] = Cfn.GetAtt(DiscoveryId(spec), "Arn"),
            ["ContainerName"] = spec.Name,
            ["ContainerPort"] = ServiceCatalog.ContainerPort,
        });
        foreach (var container in Profiles.Containers(template, EcsServices.TaskDefinitionId(spec)))
        {
            foreach (var entry in container!["Environment"]!.AsArray())
            {
                if (entry!["Value"] is JsonValue v && v.TryGetValue<string>(out var value) && value == EnvironmentMapper.InternalApiUrl)
                {
                    entry["Value"] = Cfn.Sub(InternalApiUrl);
                }
            }
        }
    }

    /// <summary>The HTTP API: the standard stack's ALB routes, each to its service's Cloud Map registration through the
    /// VPC link; the dashboard's catch-all becomes the <c>$default</c> route.</summary>
    private static void HttpApi(CfnTemplate template)
    {
        template.Add("HttpApi", "AWS::ApiGatewayV2::Api", new JsonObject
        {
            ["Name"] = Cfn.Sub("${AWS::StackName}"),
            ["ProtocolType"] = "HTTP",
            ["Description"] = "LiveInsight (small profile): tracker, ingestion, read API and dashboard",
        });
        template.Add("VpcLink", "AWS::ApiGatewayV2::VpcLink", new JsonObject
        {
            ["Name"] = Cfn.Sub("${AWS::StackName}"),
            ["SubnetIds"] = Cfn.Ref("PublicSubnetIds"),
            ["SecurityGroupIds"] = Cfn.Array(Cfn.GetAtt("VpcLinkSecurityGroup", "GroupId")),
        });
        template.Add("HttpApiStage", "AWS::ApiGatewayV2::Stage", new JsonObject
        {
            ["ApiId"] = Cfn.Ref("HttpApi"),
            ["StageName"] = "$default",
            ["AutoDeploy"] = true,
            ["DefaultRouteSettings"] = new JsonObject
            {
                ["ThrottlingRateLimit"] = Cfn.Ref("ThrottleRatePerSecond"),
                ["ThrottlingBurstLimit"] = 500,
            },
        });
        foreach (var spec in ServiceCatalog.All.Where(s => s.Routes.Count > 0))
        {
            template.Add(IntegrationId(spec), "AWS::ApiGatewayV2::Integration", new JsonObject
            {
                ["ApiId"] = Cfn.Ref("HttpApi"),
                ["IntegrationType"] = "HTTP_PROXY",
                ["IntegrationMethod"] = "ANY",
                ["ConnectionType"] = "VPC_LINK",
                ["ConnectionId"] = Cfn.Ref("VpcLink"),
                ["IntegrationUri"] = Cfn.GetAtt(DiscoveryId(spec), "Arn"),
                ["PayloadFormatVersion"] = "1.0",
                ["TimeoutInMillis"] = 30000,
            });
            foreach (var (routeKey, index) in spec.Routes.SelectMany(r => r.Paths).Select(RouteKey).Select((k, i) => (k, i)))
            {
                template.Add($"{spec.Id}Route{index + 1}", "AWS::ApiGatewayV2::Route", new JsonObject
                {
                    ["ApiId"] = Cfn.Ref("HttpApi"),
                    ["RouteKey"] = routeKey,
                    ["Target"] = Cfn.Sub($"integrations/${{{IntegrationId(spec)}}}"),
                });
            }
        }
    }

    /// <summary>An ALB path pattern as an HTTP API route key: <c>/*</c> is <c>$default</c>, <c>/a/*</c> is
    /// <c>ANY /a/{proxy+}</c>, a plain path is itself.</summary>
    public static string RouteKey(string albPath) =>
        albPath == "/*" ? "$default"
        : albPath.EndsWith("/*", StringComparison.Ordinal) ? $"ANY {albPath[..^2]}/{{proxy+}}"
        : $"ANY {albPath}";

    public static string DiscoveryId(ServiceSpec spec) => $"{spec.Id}Discovery";

    public static string IntegrationId(ServiceSpec spec) => $"{spec.Id}Integration";
}
