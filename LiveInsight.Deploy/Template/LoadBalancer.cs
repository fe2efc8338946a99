using System.Text.Json.Nodes;

namespace LiveInsight.Deploy.Template;

/// <summary>
/// The internet-facing ALB. With a certificate: HTTPS on 443 and port 80 redirects; without: HTTP on 80 only.
/// Rules: tracker and ingestion → Api, the read API → Api, everything else → Dashboard. The aggregator has no route.
/// </summary>
public static class LoadBalancer
{
    /// <summary>The listener the rules hang on: HTTPS when there is a certificate, else HTTP.</summary>
    public static JsonObject PublicListener() => Cfn.If("HasCertificate", Cfn.Ref("HttpsListener"), Cfn.Ref("HttpListener"));

    public static string TargetGroupId(ServiceSpec spec) => $"{spec.Id}TargetGroup";

    public static string RuleId(ServiceSpec spec, int index) => $"{spec.Id}Rule{index + 1}";

    public static void Add(CfnTemplate template, IEnumerable<ServiceSpec> services)
    {
        template.Add("LoadBalancer", "AWS::ElasticLoadBalancingV2::LoadBalancer", new JsonObject
        {
            ["Type"] = "application",
            ["Scheme"] = "internet-facing",
            ["Subnets"] = Cfn.Ref("PublicSubnetIds"),
            ["SecurityGroups"] = Cfn.Array(Cfn.GetAtt("LoadBalancerSecurityGroup", "GroupId")),
            ["LoadBalancerAttributes"] = Cfn.Array(
                Attribute("routing.http.drop_invalid_header_fields.enabled", "true"),
                // The realtime SSE stream writes every 2 s, far inside this; long enough for slow beacons.
                Attribute("idle_timeout.timeout_seconds", "120")),
        });
        template.Add("HttpListener", "AWS::ElasticLoadBalancingV2::Listener", new JsonObject
        {
            ["LoadBalancerArn"] = Cfn.Ref("LoadBalancer"),
            ["Port"] = 80,
            ["Protocol"] = "HTTP",
            ["DefaultActions"] = Cfn.Array(Cfn.If("HasCertificate", RedirectToHttps(), NotFound())),
        });
        var https = template.Add("HttpsListener", "AWS::ElasticLoadBalancingV2::Listener", new JsonObject
        {
            ["LoadBalancerArn"] = Cfn.Ref("LoadBalancer"),
            ["Port"] = 443,
            ["Protocol"] = "HTTPS",
            ["SslPolicy"] = "ELBSecurityPolicy-TLS13-1-2-2021-06",
            ["Certificates"] = Cfn.Array(new JsonObject { ["CertificateArn"] = Cfn.Ref("CertificateArn") }),
            ["DefaultActions"] = Cfn.Array(NotFound()),
        });
        https["Condition"] = "HasCertificate";

        foreach (var spec in services.Where(s => s.Routes.Count > 0))
        {
            template.Add(TargetGroupId(spec), "AWS::ElasticLoadBalancingV2::TargetGroup", new JsonObject
            {
                ["VpcId"] = Cfn.Ref("VpcId"),
                ["TargetType"] = "ip",
                ["Protocol"] = "HTTP",
                ["Port"] = ServiceCatalog.ContainerPort,
                ["HealthCheckPath"] = "/health",
                ["HealthCheckIntervalSeconds"] = 15,
                ["HealthCheckTimeoutSeconds"] = 5,
                ["HealthyThresholdCount"] = 2,
                ["UnhealthyThresholdCount"] = 3,
                ["Matcher"] = new JsonObject { ["HttpCode"] = "200" },
                ["TargetGroupAttributes"] = Cfn.Array(Attribute("deregistration_delay.timeout_seconds", "30")),
            });
            var rules = Rules(spec);
            for (var i = 0; i < rules.Count; i++)
            {
                var route = rules[i];
                template.Add(RuleId(spec, i), "AWS::ElasticLoadBalancingV2::ListenerRule", new JsonObject
                {
                    ["ListenerArn"] = PublicListener(),
                    ["Priority"] = route.Priority,
                    ["Conditions"] = Cfn.Array(new JsonObject
                    {
                        ["Field"] = "path-pattern",
                        ["PathPatternConfig"] = new JsonObject { ["Values"] = Cfn.Strings(route.Paths) },
                    }),
                    ["Actions"] = Cfn.Array(new JsonObject { ["Type"] = "forward", ["TargetGroupArn"] = Cfn.Ref(TargetGroupId(spec)) }),
                });
            }
        }

        template.Output("Url", "Where LiveInsight answers (point your DNS name here)", PublicUrl());
        template.Output("LoadBalancerDnsName", "The ALB's DNS name (CNAME or alias target)", Cfn.GetAtt("LoadBalancer", "DNSName"));
    }

    /// <summary>The load balancer's own URL (https when a certificate is given).</summary>
    public static JsonObject PublicUrl() =>
        Cfn.If("HasCertificate", Cfn.Sub("https://${LoadBalancer.DNSName}"), Cfn.Sub("http://${LoadBalancer.DNSName}"));

    /// <summary>An ALB condition takes at most <see cref="MaxValuesPerCondition"/> match values, so a route with more
    /// paths becomes several rules at consecutive priorities (10, 11, …), in the route's order.</summary>
    public const int MaxValuesPerCondition = 3;

    public static IReadOnlyList<PublicRoute> Rules(ServiceSpec spec) =>
        spec.Routes.SelectMany(route => route.Paths.Chunk(MaxValuesPerCondition).Select((paths, i) => new PublicRoute(route.Priority + i, paths)))
            .ToList();

    private static JsonObject Attribute(string key, string value) => new() { ["Key"] = key, ["Value"] = value };

    private static JsonObject RedirectToHttps() => new()
    {
        ["Type"] = "redirect",
        ["RedirectConfig"] = new JsonObject { ["Protocol"] = "HTTPS", ["Port"] = "443", ["StatusCode"] = "HTTP_301" },
    };

    private static JsonObject NotFound() => new()
    {
        ["Type"] = "fixed-response",
        ["FixedResponseConfig"] = new JsonObject { ["StatusCode"] = "404", ["ContentType"] = "text/plain", ["MessageBody"] = "not found" },
    };
}
