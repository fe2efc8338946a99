using System.Text.Json.Nodes;
using LiveInsight.Core.Storage;
using LiveInsight.Deploy.Template;

namespace LiveInsight.Deploy.Tests;

/// <summary>Least privilege: each task role has the DynamoDB actions its service uses, on the template's tables only.</summary>
[Collection(TemplateCollection.Name)]
public sealed class IamTests(TemplateFixture fixture)
{
    private static readonly HashSet<string> TableIds = Tables.All.Select(DynamoDbTables.LogicalId).ToHashSet();

    public static TheoryData<string> Services() => new(ServiceCatalog.All.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Services))]
    public void A_task_role_grants_exactly_the_catalogued_actions_on_the_templates_tables(string name)
    {
        var spec = ServiceCatalog.For(name);
        var granted = new Dictionary<string, HashSet<string>>();
        foreach (var statement in Statements(Iam.TaskRoleId(spec)))
        {
            var actions = Strings(statement["Action"]);
            if (!actions.Any(a => a.StartsWith("dynamodb:", StringComparison.Ordinal)))
            {
                continue;
            }

            var resources = statement["Resource"]!.AsArray();
            var tableId = resources[0]!["Fn::GetAtt"]![0]!.GetValue<string>();
            Assert.Contains(tableId, TableIds);
            Assert.Equal("Arn", resources[0]!["Fn::GetAtt"]![1]!.GetValue<string>());
            foreach (var extra in resources.Skip(1))
            {
                Assert.Equal($"${{{tableId}.Arn}}/index/*", extra!["Fn::Sub"]!.GetValue<string>());
            }

            granted[tableId] = actions.Select(a => a["dynamodb:".Length..]).ToHashSet();
        }

        var expected = spec.AllGrants.GroupBy(g => DynamoDbTables.LogicalId(g.Table))
            .ToDictionary(g => g.Key, g => g.SelectMany(x => x.Actions).ToHashSet());
        Assert.Equal(expected.Keys.Order(), granted.Keys.Order());
        foreach (var (table, actions) in expected)
        {
            Assert.True(actions.SetEquals(granted[table]), $"{name} on {table}: {string.Join(",", granted[table])}");
        }
    }

    [Fact]
    public void No_role_can_create_delete_or_write_tables_it_does_not_need()
    {
        var all = ServiceCatalog.All.SelectMany(s => Statements(Iam.TaskRoleId(s))).SelectMany(s => Strings(s["Action"])).ToList();
        Assert.DoesNotContain("dynamodb:CreateTable", all);
        Assert.DoesNotContain("dynamodb:DeleteTable", all);
        Assert.DoesNotContain(all, a => a.EndsWith('*'));
        Assert.DoesNotContain("dynamodb:DeleteItem", Actions(ServiceCatalog.Aggregator));
        // The aggregator writes events, sessions and stats in batches only; its one PutItem is the alert delivery log.
        Assert.All(
            Statements(Iam.TaskRoleId(ServiceCatalog.Aggregator)).Where(s => Strings(s["Action"]).Contains("dynamodb:PutItem")),
            s => Assert.Equal(DynamoDbTables.LogicalId(Tables.Alerts), s["Resource"]![0]!["Fn::GetAtt"]![0]!.GetValue<string>()));
        // The Api batch-writes only imported history (and the demo's) into the Stats table, never events or sessions.
        Assert.All(
            Statements(Iam.TaskRoleId(ServiceCatalog.Api)).Where(s => Strings(s["Action"]).Contains("dynamodb:BatchWriteItem")),
            s => Assert.Equal(DynamoDbTables.LogicalId(Tables.Stats), s["Resource"]![0]!["Fn::GetAtt"]![0]!.GetValue<string>()));
    }

    [Fact]
    public void Only_xray_gets_a_wildcard_resource()
    {
        foreach (var spec in ServiceCatalog.All)
        {
            foreach (var statement in Statements(Iam.TaskRoleId(spec)).Where(s => s["Resource"]!.ToJsonString().Contains("\"*\"")))
            {
                Assert.All(Strings(statement["Action"]), a => Assert.StartsWith("xray:", a));
            }
        }
    }

    [Fact]
    public void The_execution_role_reads_only_the_task_secrets()
    {
        var statement = Statements("ExecutionRole").Single();
        Assert.Equal(["secretsmanager:GetSecretValue"], Strings(statement["Action"]));
        Assert.Equal(Secrets.All.Order(), statement["Resource"]!.AsArray().Select(r => r!["Ref"]!.GetValue<string>()).Order());
        Assert.EndsWith("AmazonECSTaskExecutionRolePolicy", fixture.Properties("ExecutionRole")["ManagedPolicyArns"]![0]!["Fn::Sub"]!.GetValue<string>());
    }

    [Fact]
    public void Roles_trust_only_ecs_tasks_of_this_account()
    {
        foreach (var (_, role) in fixture.OfType("AWS::IAM::Role"))
        {
            var statement = role["Properties"]!["AssumeRolePolicyDocument"]!["Statement"]!.AsArray().Single()!;
            Assert.Equal("ecs-tasks.amazonaws.com", statement["Principal"]!["Service"]!.GetValue<string>());
            Assert.Equal("AWS::AccountId", statement["Condition"]!["StringEquals"]!["aws:SourceAccount"]!["Ref"]!.GetValue<string>());
        }
    }

    private List<string> Actions(ServiceSpec spec) => Statements(Iam.TaskRoleId(spec)).SelectMany(s => Strings(s["Action"])).ToList();

    private IEnumerable<JsonObject> Statements(string roleId) =>
        (fixture.Properties(roleId)["Policies"]?.AsArray() ?? [])
        .SelectMany(p => p!["PolicyDocument"]!["Statement"]!.AsArray())
        .Select(s => s!.AsObject());

    private static string[] Strings(JsonNode? node) => node!.AsArray().Select(n => n!.GetValue<string>()).ToArray();
}
