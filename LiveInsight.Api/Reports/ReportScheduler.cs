using LiveInsight.Core.Alerts;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Api.Reports;

/// <summary>
/// Sends the scheduled reports: once a minute one Api replica (a Redis lease) looks for recipients whose report is due
/// — the period's first site-local day (Monday; the 1st), at or after the recipient's hour — and sends each once: a
/// conditional put in the Alerts table (<c>sent#report#{id}#{period start}</c>) is the idempotency key, so neither a
/// second replica nor a restart sends it again. A failed send gives the claim back for the next minute.
/// </summary>
public sealed partial class ReportScheduler(
    IConnectionMultiplexer redis,
    SiteRepository sites,
    AlertRepository alerts,
    ReportBuilder builder,
    MailSender mail,
    UnsubscribeLinks links,
    IOptions<AlertsOptions> options,
    TimeProvider time,
    ILogger<ReportScheduler> logger) : BackgroundService
{
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(50);
    private static readonly TimeSpan ClaimKept = TimeSpan.FromDays(40);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromMinutes(1), time);
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogPassFailed(e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    /// <returns>How many reports this pass sent (0 when another replica holds the lease).</returns>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!mail.IsConfigured)
        {
            return 0; // no SMTP server (Mail:Host): nothing can go out, and nothing is claimed
        }

        var db = redis.GetDatabase();
        return await RedisLease.RunAsync(db, AlertKeys.ReportLease, LeaseTime, async () =>
        {
            var sent = 0;
            foreach (var site in await sites.ListAsync(cancellationToken))
            {
                try
                {
                    sent += await RunSiteAsync(site, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSiteFailed(e, site.SiteId);
                }
            }

            return sent;
        }) ?? 0;
    }

    private async Task<int> RunSiteAsync(Site site, CancellationToken cancellationToken)
    {
        var reports = await alerts.ListReportsAsync(site.SiteId, cancellationToken);
        if (reports.Count == 0)
        {
            return 0;
        }

        var zone = SiteTimeZones.Of(site.TimeZone);
        var now = time.GetUtcNow();
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var today = DateOnly.FromDateTime(local.DateTime);
        var sent = 0;
        foreach (var report in reports.Where(r => ReportBuilder.IsSendDay(r.Frequency, today) && local.Hour >= r.Hour))
        {
            var (from, to) = ReportBuilder.Period(report.Frequency, today);
            var claim = $"report#{report.Id}#{from:yyyy-MM-dd}";
            if (!await alerts.ClaimOnceAsync(site.SiteId, claim, ClaimKept, cancellationToken))
            {
                continue;
            }

            var model = await builder.BuildAsync(site, report.Frequency, from, to, cancellationToken);
            var subject = ReportMail.Subject(model);
            if (await alerts.IsUnsubscribedAsync(site.SiteId, report.Email, cancellationToken))
            {
                await alerts.LogDeliveryAsync(site.SiteId, new Delivery(now, "email", report.Email, subject, DeliveryOutcomes.Unsubscribed, 1, null, null), cancellationToken);
                continue;
            }

            var unsubscribe = links.Url(site.SiteId, report.Email);
            var (html, text) = ReportMail.Render(model, unsubscribe, options.Value.DashboardUrl);
            try
            {
                await mail.SendAsync(new MailMessage(report.Email, subject, html, text, unsubscribe), cancellationToken);
                await alerts.LogDeliveryAsync(site.SiteId, new Delivery(now, "email", report.Email, subject, DeliveryOutcomes.Sent, 1, null, null), cancellationToken);
                sent++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await alerts.ReleaseClaimAsync(site.SiteId, claim, cancellationToken);
                await alerts.LogDeliveryAsync(site.SiteId, new Delivery(now, "email", report.Email, subject, DeliveryOutcomes.Failed, 1, null, e.Message), cancellationToken);
                LogSendFailed(e, site.SiteId, report.Id);
            }
        }

        return sent;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The report pass failed; the next minute tries again")]
    private partial void LogPassFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "Reports of site {SiteId} failed; other sites go on")]
    private partial void LogSiteFailed(Exception e, string siteId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Report {ReportId} of site {SiteId} could not be sent; the next minute tries again")]
    private partial void LogSendFailed(Exception e, string siteId, string reportId);
}
