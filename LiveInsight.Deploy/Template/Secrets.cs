using System.Text.Json.Nodes;

namespace LiveInsight.Deploy.Template;

/// <summary>Generated secrets: the admin token (manifest parameter <c>admin-token</c>) and the Redis AUTH token
/// (<c>redis-password</c>). Tasks get them as ECS secrets; nothing secret is in the template or the task definition.</summary>
public static class Secrets
{
    public static void Add(CfnTemplate template)
    {
        template.Add("AdminTokenSecret", "AWS::SecretsManager::Secret", new JsonObject
        {
            ["Name"] = Cfn.Sub("${AWS::StackName}/admin-token"),
            ["Description"] = "LiveInsight admin token (Authorization: Bearer …) for POST /api/sites",
            ["GenerateSecretString"] = new JsonObject { ["PasswordLength"] = 48, ["ExcludePunctuation"] = true },
        });
        template.Add("RedisAuthSecret", "AWS::SecretsManager::Secret", new JsonObject
        {
            ["Name"] = Cfn.Sub("${AWS::StackName}/redis-auth"),
            ["Description"] = "LiveInsight ElastiCache AUTH token",
            ["GenerateSecretString"] = new JsonObject
            {
                ["SecretStringTemplate"] = "{}",
                ["GenerateStringKey"] = "password",
                ["PasswordLength"] = 64,
                ["ExcludePunctuation"] = true,
            },
        });
    }

    public static string[] All => ["AdminTokenSecret", "RedisAuthSecret", .. MailSettings.SecretIds];
}
