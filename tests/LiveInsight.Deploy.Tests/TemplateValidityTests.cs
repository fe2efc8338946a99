using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using LiveInsight.Deploy.Manifest;
using LiveInsight.Deploy.Template;

namespace LiveInsight.Deploy.Tests;

/// <summary>The standard profile's template is well-formed CloudFormation.</summary>
[Collection(TemplateCollection.Name)]
public sealed class TemplateValidityTests(TemplateFixture fixture) : TemplateValidityChecks(fixture);

/// <summary>The small profile's template is well-formed CloudFormation.</summary>
[Collection(SmallTemplateCollection.Name)]
public sealed class SmallTemplateValidityTests(SmallTemplateFixture fixture) : TemplateValidityChecks(fixture);

/// <summary>The large profile's template is well-formed CloudFormation.</summary>
[Collection(LargeTemplateCollection.Name)]
public sealed class LargeTemplateValidityTests(LargeTemplateFixture fixture) : TemplateValidityChecks(fixture);

/// <summary>A profile's template is well-formed CloudFormation: known types, known property names, references that
/// resolve, and the committed file is what the generator makes.</summary>
public abstract partial class TemplateValidityChecks(TemplateFixture fixture)
{
    private static readonly HashSet<string> Pseudo = ["AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::Partition", "AWS::NoValue", "AWS::URLSuffix"];

    [Fact]
    public void Committed_template_is_what_the_generator_makes_from_the_committed_manifest()
    {
        var file = Profiles.FileName(fixture.Profile);
        var committed = File.ReadAllText(Path.Combine(TemplateFixture.RepositoryRoot, "deploy", file));
        Assert.True(committed.TrimEnd() == fixture.Text.TrimEnd(), $"deploy/{file} is stale: run ./liveinsight deploy-plan");
    }

    [Fact]
    public void Every_resource_uses_a_known_type_and_only_its_documented_properties()
    {
        foreach (var (id, node) in fixture.Resources)
        {
            var resource = node!.AsObject();
            Assert.All(resource.Select(p => p.Key), key => Assert.Contains(key, CloudFormationSchema.ResourceAttributes));
            var type = resource["Type"]!.GetValue<string>();
            Assert.True(CloudFormationSchema.Properties.TryGetValue(type, out var allowed), $"{id}: type {type} has no allow-list");
            foreach (var property in resource["Properties"]!.AsObject())
            {
                Assert.True(allowed.Contains(property.Key), $"{id} ({type}) has unknown property {property.Key}");
            }
        }
    }

    [Fact]
    public void Nested_ecs_elb_dynamodb_and_scaling_properties_use_documented_names()
    {
        foreach (var (id, task) in fixture.OfType("AWS::ECS::TaskDefinition"))
        {
            foreach (var container in task["Properties"]!["ContainerDefinitions"]!.AsArray())
            {
                AssertNames("ContainerDefinition", id, container);
                AssertEach("PortMapping", id, container!["PortMappings"]);
                AssertEach("KeyValuePair", id, container["Environment"]);
                AssertEach("Secret", id, container["Secrets"]);
                AssertNames("LogConfiguration", id, container["LogConfiguration"]);
                if (container["HealthCheck"] is { } check)
                {
                    AssertNames("HealthCheck", id, check);
                }
            }
        }

        foreach (var (id, service) in fixture.OfType("AWS::ECS::Service"))
        {
            var properties = service["Properties"]!;
            if (properties["ServiceConnectConfiguration"] is { } serviceConnect)
            {
                AssertNames("ServiceConnectConfiguration", id, serviceConnect);
                AssertEach("ServiceConnectService", id, serviceConnect["Services"]);
            }

            AssertEach("CapacityProviderStrategyItem", id, properties["CapacityProviderStrategy"]);
            AssertEach("ServiceRegistry", id, properties["ServiceRegistries"]);
            AssertNames("DeploymentConfiguration", id, properties["DeploymentConfiguration"]);
            AssertNames("AwsVpcConfiguration", id, properties["NetworkConfiguration"]!["AwsvpcConfiguration"]);
            AssertEach("ServiceLoadBalancer", id, properties["LoadBalancers"]);
        }

        foreach (var (id, table) in fixture.OfType("AWS::DynamoDB::Table"))
        {
            AssertEach("GlobalSecondaryIndex", id, table["Properties"]!["GlobalSecondaryIndexes"]);
        }

        foreach (var (id, rule) in fixture.OfType("AWS::ElasticLoadBalancingV2::ListenerRule"))
        {
            AssertEach("ListenerAction", id, rule["Properties"]!["Actions"]);
            AssertEach("RuleCondition", id, rule["Properties"]!["Conditions"]);
        }

        foreach (var (id, policy) in fixture.OfType("AWS::ApplicationAutoScaling::ScalingPolicy"))
        {
            var config = policy["Properties"]!["TargetTrackingScalingPolicyConfiguration"]!;
            AssertNames("TargetTrackingScalingPolicyConfiguration", id, config);
            if (config["CustomizedMetricSpecification"] is { } custom)
            {
                AssertNames("CustomizedMetricSpecification", id, custom);
            }
        }

        foreach (var (id, discovery) in fixture.OfType("AWS::ServiceDiscovery::Service"))
        {
            AssertNames("DnsConfig", id, discovery["Properties"]!["DnsConfig"]);
            AssertEach("DnsRecord", id, discovery["Properties"]!["DnsConfig"]!["DnsRecords"]);
        }

        foreach (var (id, stage) in fixture.OfType("AWS::ApiGatewayV2::Stage"))
        {
            AssertNames("RouteSettings", id, stage["Properties"]!["DefaultRouteSettings"]);
        }

        foreach (var (id, secret) in fixture.OfType("AWS::SecretsManager::Secret"))
        {
            // Generated, except a copy of what another resource made (the Cognito app client's secret).
            if (secret["Properties"]!["SecretString"] is not { } copied || copied["Fn::GetAtt"] is null)
            {
                AssertNames("GenerateSecretString", id, secret["Properties"]!["GenerateSecretString"]);
            }
        }
    }

