using System.Net.Http.Json;
using System.Text.Json;

namespace LiveInsight.AppHost.Tests;

/// <summary>The local mail stack: maildev runs beside the services, its web inbox is an endpoint of the <c>mail</c>
/// resource (the URL the Aspire dashboard shows), and a message sent to its SMTP endpoint shows up there.</summary>
[Collection(nameof(AppHostCollection))]
public sealed class MailStackTests(AppHostFixture fixture)
{
    [Fact]
    public async Task A_mail_sent_to_the_local_smtp_server_arrives_in_the_web_inbox()
    {
        var smtp = fixture.App.GetEndpoint("mail", "smtp");
        using var inbox = fixture.App.CreateHttpClient("mail", "http");
        var to = $"stack-{Guid.NewGuid():N}@example.test";

        var sender = new LiveInsight.Core.Alerts.MailSender(Microsoft.Extensions.Options.Options.Create(new LiveInsight.Core.Alerts.MailOptions
        {
            Host = smtp.Host, Port = smtp.Port, Security = "none",
        }));
        await sender.SendAsync(new LiveInsight.Core.Alerts.MailMessage(to, "Stack check", "<p>hello</p>", "hello", null), CancellationToken.None);

        var deadline = DateTime.UtcNow.AddSeconds(10);
        JsonElement mails;
        do
        {
            mails = await inbox.GetFromJsonAsync<JsonElement>("/api/email");
        }
        while (!mails.EnumerateArray().Any(m => m.GetProperty("to")[0].GetProperty("address").GetString() == to) && DateTime.UtcNow < deadline && await Delay());

        Assert.Contains(mails.EnumerateArray(), m => m.GetProperty("to")[0].GetProperty("address").GetString() == to && m.GetProperty("subject").GetString() == "Stack check");
    }

    private static async Task<bool> Delay()
    {
        await Task.Delay(200);
        return true;
    }
}
