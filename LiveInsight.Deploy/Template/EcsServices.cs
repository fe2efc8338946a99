using System.Text.Json.Nodes;

namespace LiveInsight.Deploy.Template;

/// <summary>The cluster, and per service: a log group, a Fargate task definition and an ECS service.</summary>
public static class EcsServices
{
    public static string ServiceId(ServiceSpec spec) => $"{spec.Id}Service";

    public static string TaskDefinitionId(ServiceSpec spec) => $"{spec.Id}TaskDefinition";

    public static string LogGroupId(ServiceSpec spec) => $"{spec.Id}LogGroup";

    /// <summary>The aggregator has no route, so ECS itself probes it: the app's own <c>--health-probe</c> mode (the
    /// chiseled image has no shell or curl) GETs /health on the container port. Same command line as the image's
    /// entrypoint (<c>dotnet /app/&lt;assembly&gt;.dll</c>, what the SDK's container support writes).</summary>
    public static JsonArray HealthProbeCommand(ServiceSpec spec) =>
        Cfn.Strings("CMD", "dotnet", $"/app/LiveInsight.{spec.Id}.dll", Microsoft.Extensions.Hosting.HealthProbe.Argument);

    public static void AddCluster(CfnTemplate template)
    {
        template.Add("Cluster", "AWS::ECS::Cluster", new JsonObject
        {
            ["ClusterSettings"] = Cfn.Array(new JsonObject { ["Name"] = "containerInsights", ["Value"] = "disabled" }),
            ["ServiceConnectDefaults"] = new JsonObject { ["Namespace"] = Cfn.GetAtt("ServiceNamespace", "Arn") },
        });
        template.Output("ClusterName", "The ECS cluster", Cfn.Ref("Cluster"));
        template.Output("AdminTokenSecretArn", "Read the admin token with: aws secretsmanager get-secret-value --secret-id <this>", Cfn.Ref("AdminTokenSecret"));
    }

