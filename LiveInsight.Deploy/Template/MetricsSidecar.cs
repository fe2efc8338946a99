using System.Text.Json.Nodes;

namespace LiveInsight.Deploy.Template;

/// <summary>
/// The AWS Distro for OpenTelemetry collector beside the aggregator: it receives the service's OTLP and publishes the
/// <c>LiveInsight</c> meter to CloudWatch as EMF (namespace <c>LiveInsight</c>, dimension <c>service.name</c>), which is
/// where the aggregator's scaling policy reads <c>liveinsight.aggregator.stream.lag</c>. Traces go to X-Ray; OTLP logs
/// are dropped (stdout already reaches CloudWatch Logs through awslogs). Its config is passed in AOT_CONFIG_CONTENT.
/// </summary>
public static class MetricsSidecar
{
    public const string ContainerName = "otel-collector";
    public const string DefaultImage = "public.ecr.aws/aws-observability/aws-otel-collector:v0.43.3";
    public const string OtlpEndpoint = "http://127.0.0.1:4317";
    public const string LogGroupId = "MetricsLogGroup";
    public const string Namespace = "LiveInsight";
    public const string DimensionName = "service.name";
    public const string LagMetric = "liveinsight.aggregator.stream.lag";

    public const string Config = """
        receivers:
          otlp:
            protocols:
              grpc:
                endpoint: 127.0.0.1:4317
        processors:
          batch:
            timeout: 10s
          filter/drop-logs:
            logs:
              log_record:
                - 'true'
        exporters:
          awsemf:
            namespace: LiveInsight
            log_group_name: ${MetricsLogGroup}
            log_stream_name: otel-{TaskId}
            resource_to_telemetry_conversion:
              enabled: true
            dimension_rollup_option: NoDimensionRollup
            metric_declarations:
              - dimensions: [[service.name]]
                metric_name_selectors:
                  - '^liveinsight\.'
          awsxray:
        service:
          pipelines:
            metrics:
              receivers: [otlp]
              processors: [batch]
              exporters: [awsemf]
            traces:
              receivers: [otlp]
              processors: [batch]
              exporters: [awsxray]
            logs:
              receivers: [otlp]
              processors: [filter/drop-logs]
              exporters: [awsemf]
        """;

    public static void AddLogGroup(CfnTemplate template)
    {
        template.Add(LogGroupId, "AWS::Logs::LogGroup", new JsonObject
        {
            ["LogGroupName"] = Cfn.Sub("/liveinsight/${AWS::StackName}/metrics"),
            ["RetentionInDays"] = 7,
        });
    }

    public static JsonObject Container(string logGroupId) => new()
    {
        ["Name"] = ContainerName,
        ["Image"] = Cfn.Ref("CollectorImage"),
        ["Essential"] = false,
        ["Cpu"] = 64,
        ["Memory"] = 128,
        ["Environment"] = Cfn.Array(new JsonObject { ["Name"] = "AOT_CONFIG_CONTENT", ["Value"] = Cfn.Sub(Config) }),
        ["LogConfiguration"] = EcsServices.AwsLogs(logGroupId, ContainerName),
    };
}
