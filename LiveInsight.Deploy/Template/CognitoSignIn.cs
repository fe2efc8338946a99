using System.Text.Json.Nodes;

namespace LiveInsight.Deploy.Template;

/// <summary>
/// Optional single sign-on for the Dashboard through an Amazon Cognito user pool, made by the stack: giving
/// <see cref="DomainParameter"/> (the hosted sign-in domain's prefix) turns it on. The pool keeps people (e-mail as the
/// user name, verified by Cognito, created by an operator only), its group <see cref="AdminGroup"/> makes installation
/// administrators (the Dashboard's <c>Oidc:AdminGroups</c>, read from <c>cognito:groups</c>), and a confidential app
/// client with the code flow calls back to <c>/signin-oidc</c> on the public URL. Its client secret reaches the Dashboard
/// as an ECS secret (a Secrets Manager copy), never as a plain variable. Left empty, nothing of this exists and the
/// Dashboard's OpenID Connect settings stay empty (passwords only).
/// </summary>
public static class CognitoSignIn
{
    public const string Condition = "UseCognito";
    public const string DomainParameter = "CognitoDomainPrefix";
    public const string AdminGroup = "liveinsight-admins";
    public const string PoolId = "DashboardUserPool";
    public const string ClientId = "DashboardUserPoolClient";
    public const string DomainId = "DashboardUserPoolDomain";
    public const string GroupId = "DashboardAdminGroup";
    public const string SecretId = "DashboardOidcClientSecret";
    public const string SecretPolicyId = "ExecutionRoleReadsOidcClientSecret";
    public const string CallbackPath = "/signin-oidc";

    public static void AddParameter(CfnTemplate template)
    {
        template.Parameter(DomainParameter, "String",
            "Cognito hosted sign-in domain prefix (https://PREFIX.auth.REGION.amazoncognito.com) for the Dashboard's single sign-on; " +
            "empty = no user pool (passwords only). Cognito needs an https callback: give CertificateArn or an https PublicUrl.", "",
            p => p["AllowedPattern"] = "^([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)?$");
        template.Conditions[Condition] = new JsonObject
        {
            ["Fn::Not"] = Cfn.Array(new JsonObject { ["Fn::Equals"] = Cfn.Array(Cfn.Ref(DomainParameter), JsonValue.Create("")) }),
        };
    }