    public static void Add(CfnTemplate template, ServiceSpec spec, IReadOnlyList<EnvironmentEntry> environment)
    {
        template.Add(LogGroupId(spec), "AWS::Logs::LogGroup", new JsonObject
        {
            ["LogGroupName"] = Cfn.Sub($"/liveinsight/${{AWS::StackName}}/{spec.Name}"),
            ["RetentionInDays"] = Cfn.Ref("LogRetentionDays"),
        });

        var container = new JsonObject
        {
            ["Name"] = spec.Name,
            ["Image"] = Cfn.Ref($"{spec.Id}Image"),
            ["Essential"] = true,
            ["PortMappings"] = Cfn.Array(new JsonObject
            {
                ["Name"] = "http",
                ["ContainerPort"] = ServiceCatalog.ContainerPort,
                ["Protocol"] = "tcp",
                ["AppProtocol"] = "http",
            }),
            ["Environment"] = new JsonArray(environment.Where(e => !e.IsSecret)
                .Select(e => Conditional(e, new JsonObject { ["Name"] = e.Name, ["Value"] = e.Value.DeepClone() })).ToArray()),
            ["Secrets"] = new JsonArray(environment.Where(e => e.IsSecret)
                .Select(e => Conditional(e, new JsonObject { ["Name"] = e.Name, ["ValueFrom"] = e.Value.DeepClone() })).ToArray()),
            ["LogConfiguration"] = AwsLogs(LogGroupId(spec), spec.Name),
            ["StopTimeout"] = 30,
        };
        if (spec.ContainerHealthCheck)
        {
            container["HealthCheck"] = new JsonObject
            {
                ["Command"] = HealthProbeCommand(spec),
                ["Interval"] = 30,
                ["Timeout"] = 5,
                ["Retries"] = 3,
                ["StartPeriod"] = 60,
            };
        }

        var containers = Cfn.Array(container);
        if (spec.MetricsSidecar)
        {
            MetricsSidecar.AddLogGroup(template);
            containers.Add(MetricsSidecar.Container(LogGroupId(spec)));
        }

        template.Add(TaskDefinitionId(spec), "AWS::ECS::TaskDefinition", new JsonObject
        {
            ["Family"] = Cfn.Sub($"${{AWS::StackName}}-{spec.Name}"),
            ["Cpu"] = spec.Cpu.ToString(),
            ["Memory"] = spec.Memory.ToString(),
            ["NetworkMode"] = "awsvpc",
            ["RequiresCompatibilities"] = Cfn.Strings("FARGATE"),
            ["RuntimePlatform"] = new JsonObject { ["OperatingSystemFamily"] = "LINUX", ["CpuArchitecture"] = "X86_64" },
            ["ExecutionRoleArn"] = Cfn.GetAtt("ExecutionRole", "Arn"),
            ["TaskRoleArn"] = Cfn.GetAtt(Iam.TaskRoleId(spec), "Arn"),
            ["ContainerDefinitions"] = containers,
        });

        var service = new JsonObject
        {
            ["Cluster"] = Cfn.Ref("Cluster"),
            ["LaunchType"] = "FARGATE",
            ["TaskDefinition"] = Cfn.Ref(TaskDefinitionId(spec)),
            ["DesiredCount"] = spec.DesiredCount,
            ["PropagateTags"] = "SERVICE",
            ["EnableECSManagedTags"] = true,
            ["DeploymentConfiguration"] = new JsonObject
            {
                ["MinimumHealthyPercent"] = 100,
                ["MaximumPercent"] = 200,
                ["DeploymentCircuitBreaker"] = new JsonObject { ["Enable"] = true, ["Rollback"] = true },
            },
            ["NetworkConfiguration"] = new JsonObject
            {
                ["AwsvpcConfiguration"] = new JsonObject
                {
                    ["AssignPublicIp"] = "DISABLED",
                    ["Subnets"] = Cfn.Ref("PrivateSubnetIds"),
                    ["SecurityGroups"] = Cfn.Array(Cfn.GetAtt("ServiceSecurityGroup", "GroupId")),
                },
            },
            ["ServiceConnectConfiguration"] = ServiceConnect(spec),
        };
        if (spec.Routes.Count > 0)
        {
            service["HealthCheckGracePeriodSeconds"] = 60;
            service["LoadBalancers"] = Cfn.Array(new JsonObject
            {
                ["ContainerName"] = spec.Name,
                ["ContainerPort"] = ServiceCatalog.ContainerPort,
                ["TargetGroupArn"] = Cfn.Ref(LoadBalancer.TargetGroupId(spec)),
            });
        }

        var resource = template.Add(ServiceId(spec), "AWS::ECS::Service", service);
        // A target group must be attached to the load balancer (by its rule) before a service may register into it.
        if (spec.Routes.Count > 0)
        {
            resource["DependsOn"] = Cfn.Strings(LoadBalancer.Rules(spec).Select((_, i) => LoadBalancer.RuleId(spec, i)).ToArray());
        }
    }

    /// <summary>The Api is a Service Connect server (<c>http://api:8080</c>); the others are clients of it.</summary>
    private static JsonObject ServiceConnect(ServiceSpec spec)
    {
        var config = new JsonObject { ["Enabled"] = true, ["Namespace"] = Cfn.GetAtt("ServiceNamespace", "Arn") };
        if (spec.ServiceConnectServer)
        {
            config["Services"] = Cfn.Array(new JsonObject
            {
                ["PortName"] = "http",
                ["DiscoveryName"] = spec.Name,
                ["ClientAliases"] = Cfn.Array(new JsonObject { ["Port"] = ServiceCatalog.ContainerPort, ["DnsName"] = spec.Name }),
            });
        }

        return config;
    }

    public static JsonObject AwsLogs(string logGroupId, string prefix) => new()
    {
        ["LogDriver"] = "awslogs",
        ["Options"] = new JsonObject
        {
            ["awslogs-group"] = Cfn.Ref(logGroupId),
            ["awslogs-region"] = Cfn.Ref("AWS::Region"),
            ["awslogs-stream-prefix"] = prefix,
        },
    };

    /// <summary>A variable that exists only under a condition is dropped from the list (AWS::NoValue) otherwise.</summary>
    private static JsonNode? Conditional(EnvironmentEntry entry, JsonObject item) =>
        entry.Condition is null ? item : Cfn.If(entry.Condition, item, Cfn.NoValue);
}
