using System.Text.Json.Nodes;
using LiveInsight.Core.Storage;

namespace LiveInsight.Deploy.Template;

/// <summary>
/// One task role per service with only the DynamoDB actions it uses, on its own tables (and their indexes where it
/// queries), the S3 actions on the lake's prefix it needs (<see cref="Lake"/>), and a shared execution role that pulls images, writes logs and reads the two secrets.
/// </summary>
public static class Iam
{
    public static string TaskRoleId(ServiceSpec spec) => $"{spec.Id}TaskRole";

    /// <summary>Actions that may read through a GSI, so they are granted on <c>table/index/*</c> too.</summary>
    private static readonly HashSet<string> IndexActions = ["Query", "Scan"];

    public static void AddTaskRole(CfnTemplate template, ServiceSpec spec)
    {
        var statements = new JsonArray();
        foreach (var group in spec.AllGrants.GroupBy(g => g.Table))
        {
            var table = group.Key;
            var actions = group.SelectMany(g => g.Actions).Distinct().Order(StringComparer.Ordinal).ToList();
            var resources = Cfn.Array(Cfn.GetAtt(DynamoDbTables.LogicalId(table), "Arn"));
            if (table.Indexes.Count > 0 && actions.Any(IndexActions.Contains))
            {
                resources.Add(Cfn.Sub($"${{{DynamoDbTables.LogicalId(table)}.Arn}}/index/*"));
            }

            statements.Add(Cfn.Statement(actions.Select(a => "dynamodb:" + a), resources));
        }

        foreach (var statement in Lake.Statements(spec))
        {
            statements.Add(statement);
        }

        if (spec.MetricsSidecar)
        {
            // The ADOT collector writes EMF metrics as log events into its own log group.
            statements.Add(Cfn.Statement(
                ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                Cfn.Array(Cfn.GetAtt(MetricsSidecar.LogGroupId, "Arn"))));
            // X-Ray has no resource-level permissions: "*" is the only form these two actions take.
            statements.Add(Cfn.Statement(["xray:PutTelemetryRecords", "xray:PutTraceSegments"], Cfn.Strings("*")));
        }

        var properties = new JsonObject
        {
            ["Description"] = $"LiveInsight {spec.Name} task role (least privilege)",
            ["AssumeRolePolicyDocument"] = Cfn.EcsTasksTrustPolicy(),
        };
        if (statements.Count > 0)
        {
            properties["Policies"] = Cfn.Array(new JsonObject
            {
                ["PolicyName"] = $"{spec.Name}-access",
                ["PolicyDocument"] = new JsonObject { ["Version"] = "2012-10-17", ["Statement"] = statements },
            });
        }

        template.Add(TaskRoleId(spec), "AWS::IAM::Role", properties);
    }

    public static void AddExecutionRole(CfnTemplate template)
    {
        template.Add("ExecutionRole", "AWS::IAM::Role", new JsonObject
        {
            ["Description"] = "LiveInsight ECS execution role: pull images, write logs, read the task secrets",
            ["AssumeRolePolicyDocument"] = Cfn.EcsTasksTrustPolicy(),
            ["ManagedPolicyArns"] = Cfn.Array(Cfn.Sub("arn:${AWS::Partition}:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy")),
            ["Policies"] = Cfn.Array(new JsonObject
            {
                ["PolicyName"] = "read-task-secrets",
                ["PolicyDocument"] = new JsonObject
                {
                    ["Version"] = "2012-10-17",
                    ["Statement"] = Cfn.Array(Cfn.Statement(["secretsmanager:GetSecretValue"],
                        new JsonArray(Secrets.All.Select(id => (JsonNode?)Cfn.Ref(id)).ToArray()))),
                },
            }),
        });
    }

    /// <summary>Tables a service touches (for tests and docs).</summary>
    public static IEnumerable<TableDefinition> TablesOf(ServiceSpec spec) => spec.AllGrants.Select(g => g.Table).Distinct();
}