    [Fact]
    public void Every_Ref_GetAtt_Sub_and_condition_points_at_something_that_exists()
    {
        var resources = fixture.Resources;
        var parameters = fixture.Template["Parameters"]!.AsObject();
        var conditions = fixture.Template["Conditions"]!.AsObject();
        var references = 0;
        foreach (var node in Walk(fixture.Template))
        {
            if (node is not JsonObject obj || obj.Count != 1)
            {
                continue;
            }

            var (key, value) = obj.First();
            switch (key)
            {
                case "Ref":
                    var name = value!.GetValue<string>();
                    Assert.True(resources.ContainsKey(name) || parameters.ContainsKey(name) || Pseudo.Contains(name), $"Ref {name} resolves to nothing");
                    references++;
                    break;
                case "Fn::GetAtt":
                    AssertGetAtt(value![0]!.GetValue<string>(), value[1]!.GetValue<string>());
                    references++;
                    break;
                case "Fn::Sub":
                    foreach (Match match in SubVariable().Matches(value!.GetValue<string>()))
                    {
                        var variable = match.Groups[1].Value;
                        if (variable.Contains('.'))
                        {
                            AssertGetAtt(variable[..variable.IndexOf('.')], variable[(variable.IndexOf('.') + 1)..]);
                        }
                        else
                        {
                            Assert.True(resources.ContainsKey(variable) || parameters.ContainsKey(variable) || Pseudo.Contains(variable),
                                $"${{{variable}}} in Fn::Sub resolves to nothing");
                        }

                        references++;
                    }

                    break;
                case "Fn::If":
                    Assert.True(conditions.ContainsKey(value![0]!.GetValue<string>()), $"unknown condition {value[0]}");
                    break;
            }
        }

        foreach (var (id, resource) in resources)
        {
            if (resource!["Condition"] is { } condition)
            {
                Assert.True(conditions.ContainsKey(condition.GetValue<string>()), $"{id}: unknown condition");
            }

            foreach (var dependency in resource["DependsOn"]?.AsArray() ?? [])
            {
                Assert.True(resources.ContainsKey(dependency!.GetValue<string>()), $"{id} depends on missing {dependency}");
            }
        }

        Assert.True(references > 100, $"only {references} references checked");
    }

    [Fact]
    public void Every_parameter_is_used_and_has_a_type()
    {
        var text = fixture.Text;
        foreach (var (name, parameter) in fixture.Template["Parameters"]!.AsObject())
        {
            Assert.False(string.IsNullOrEmpty(parameter!["Type"]?.GetValue<string>()));
            Assert.True(text.Contains($"\"Ref\": \"{name}\"") || text.Contains("${" + name + "}"), $"parameter {name} is never used");
        }
    }

    [Fact]
    public void A_manifest_project_the_catalog_does_not_know_stops_the_generator()
    {
        var manifest = JsonNode.Parse(fixture.ManifestJson)!.AsObject();
        manifest["resources"]!["reports"] = new JsonObject { ["type"] = "project.v0", ["path"] = "x.csproj", ["env"] = new JsonObject() };
        var error = Assert.Throws<InvalidOperationException>(() => new TemplateGenerator(AspireManifest.Parse(manifest.ToJsonString())).Generate());
        Assert.Contains("reports", error.Message);
    }

    private void AssertGetAtt(string resource, string attribute)
    {
        Assert.True(fixture.Resources.ContainsKey(resource), $"GetAtt on missing resource {resource}");
        var type = fixture.Resource(resource)["Type"]!.GetValue<string>();
        Assert.True(CloudFormationSchema.Attributes.TryGetValue(type, out var allowed) && allowed.Contains(attribute),
            $"{type} has no attribute {attribute}");
    }

    private static void AssertEach(string kind, string id, JsonNode? array)
    {
        foreach (var item in array?.AsArray() ?? [])
        {
            // An item that exists only under a condition: its names are those of the item it stands for.
            AssertNames(kind, id, item?["Fn::If"] is JsonArray conditional ? conditional[1] : item);
        }
    }

    private static void AssertNames(string kind, string id, JsonNode? node)
    {
        Assert.NotNull(node);
        foreach (var property in node!.AsObject())
        {
            Assert.True(CloudFormationSchema.Nested[kind].Contains(property.Key), $"{id}: {kind} has unknown property {property.Key}");
        }
    }

    private static IEnumerable<JsonNode> Walk(JsonNode? node)
    {
        if (node is null)
        {
            yield break;
        }

        yield return node;
        var children = node switch
        {
            JsonObject obj => obj.Select(p => p.Value),
            JsonArray array => array.AsEnumerable(),
            _ => [],
        };
        foreach (var child in children.SelectMany(Walk))
        {
            yield return child;
        }
    }

    // ${Name} or ${Resource.Attribute}, not the literal ${!…}.
    [GeneratedRegex(@"\$\{(?!!)([A-Za-z0-9:.]+)\}")]
    private static partial Regex SubVariable();
}
