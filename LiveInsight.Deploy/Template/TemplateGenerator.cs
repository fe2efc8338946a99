using System.Text.Json.Nodes;
using LiveInsight.Deploy.Manifest;

namespace LiveInsight.Deploy.Template;

/// <summary>
/// The whole stack, top to bottom like the AppHost: parameters → network → stores (DynamoDB, ElastiCache, secrets, the
/// lake's bucket and Glue table) → load balancer → IAM → ECS services → autoscaling. Each part is one file. A profile
/// other than standard reshapes the finished stack (<see cref="Profiles"/>).
/// </summary>
public sealed class TemplateGenerator(AspireManifest manifest, Profile profile = Profile.Standard)
{
    public List<DroppedVariable> Dropped { get; } = [];

    public CfnTemplate Generate()
    {
        var template = new CfnTemplate();
        var services = manifest.Projects.Select(project => (Project: project, Spec: ServiceCatalog.For(project.Name))).ToList();
        foreach (var spec in ServiceCatalog.All.Where(spec => services.All(s => s.Spec != spec)))
        {
            throw new InvalidOperationException($"The manifest has no project '{spec.Name}'.");
        }

        AddParameters(template, services.Select(s => s.Spec));
        Network.Add(template);
        DynamoDbTables.Add(template);
        Redis.Add(template);
        Secrets.Add(template);
        MailSettings.AddSecrets(template);
        Lake.Add(template);
        CognitoSignIn.Add(template);
        LoadBalancer.Add(template, services.Select(s => s.Spec));
        var mapper = new EnvironmentMapper(manifest);
        foreach (var (project, spec) in services)
        {
            var (environment, dropped) = mapper.Map(project, spec);
            environment.AddRange(MailSettings.Entries(spec));
            Dropped.AddRange(dropped.Select(d => d with { Name = $"{spec.Name}: {d.Name}" }));
            environment.AddRange(Lake.Environment(spec));
            environment.AddRange(CognitoSignIn.Entries(spec));
            Iam.AddTaskRole(template, spec);
            EcsServices.Add(template, spec, environment);
            Autoscaling.Add(template, spec);
        }

        Iam.AddExecutionRole(template);
        EcsServices.AddCluster(template);
        Profiles.Apply(template, profile);
        return template;
    }

    private static void AddParameters(CfnTemplate template, IEnumerable<ServiceSpec> services)
    {
        template.Parameter("VpcId", "AWS::EC2::VPC::Id", "The VPC to run in.");
        template.Parameter("VpcCidr", "String", "The VPC's CIDR block: the load balancer's addresses, trusted for X-Forwarded-For.",
            more: p => p["AllowedPattern"] = @"^\d{1,3}(\.\d{1,3}){3}/\d{1,2}$");
        template.Parameter("PublicSubnetIds", "List<AWS::EC2::Subnet::Id>", "At least two public subnets (different AZs) for the load balancer.");
        template.Parameter("PrivateSubnetIds", "List<AWS::EC2::Subnet::Id>",
            "At least two private subnets (different AZs, with a NAT gateway or VPC endpoints) for the tasks and ElastiCache.");
        template.Parameter("CertificateArn", "String", "ACM certificate for HTTPS on the load balancer; empty = HTTP only (testing).", "");
        foreach (var spec in services)
        {
            template.Parameter($"{spec.Id}Image", "String", $"Image URI of {spec.Name} (ECR), e.g. 123456789012.dkr.ecr.eu-west-1.amazonaws.com/liveinsight-{spec.Name}:1.0.0.");
        }

        template.Parameter("TablePrefix", "String", "Prefix of every DynamoDB table name (LiveInsight:Storage:TablePrefix).", "liveinsight-",
            p => p["AllowedPattern"] = "^[A-Za-z0-9_.-]{0,100}$");
        template.Parameter("RedisNodeType", "String", "ElastiCache node type (two nodes: primary and replica).", "cache.t4g.small");
        template.Parameter("ApiMinTasks", "Number", "Fewest Api tasks.", "2");
        template.Parameter("ApiMaxTasks", "Number", "Most Api tasks.", "10");
        template.Parameter("ApiCpuTarget", "Number", "Average CPU (%) the Api is scaled to.", "60");
        template.Parameter("AggregatorMinTasks", "Number", "Fewest aggregator tasks.", "1");
        template.Parameter("AggregatorMaxTasks", "Number", "Most aggregator tasks.", "4");
        template.Parameter("AggregatorLagTarget", "Number", "Stream entries not yet read by the aggregator group that the aggregator is scaled to.", "5000");
        template.Parameter("CollectorImage", "String", "AWS Distro for OpenTelemetry collector (the aggregator's metrics sidecar).",
            MetricsSidecar.DefaultImage);
        template.Parameter("LogRetentionDays", "Number", "CloudWatch Logs retention.", "30",
            p => p["AllowedValues"] = Cfn.Strings("1", "3", "5", "7", "14", "30", "60", "90", "180", "365"));
        MailSettings.AddParameters(template);
        CognitoSignIn.AddParameter(template);
        template.Conditions["HasCertificate"] = new JsonObject
        {
            ["Fn::Not"] = Cfn.Array(new JsonObject { ["Fn::Equals"] = Cfn.Array(Cfn.Ref("CertificateArn"), JsonValue.Create("")) }),
        };
    }
}
