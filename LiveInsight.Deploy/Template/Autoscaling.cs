using System.Text.Json.Nodes;

namespace LiveInsight.Deploy.Template;

/// <summary>
/// Target tracking: the Api on average CPU; the aggregator on the stream lag it publishes through its metrics sidecar
/// (all replicas report the same group lag, so the average is the lag). The dashboard runs a fixed count.
/// </summary>
public static class Autoscaling
{
    public static void Add(CfnTemplate template, ServiceSpec spec)
    {
        JsonObject metric;
        if (spec == ServiceCatalog.Api)
        {
            metric = new JsonObject
            {
                ["PredefinedMetricSpecification"] = new JsonObject { ["PredefinedMetricType"] = "ECSServiceAverageCPUUtilization" },
                ["TargetValue"] = Cfn.Ref("ApiCpuTarget"),
            };
        }
        else if (spec == ServiceCatalog.Aggregator)
        {
            metric = new JsonObject
            {
                ["CustomizedMetricSpecification"] = new JsonObject
                {
                    ["Namespace"] = MetricsSidecar.Namespace,
                    ["MetricName"] = MetricsSidecar.LagMetric,
                    ["Dimensions"] = Cfn.Array(new JsonObject { ["Name"] = MetricsSidecar.DimensionName, ["Value"] = spec.Name }),
                    ["Statistic"] = "Average",
                },
                ["TargetValue"] = Cfn.Ref("AggregatorLagTarget"),
            };
        }
        else
        {
            return;
        }

        metric["ScaleOutCooldown"] = 60;
        metric["ScaleInCooldown"] = 300;
        template.Add($"{spec.Id}ScalableTarget", "AWS::ApplicationAutoScaling::ScalableTarget", new JsonObject
        {
            ["ServiceNamespace"] = "ecs",
            ["ScalableDimension"] = "ecs:service:DesiredCount",
            ["ResourceId"] = Cfn.Sub($"service/${{Cluster}}/${{{EcsServices.ServiceId(spec)}.Name}}"),
            ["MinCapacity"] = Cfn.Ref($"{spec.Id}MinTasks"),
            ["MaxCapacity"] = Cfn.Ref($"{spec.Id}MaxTasks"),
            ["RoleARN"] = Cfn.Sub(
                "arn:${AWS::Partition}:iam::${AWS::AccountId}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_ECSService"),
        });
        template.Add($"{spec.Id}ScalingPolicy", "AWS::ApplicationAutoScaling::ScalingPolicy", new JsonObject
        {
            ["PolicyName"] = Cfn.Sub($"${{AWS::StackName}}-{spec.Name}-target-tracking"),
            ["PolicyType"] = "TargetTrackingScaling",
            ["ScalingTargetId"] = Cfn.Ref($"{spec.Id}ScalableTarget"),
            ["TargetTrackingScalingPolicyConfiguration"] = metric,
        });
    }
}