    public static void Add(CfnTemplate template)
    {
        var pool = template.Add(PoolId, "AWS::Cognito::UserPool", new JsonObject
        {
            ["UserPoolName"] = Cfn.Sub("${AWS::StackName}-dashboard"),
            ["UsernameAttributes"] = Cfn.Strings("email"),
            ["AutoVerifiedAttributes"] = Cfn.Strings("email"),
            // People are added by an operator (or a federated provider), never by sign-up on a public page.
            ["AdminCreateUserConfig"] = new JsonObject { ["AllowAdminCreateUserOnly"] = true },
            ["Policies"] = new JsonObject
            {
                ["PasswordPolicy"] = new JsonObject
                {
                    ["MinimumLength"] = 12,
                    ["RequireLowercase"] = false,
                    ["RequireUppercase"] = false,
                    ["RequireNumbers"] = false,
                    ["RequireSymbols"] = false,
                    ["TemporaryPasswordValidityDays"] = 7,
                },
            },
            ["AccountRecoverySetting"] = new JsonObject
            {
                ["RecoveryMechanisms"] = Cfn.Array(new JsonObject { ["Name"] = "verified_email", ["Priority"] = 1 }),
            },
            ["DeletionProtection"] = "ACTIVE",
        });
        Conditional(pool);
        // People are data: deleting the stack keeps the pool.
        pool["DeletionPolicy"] = "Retain";
        pool["UpdateReplacePolicy"] = "Retain";

        Conditional(template.Add(DomainId, "AWS::Cognito::UserPoolDomain", new JsonObject
        {
            ["Domain"] = Cfn.Ref(DomainParameter),
            ["UserPoolId"] = Cfn.Ref(PoolId),
        }));
        Conditional(template.Add(GroupId, "AWS::Cognito::UserPoolGroup", new JsonObject
        {
            ["GroupName"] = AdminGroup,
            ["UserPoolId"] = Cfn.Ref(PoolId),
            ["Description"] = "LiveInsight installation administrators (everyone else sees the sites an owner adds them to)",
        }));
        Conditional(template.Add(ClientId, "AWS::Cognito::UserPoolClient", new JsonObject
        {
            ["UserPoolId"] = Cfn.Ref(PoolId),
            ["ClientName"] = "liveinsight-dashboard",
            ["GenerateSecret"] = true,
            ["AllowedOAuthFlowsUserPoolClient"] = true,
            ["AllowedOAuthFlows"] = Cfn.Strings("code"),
            ["AllowedOAuthScopes"] = Cfn.Strings("openid", "email", "profile"),
            ["CallbackURLs"] = Cfn.Array(CallbackUrl()),
            ["SupportedIdentityProviders"] = Cfn.Strings("COGNITO"),
            ["PreventUserExistenceErrors"] = "ENABLED",
            ["EnableTokenRevocation"] = true,
        }));
        Conditional(template.Add(SecretId, "AWS::SecretsManager::Secret", new JsonObject
        {
            ["Name"] = Cfn.Sub("${AWS::StackName}/dashboard-oidc-client-secret"),
            ["Description"] = "LiveInsight Dashboard: the Cognito app client's secret (copied here so the task gets it as an ECS secret)",
            ["SecretString"] = Cfn.GetAtt(ClientId, "ClientSecret"),
        }));
        Conditional(template.Add(SecretPolicyId, "AWS::IAM::Policy", new JsonObject
        {
            ["PolicyName"] = "read-dashboard-oidc-client-secret",
            ["Roles"] = Cfn.Array(Cfn.Ref("ExecutionRole")),
            ["PolicyDocument"] = new JsonObject
            {
                ["Version"] = "2012-10-17",
                ["Statement"] = Cfn.Array(Cfn.Statement(["secretsmanager:GetSecretValue"], Cfn.Array(Cfn.Ref(SecretId)))),
            },
        }));

        template.Output("CognitoUserPoolId",
            $"Add people: aws cognito-idp admin-create-user --user-pool-id <this> --username you@example.com; administrators: aws cognito-idp admin-add-user-to-group --user-pool-id <this> --username you@example.com --group-name {AdminGroup}",
            Cfn.Ref(PoolId));
        template.Outputs["CognitoUserPoolId"]!["Condition"] = Condition;
    }

    /// <summary>The Dashboard's OpenID Connect settings: the pool as authority, the app client, the admin group. With
    /// Cognito off they are empty (the Authority's emptiness turns single sign-on off) and the secret is absent.</summary>
    public static IEnumerable<EnvironmentEntry> Entries(ServiceSpec spec)
    {
        if (spec != ServiceCatalog.Dashboard)
        {
            yield break;
        }

        const string Prefix = "LiveInsight__Dashboard__Oidc__";
        yield return new EnvironmentEntry(Prefix + "Authority",
            Cfn.If(Condition, Cfn.Sub("https://cognito-idp.${AWS::Region}.amazonaws.com/${" + PoolId + "}"), JsonValue.Create("")!), IsSecret: false);
        yield return new EnvironmentEntry(Prefix + "ClientId", Cfn.If(Condition, Cfn.Ref(ClientId), JsonValue.Create("")!), IsSecret: false);
        yield return new EnvironmentEntry(Prefix + "DisplayName", JsonValue.Create("Amazon Cognito"), IsSecret: false);
        yield return new EnvironmentEntry(Prefix + "GroupsClaim", JsonValue.Create("cognito:groups"), IsSecret: false);
        yield return new EnvironmentEntry(Prefix + "AdminGroups__0", JsonValue.Create(AdminGroup), IsSecret: false);
        yield return new EnvironmentEntry(Prefix + "ClientSecret", Cfn.Ref(SecretId), IsSecret: true, Condition);
    }

    /// <summary>The public URL's callback: the load balancer's (or the HTTP API's, in the small profile) unless
    /// <c>PublicUrl</c> is given.</summary>
    private static JsonObject CallbackUrl() => new()
    {
        ["Fn::Join"] = Cfn.Array(JsonValue.Create(""), Cfn.Array(
            Cfn.If("HasPublicUrl", Cfn.Ref("PublicUrl"), LoadBalancer.PublicUrl()), JsonValue.Create(CallbackPath))),
    };

    private static void Conditional(JsonObject resource) => resource["Condition"] = Condition;
}
