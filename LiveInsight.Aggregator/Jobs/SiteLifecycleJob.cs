using System.Globalization;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Lifecycle;
using LiveInsight.Core.Redis;
using LiveInsight.Core.Sites;
using StackExchange.Redis;

namespace LiveInsight.Aggregator.Jobs;

/// <summary>
/// The data lifecycle, once a minute on one aggregator replica (a Redis lease): finishes every site whose deletion
/// began at least <see cref="SitePurge.FinalSweepAfter"/> ago (a crash half way, or the final sweep that catches events
/// other Api replicas took while their site cache still knew the site), and once a UTC day enforces each site's
/// retention (rollup days, sessions and lake partitions before the cutoff in the site's own days).
/// </summary>
public sealed partial class SiteLifecycleJob(
    IConnectionMultiplexer redis,
    SiteRepository sites,
    SitePurge purge,
    AuditLog audit,
    TimeProvider time,
    ILogger<SiteLifecycleJob> logger) : MinutePassJob(time)
{
    private static readonly TimeSpan LeaseTime = TimeSpan.FromMinutes(10);

    protected override Task PassAsync(CancellationToken cancellationToken) => RunOnceAsync(cancellationToken);

    protected override void PassFailed(Exception exception) => LogPassFailed(exception);

    /// <returns>What the pass did, or null when another replica holds the lease.</returns>
    public async Task<LifecyclePass?> RunOnceAsync(CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        return await RedisLease.RunAsync(db, LifecycleKeys.Lease, LeaseTime, async () =>
        {
            var finished = await FinishDeletionsAsync(cancellationToken);
            var today = DateOnly.FromDateTime(Time.GetUtcNow().UtcDateTime).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            var retained = PurgeCounts.None;
            if (await db.StringGetAsync(LifecycleKeys.RetentionDoneDay) != today)
            {
                retained = await ApplyRetentionAsync(cancellationToken);
                await db.StringSetAsync(LifecycleKeys.RetentionDoneDay, today, TimeSpan.FromDays(2));
            }

            return new LifecyclePass(finished, retained);
        });
    }

    private async Task<int> FinishDeletionsAsync(CancellationToken cancellationToken)
    {
        var finished = 0;
        foreach (var site in await sites.ListDeletingAsync(cancellationToken))
        {
            if (Time.GetUtcNow() - site.DeletingSince < SitePurge.FinalSweepAfter)
            {
                continue;
            }

            try
            {
                var counts = await purge.DeleteDataAsync(site, cancellationToken);
                await purge.FinishAsync(site.SiteId, cancellationToken);
                await audit.WriteAsync(new AuditEntry(AuditLog.Installation, Time.GetUtcNow(), "aggregator", AuditActions.SiteDeleted,
                    site.SiteId, $"name={site.Name} final sweep: {counts.Describe()}", "-"), cancellationToken);
                LogSiteDeleted(site.SiteId, counts.Describe());
                finished++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSiteFailed(e, site.SiteId);
            }
        }

        return finished;
    }

    private async Task<PurgeCounts> ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        var total = PurgeCounts.None;
        foreach (var site in await sites.ListAsync(cancellationToken))
        {
            if (site.RetentionMonths is not { } months)
            {
                continue;
            }

            try
            {
                var zone = SiteTimeZones.Of(site.TimeZone);
                var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(Time.GetUtcNow(), zone).DateTime);
                var counts = await purge.DeleteBeforeAsync(site, Retention.FirstKeptDay(today, months), cancellationToken);
                total += counts;
                if (counts != PurgeCounts.None)
                {
                    LogRetention(site.SiteId, months, counts.Describe());
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSiteFailed(e, site.SiteId);
            }
        }

        return total;
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The data lifecycle pass failed; it runs again in a minute")]
    private partial void LogPassFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "The data lifecycle of site {SiteId} failed; it runs again in a minute")]
    private partial void LogSiteFailed(Exception exception, string siteId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Site {SiteId} deleted for good ({Counts})")]
    private partial void LogSiteDeleted(string siteId, string counts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Retention of site {SiteId} ({Months} months) removed {Counts}")]
    private partial void LogRetention(string siteId, int months, string counts);
}

/// <summary>One lifecycle pass: sites whose deletion finished, and what retention removed.</summary>
public readonly record struct LifecyclePass(int DeletionsFinished, PurgeCounts Retention);
