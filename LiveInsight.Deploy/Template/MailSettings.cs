using System.Text.Json.Nodes;

namespace LiveInsight.Deploy.Template;

/// <summary>
/// Alerts and reports in AWS: the SMTP server as parameters (Amazon SES's SMTP interface is the suggestion, DEPLOY.md),
/// its credentials in a Secrets Manager secret the operator fills (<c>{"username":…,"password":…}</c>; the template
/// creates it with a placeholder so no credential is ever a parameter), and a generated key that signs unsubscribe
/// links, shared by the Api (which serves them and sends reports) and the aggregator (which sends alerts). Locally the
/// AppHost runs maildev instead; nothing of this is in the manifest.
/// </summary>
public static class MailSettings
{
    public const string SmtpSecret = "SmtpSecret";
    public const string SigningKeySecret = "AlertsSigningKeySecret";

    public static string[] SecretIds => [SmtpSecret, SigningKeySecret];

    public static void AddParameters(CfnTemplate template)
    {
        template.Parameter("SmtpHost", "String",
            "SMTP server for alerts and reports, e.g. email-smtp.eu-west-1.amazonaws.com (Amazon SES); empty = no mail (rules still run, deliveries log as failed).", "");
        template.Parameter("SmtpPort", "Number", "SMTP port: 587 with STARTTLS (SES), 465 with TLS from the first byte.", "587");
        template.Parameter("SmtpSecurity", "String", "starttls (587), tls (465) or auto.", "starttls",
            p => p["AllowedValues"] = Cfn.Strings("starttls", "tls", "auto"));
        template.Parameter("MailFrom", "String", "Sender of alerts and reports, a verified SES identity, e.g. LiveInsight <alerts@example.com>.",
            "LiveInsight <alerts@example.com>");
        template.Parameter("PublicUrl", "String",
            "The address users reach LiveInsight at (unsubscribe and dashboard links in mails); empty = the load balancer's.", "");
        template.Conditions["HasPublicUrl"] = new JsonObject
        {
            ["Fn::Not"] = Cfn.Array(new JsonObject { ["Fn::Equals"] = Cfn.Array(Cfn.Ref("PublicUrl"), JsonValue.Create("")) }),
        };
    }

    public static void AddSecrets(CfnTemplate template)
    {
        template.Add(SmtpSecret, "AWS::SecretsManager::Secret", new JsonObject
        {
            ["Name"] = Cfn.Sub("${AWS::StackName}/smtp"),
            ["Description"] = "SMTP credentials for alerts and reports: put {\"username\":\"…\",\"password\":\"…\"} (SES SMTP credentials) here",
            ["GenerateSecretString"] = new JsonObject
            {
                ["SecretStringTemplate"] = "{\"username\":\"\"}",
                ["GenerateStringKey"] = "password",
                ["PasswordLength"] = 32,
                ["ExcludePunctuation"] = true,
            },
        });
        template.Add(SigningKeySecret, "AWS::SecretsManager::Secret", new JsonObject
        {
            ["Name"] = Cfn.Sub("${AWS::StackName}/alerts-signing-key"),
            ["Description"] = "LiveInsight: signs one-click unsubscribe links (Api and aggregator)",
            ["GenerateSecretString"] = new JsonObject { ["PasswordLength"] = 48, ["ExcludePunctuation"] = true },
        });
        template.Output("SmtpSecretArn", "Put the SMTP credentials here: aws secretsmanager put-secret-value --secret-id <this> --secret-string '{\"username\":\"…\",\"password\":\"…\"}'",
            Cfn.Ref(SmtpSecret));
    }

    /// <summary>The variables of the services that send mail (the Api: reports; the aggregator: alerts; the Dashboard:
    /// password reset links, which also need the public address the links point at).</summary>
    public static IEnumerable<EnvironmentEntry> Entries(ServiceSpec spec)
    {
        if (spec != ServiceCatalog.Api && spec != ServiceCatalog.Aggregator && spec != ServiceCatalog.Dashboard)
        {
            yield break;
        }

        var publicUrl = Cfn.If("HasPublicUrl", Cfn.Ref("PublicUrl"), LoadBalancer.PublicUrl());
        yield return new EnvironmentEntry("Mail__Host", Cfn.Ref("SmtpHost"), IsSecret: false);
        yield return new EnvironmentEntry("Mail__Port", Cfn.Ref("SmtpPort"), IsSecret: false);
        yield return new EnvironmentEntry("Mail__Security", Cfn.Ref("SmtpSecurity"), IsSecret: false);
        yield return new EnvironmentEntry("Mail__From", Cfn.Ref("MailFrom"), IsSecret: false);
        yield return new EnvironmentEntry("Mail__UserName", Cfn.Sub("${" + SmtpSecret + "}:username::"), IsSecret: true);
        yield return new EnvironmentEntry("Mail__Password", Cfn.Sub("${" + SmtpSecret + "}:password::"), IsSecret: true);
        if (spec == ServiceCatalog.Dashboard)
        {
            yield return new EnvironmentEntry("LiveInsight__Dashboard__PublicUrl", publicUrl, IsSecret: false);
            yield break;
        }

        yield return new EnvironmentEntry("Alerts__SigningKey", Cfn.Ref(SigningKeySecret), IsSecret: true);
        yield return new EnvironmentEntry("Alerts__PublicApiUrl", publicUrl, IsSecret: false);
        yield return new EnvironmentEntry("Alerts__DashboardUrl", publicUrl.DeepClone(), IsSecret: false);
    }
}
