using System.Text.Json.Nodes;
using LiveInsight.Deploy.Template;

namespace LiveInsight.Deploy.Tests;

/// <summary>The optional Cognito user pool for the Dashboard's single sign-on (<see cref="CognitoSignIn"/>): off unless
/// its domain prefix is given, and then wired to the Dashboard's OpenID Connect settings, in every profile.</summary>
[Collection(TemplateCollection.Name)]
public sealed class CognitoTests(TemplateFixture fixture)
{
    private const string Oidc = "LiveInsight__Dashboard__Oidc__";

    private static readonly string[] CognitoResources =
    [
        CognitoSignIn.PoolId, CognitoSignIn.DomainId, CognitoSignIn.GroupId, CognitoSignIn.ClientId, CognitoSignIn.SecretId,
        CognitoSignIn.SecretPolicyId,
    ];

    public static TheoryData<string> Profiles => ["standard", "small", "large"];

    [Fact]
    public void Is_off_unless_a_domain_prefix_is_given_and_then_every_part_of_it_exists()
    {
        var parameter = fixture.Template["Parameters"]![CognitoSignIn.DomainParameter]!;
        Assert.Equal("", parameter["Default"]!.GetValue<string>());
        Assert.Matches(parameter["AllowedPattern"]!.GetValue<string>(), "liveinsight-stats");
        Assert.DoesNotMatch(parameter["AllowedPattern"]!.GetValue<string>(), "Not_A-Prefix");
        Assert.Equal(CognitoSignIn.DomainParameter,
            fixture.Template["Conditions"]![CognitoSignIn.Condition]!["Fn::Not"]![0]!["Fn::Equals"]![0]!["Ref"]!.GetValue<string>());
        Assert.All(CognitoResources, id => Assert.Equal(CognitoSignIn.Condition, fixture.Resource(id)["Condition"]!.GetValue<string>()));
        Assert.Equal(CognitoSignIn.Condition, fixture.Template["Outputs"]!["CognitoUserPoolId"]!["Condition"]!.GetValue<string>());
    }

    [Fact]
    public void The_dashboard_gets_the_pool_as_authority_its_client_and_secret_and_the_admin_group()
    {
        var environment = fixture.Environment(ServiceCatalog.Dashboard);
        var authority = environment[Oidc + "Authority"]["Fn::If"]!.AsArray();
        Assert.Equal(CognitoSignIn.Condition, authority[0]!.GetValue<string>());
        Assert.Equal("https://cognito-idp.${AWS::Region}.amazonaws.com/${DashboardUserPool}", authority[1]!["Fn::Sub"]!.GetValue<string>());
        Assert.Equal("", authority[2]!.GetValue<string>()); // an empty Authority is single sign-on off
        Assert.Equal(CognitoSignIn.ClientId, environment[Oidc + "ClientId"]["Fn::If"]![1]!["Ref"]!.GetValue<string>());
        Assert.Equal("cognito:groups", environment[Oidc + "GroupsClaim"].GetValue<string>());
        Assert.Equal(fixture.Properties(CognitoSignIn.GroupId)["GroupName"]!.GetValue<string>(), environment[Oidc + "AdminGroups__0"].GetValue<string>());

        // The client secret is an ECS secret (never a plain variable), present only with the pool.
        Assert.DoesNotContain(Oidc + "ClientSecret", environment.Keys);
        var secret = fixture.Container(ServiceCatalog.Dashboard)["Secrets"]!.AsArray()
            .Single(s => TemplateFixture.Unconditional(s)!["Name"]!.GetValue<string>() == Oidc + "ClientSecret")!["Fn::If"]!.AsArray();
        Assert.Equal(CognitoSignIn.Condition, secret[0]!.GetValue<string>());
        Assert.Equal(CognitoSignIn.SecretId, secret[1]!["ValueFrom"]!["Ref"]!.GetValue<string>());
        Assert.Equal("AWS::NoValue", secret[2]!["Ref"]!.GetValue<string>());
        Assert.Equal([CognitoSignIn.ClientId, "ClientSecret"],
            fixture.Properties(CognitoSignIn.SecretId)["SecretString"]!["Fn::GetAtt"]!.AsArray().Select(n => n!.GetValue<string>()));

        // Only the execution role may read it, and nothing else through this policy.
        var policy = fixture.Properties(CognitoSignIn.SecretPolicyId);
        Assert.Equal("ExecutionRole", policy["Roles"]![0]!["Ref"]!.GetValue<string>());
        var statement = policy["PolicyDocument"]!["Statement"]!.AsArray().Single()!;
        Assert.Equal("secretsmanager:GetSecretValue", statement["Action"]!.AsArray().Single()!.GetValue<string>());
        Assert.Equal(CognitoSignIn.SecretId, statement["Resource"]!.AsArray().Single()!["Ref"]!.GetValue<string>());

        foreach (var spec in ServiceCatalog.All.Where(s => s != ServiceCatalog.Dashboard))
        {
            Assert.DoesNotContain(fixture.Environment(spec).Keys, key => key.StartsWith(Oidc, StringComparison.Ordinal));
        }
    }

