using System.Text.Json.Nodes;

namespace LiveInsight.Deploy.Template;

/// <summary>Security groups (internet → ALB → tasks → Redis) and the Service Connect namespace.</summary>
public static class Network
{
    public static void Add(CfnTemplate template)
    {
        template.Add("LoadBalancerSecurityGroup", "AWS::EC2::SecurityGroup", new JsonObject
        {
            ["GroupDescription"] = "LiveInsight load balancer: HTTP and HTTPS from anywhere",
            ["VpcId"] = Cfn.Ref("VpcId"),
            ["SecurityGroupIngress"] = Cfn.Array(Ingress(80, cidr: "0.0.0.0/0"), Ingress(443, cidr: "0.0.0.0/0")),
        });
        template.Add("ServiceSecurityGroup", "AWS::EC2::SecurityGroup", new JsonObject
        {
            ["GroupDescription"] = "LiveInsight tasks: the container port from the load balancer",
            ["VpcId"] = Cfn.Ref("VpcId"),
            ["SecurityGroupIngress"] = Cfn.Array(Ingress(ServiceCatalog.ContainerPort, source: "LoadBalancerSecurityGroup")),
        });
        // Service Connect: the dashboard's proxy reaches the Api task to task.
        template.Add("ServiceSecurityGroupSelfIngress", "AWS::EC2::SecurityGroupIngress", new JsonObject
        {
            ["GroupId"] = Cfn.GetAtt("ServiceSecurityGroup", "GroupId"),
            ["IpProtocol"] = "tcp",
            ["FromPort"] = ServiceCatalog.ContainerPort,
            ["ToPort"] = ServiceCatalog.ContainerPort,
            ["SourceSecurityGroupId"] = Cfn.GetAtt("ServiceSecurityGroup", "GroupId"),
        });
        template.Add("RedisSecurityGroup", "AWS::EC2::SecurityGroup", new JsonObject
        {
            ["GroupDescription"] = "LiveInsight ElastiCache: Redis from the tasks only",
            ["VpcId"] = Cfn.Ref("VpcId"),
            ["SecurityGroupIngress"] = Cfn.Array(Ingress(Redis.Port, source: "ServiceSecurityGroup")),
        });
        template.Add("ServiceNamespace", "AWS::ServiceDiscovery::HttpNamespace", new JsonObject
        {
            ["Name"] = Cfn.Sub("${AWS::StackName}.internal"),
            ["Description"] = "Service Connect names of LiveInsight's services (the dashboard reaches the Api as http://api:8080)",
        });
    }

    private static JsonObject Ingress(int port, string? cidr = null, string? source = null)
    {
        var rule = new JsonObject { ["IpProtocol"] = "tcp", ["FromPort"] = port, ["ToPort"] = port };
        if (cidr is not null)
        {
            rule["CidrIp"] = cidr;
        }

        if (source is not null)
        {
            rule["SourceSecurityGroupId"] = Cfn.GetAtt(source, "GroupId");
        }

        return rule;
    }
}
