using LiveInsight.Deploy.Template;

namespace LiveInsight.Deploy.Tests;

/// <summary>Who gets the SMTP settings (<see cref="MailSettings"/>): the Api (reports), the aggregator (alerts) and the
/// Dashboard (password reset links, which point at the public address); the credentials only ever as ECS secrets.</summary>
[Collection(TemplateCollection.Name)]
public sealed class MailSettingsTests(TemplateFixture fixture)
{
    [Fact]
    public void Every_service_that_sends_mail_gets_the_smtp_settings_with_the_credentials_as_secrets()
    {
        foreach (var service in new[] { ServiceCatalog.Api, ServiceCatalog.Aggregator, ServiceCatalog.Dashboard })
        {
            var environment = fixture.Environment(service);
            Assert.Equal("SmtpHost", environment["Mail__Host"]["Ref"]!.GetValue<string>());
            Assert.Equal("MailFrom", environment["Mail__From"]["Ref"]!.GetValue<string>());
            Assert.DoesNotContain("Mail__Password", environment.Keys);
            var secrets = fixture.Container(service)["Secrets"]!.AsArray().Select(s => TemplateFixture.Unconditional(s)!["Name"]!.GetValue<string>()).ToList();
            Assert.Contains("Mail__UserName", secrets);
            Assert.Contains("Mail__Password", secrets);
        }
    }

    [Fact]
    public void The_dashboard_knows_its_public_address_for_reset_links_and_gets_no_alert_signing_key()
    {
        var environment = fixture.Environment(ServiceCatalog.Dashboard);

        var url = environment["LiveInsight__Dashboard__PublicUrl"]["Fn::If"]!.AsArray();
        Assert.Equal("HasPublicUrl", url[0]!.GetValue<string>());
        Assert.Equal("PublicUrl", url[1]!["Ref"]!.GetValue<string>());
        var secrets = fixture.Container(ServiceCatalog.Dashboard)["Secrets"]!.AsArray().Select(s => TemplateFixture.Unconditional(s)!["Name"]!.GetValue<string>());
        Assert.DoesNotContain("Alerts__SigningKey", secrets);
        Assert.DoesNotContain("Alerts__PublicApiUrl", environment.Keys);
    }
}