    [Fact]
    public void The_pool_is_invitation_only_and_its_client_uses_the_code_flow_back_to_the_dashboard()
    {
        var pool = fixture.Properties(CognitoSignIn.PoolId);
        Assert.True(pool["AdminCreateUserConfig"]!["AllowAdminCreateUserOnly"]!.GetValue<bool>());
        Assert.Equal(["email"], pool["UsernameAttributes"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["email"], pool["AutoVerifiedAttributes"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("Retain", fixture.Resource(CognitoSignIn.PoolId)["DeletionPolicy"]!.GetValue<string>());

        var client = fixture.Properties(CognitoSignIn.ClientId);
        Assert.True(client["GenerateSecret"]!.GetValue<bool>());
        Assert.Equal(["code"], client["AllowedOAuthFlows"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains("email", client["AllowedOAuthScopes"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Contains("openid", client["AllowedOAuthScopes"]!.AsArray().Select(n => n!.GetValue<string>()));
        var join = client["CallbackURLs"]![0]!["Fn::Join"]!.AsArray();
        Assert.Equal(CognitoSignIn.CallbackPath, join[1]![1]!.GetValue<string>());
        Assert.Equal("HasPublicUrl", join[1]![0]!["Fn::If"]![0]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(LoadBalancer.PublicUrl(), join[1]![0]!["Fn::If"]![2]));
    }

    [Theory]
    [MemberData(nameof(Profiles))]
    public void Every_reference_to_a_conditional_resource_is_under_its_condition(string profile)
    {
        var template = profile switch
        {
            "small" => new SmallTemplateFixture().Template,
            "large" => new LargeTemplateFixture().Template,
            _ => fixture.Template,
        };
        var resources = template["Resources"]!.AsObject();
        var conditional = resources.Where(r => r.Value!["Condition"] is not null)
            .ToDictionary(r => r.Key, r => r.Value!["Condition"]!.GetValue<string>());
        Assert.Contains(CognitoSignIn.PoolId, conditional.Keys);

        var checkedReferences = 0;
        foreach (var (id, resource) in resources.Concat(template["Outputs"]!.AsObject()))
        {
            var own = resource!["Condition"]?.GetValue<string>();
            foreach (var (target, guards) in References(resource, []))
            {
                if (conditional.TryGetValue(target, out var needed))
                {
                    Assert.True(own == needed || guards.Contains(needed), $"{id} refers to {target} outside condition {needed}");
                    checkedReferences++;
                }
            }
        }

        Assert.True(checkedReferences >= 8, $"only {checkedReferences} references checked");
        if (profile == "small")
        {
            // No load balancer there: the callback is the HTTP API's address.
            var callback = resources[CognitoSignIn.ClientId]!["Properties"]!["CallbackURLs"]![0]!.ToJsonString();
            Assert.Contains("HttpApi", callback, StringComparison.Ordinal);
            Assert.DoesNotContain("LoadBalancer", callback, StringComparison.Ordinal);
        }
    }

    /// <summary>Every resource a node refers to (Ref, Fn::GetAtt, Fn::Sub), with the conditions of the Fn::If true
    /// branches it sits in.</summary>
    private static IEnumerable<(string Target, List<string> Guards)> References(JsonNode? node, List<string> guards)
    {
        switch (node)
        {
            case JsonObject obj when obj["Fn::If"] is JsonArray branches:
                foreach (var reference in References(branches[1], [.. guards, branches[0]!.GetValue<string>()]))
                {
                    yield return reference;
                }

                foreach (var reference in References(branches[2], guards))
                {
                    yield return reference;
                }

                break;
            case JsonObject obj:
                foreach (var (key, child) in obj)
                {
                    if (key == "Ref" && child is JsonValue name)
                    {
                        yield return (name.GetValue<string>(), guards);
                    }
                    else if (key == "Fn::GetAtt" && child is JsonArray att)
                    {
                        yield return (att[0]!.GetValue<string>(), guards);
                    }
                    else if (key == "Fn::Sub" && child is JsonValue text)
                    {
                        foreach (System.Text.RegularExpressions.Match match in System.Text.RegularExpressions.Regex.Matches(text.GetValue<string>(), @"\$\{([A-Za-z0-9]+)"))
                        {
                            yield return (match.Groups[1].Value, guards);
                        }
                    }
                    else
                    {
                        foreach (var reference in References(child, guards))
                        {
                            yield return reference;
                        }
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array)
                {
                    foreach (var reference in References(item, guards))
                    {
                        yield return reference;
                    }
                }

                break;
        }
    }
}
