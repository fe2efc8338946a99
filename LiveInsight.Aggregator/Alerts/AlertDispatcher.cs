using LiveInsight.Core.Alerts;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Aggregator.Alerts;

/// <summary>
/// Sends one alert message to every recipient of its rule, unless the site's quiet hours hold it back or the site has
/// had <see cref="AlertsOptions.MaxMessagesPerSiteHour"/> messages this hour (one message counts once, whatever the
/// number of recipients). Held-back messages are written to the delivery log as suppressed.
/// </summary>
public sealed partial class AlertDispatcher(
    IConnectionMultiplexer redis,
    AlertRepository alerts,
    MailSender mail,
    WebhookSender webhooks,
    UnsubscribeLinks links,
    IOptions<AlertsOptions> options,
    ILogger<AlertDispatcher> logger)
{
    /// <returns>Whether the message went out (false: held back by quiet hours or the hourly limit).</returns>
    public async Task<bool> DispatchAsync(AlertMessage message, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var siteId = message.Site.SiteId;
        var now = message.At;
        if (message.Rule.QuietHours is { } quiet && quiet.Contains(TimeZoneInfo.ConvertTime(now, zone).Hour))
        {
            await alerts.LogDeliveryAsync(siteId, new Delivery(now, "all", "", message.Title, DeliveryOutcomes.QuietHours, 0, null, null), cancellationToken);
            return false;
        }

        var db = redis.GetDatabase();
        var key = AlertKeys.SentThisHour(siteId, now);
        var sent = await db.StringIncrementAsync(key);
        await db.KeyExpireAsync(key, TimeSpan.FromSeconds(AlertKeys.SentThisHourTtlSeconds));
        if (sent > options.Value.MaxMessagesPerSiteHour)
        {
            await alerts.LogDeliveryAsync(siteId, new Delivery(now, "all", "", message.Title, DeliveryOutcomes.Throttled, 0, null, null), cancellationToken);
            return false;
        }

        var dashboard = $"{options.Value.DashboardUrl.TrimEnd('/')}/?site={Uri.EscapeDataString(siteId)}";
        foreach (var email in message.Rule.Emails)
        {
            await MailAsync(message, email, dashboard, cancellationToken);
        }

        foreach (var webhook in message.Rule.Webhooks)
        {
            await webhooks.DeliverAsync(siteId, webhook, message.Rule.WebhookSecret, $"{message.EpisodeId}:{message.State}", message.Title,
                message.WebhookBody(webhook.Format, dashboard), cancellationToken);
        }

        return true;
    }

    private async Task MailAsync(AlertMessage message, string email, string dashboard, CancellationToken cancellationToken)
    {
        var siteId = message.Site.SiteId;
        if (await alerts.IsUnsubscribedAsync(siteId, email, cancellationToken))
        {
            await alerts.LogDeliveryAsync(siteId, new Delivery(message.At, "email", email, message.Title, DeliveryOutcomes.Unsubscribed, 0, null, null), cancellationToken);
            return;
        }

        var unsubscribe = links.Url(siteId, email);
        try
        {
            await mail.SendAsync(new MailMessage(email, message.Title, message.Html(dashboard, unsubscribe), message.Text(dashboard) + $"\n\nUnsubscribe: {unsubscribe}\n", unsubscribe), cancellationToken);
            await alerts.LogDeliveryAsync(siteId, new Delivery(message.At, "email", email, message.Title, DeliveryOutcomes.Sent, 1, null, null), cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogMailFailed(e, siteId);
            await alerts.LogDeliveryAsync(siteId, new Delivery(message.At, "email", email, message.Title, DeliveryOutcomes.Failed, 1, null, e.Message), cancellationToken);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "An alert mail of site {SiteId} could not be sent")]
    private partial void LogMailFailed(Exception e, string siteId);
}
