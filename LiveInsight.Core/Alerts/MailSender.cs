using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Options;
using MimeKit;

namespace LiveInsight.Core.Alerts;

/// <summary>A message to one recipient: both parts are already escaped by whoever built them (HTML-encoded text).</summary>
public sealed record MailMessage(string To, string Subject, string Html, string Text, string? UnsubscribeUrl);

/// <summary>Sends mail through SMTP with MailKit (TLS and auth from <see cref="MailOptions"/>). Every message that has an
/// unsubscribe URL carries <c>List-Unsubscribe</c> and <c>List-Unsubscribe-Post</c> (RFC 8058 one-click).</summary>
public sealed class MailSender(IOptions<MailOptions> options)
{
    public bool IsConfigured => !string.IsNullOrWhiteSpace(options.Value.Host);

    public async Task SendAsync(MailMessage message, CancellationToken cancellationToken)
    {
        var o = options.Value;
        if (!IsConfigured)
        {
            throw new InvalidOperationException("Mail is not configured (Mail:Host).");
        }

        using var smtp = new SmtpClient { Timeout = 15_000 };
        await smtp.ConnectAsync(o.Host!, o.Port, o.Security switch
        {
            "tls" => SecureSocketOptions.SslOnConnect,
            "auto" => SecureSocketOptions.StartTlsWhenAvailable,
            "none" => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTls,
        }, cancellationToken);
        if (!string.IsNullOrEmpty(o.UserName))
        {
            await smtp.AuthenticateAsync(o.UserName, o.Password ?? "", cancellationToken);
        }

        await smtp.SendAsync(ToMime(message, o.From), cancellationToken);
        await smtp.DisconnectAsync(quit: true, cancellationToken);
    }

    public static MimeMessage ToMime(MailMessage message, string from)
    {
        var mime = new MimeMessage();
        mime.From.Add(MailboxAddress.Parse(from));
        mime.To.Add(MailboxAddress.Parse(message.To));
        mime.Subject = message.Subject;
        if (message.UnsubscribeUrl is { } url)
        {
            mime.Headers.Add("List-Unsubscribe", $"<{url}>");
            mime.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }

        mime.Body = new BodyBuilder { HtmlBody = message.Html, TextBody = message.Text }.ToMessageBody();
        return mime;
    }
}
