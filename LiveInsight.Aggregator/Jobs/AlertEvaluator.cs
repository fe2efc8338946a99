using LiveInsight.Aggregator.Alerts;
using LiveInsight.Core.Alerts;
using LiveInsight.Core.Redis;
using LiveInsight.Core.Sites;
using StackExchange.Redis;

namespace LiveInsight.Aggregator.Jobs;

/// <summary>
/// Evaluates every enabled alert rule once a minute, on one aggregator replica at a time (a Redis lease taken for the
/// pass and released after it). Each rule's episode lives in Redis (<see cref="AlertKeys.Episode"/>): the replica whose
/// SET NX opens it sends the alert, the one whose DEL closes it sends "resolved", so even two passes at once send each
/// message once. A resolution is announced only if the opening was (not held back by quiet hours or the hourly limit).
/// </summary>
public sealed partial class AlertEvaluator(
    IConnectionMultiplexer redis,
    SiteRepository sites,
    AlertRepository alerts,
    AlertConditions conditions,
    AlertDispatcher dispatcher,
    TimeProvider time,
    ILogger<AlertEvaluator> logger) : MinutePassJob(time)
{
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(55);

    protected override Task PassAsync(CancellationToken cancellationToken) => RunOnceAsync(cancellationToken);

    protected override void PassFailed(Exception exception) => LogPassFailed(exception);

    /// <returns>How many messages this pass opened or closed (-1: another replica holds the lease).</returns>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken)
    {
        var db = redis.GetDatabase();
        return await RedisLease.RunAsync(db, AlertKeys.EvaluationLease, LeaseTime, async () =>
        {
            var messages = 0;
            foreach (var site in await sites.ListAsync(cancellationToken))
            {
                try
                {
                    messages += await RunSiteAsync(site, cancellationToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogSiteFailed(e, site.SiteId);
                }
            }

            return messages;
        }) ?? -1;
    }

    private async Task<int> RunSiteAsync(Site site, CancellationToken cancellationToken)
    {
        var rules = await alerts.ListRulesAsync(site.SiteId, cancellationToken);
        if (rules.Count == 0)
        {
            return 0;
        }

        var db = redis.GetDatabase();
        var zone = SiteTimeZones.Of(site.TimeZone);
        var now = Time.GetUtcNow();
        var messages = 0;
        foreach (var rule in rules)
        {
            var episode = AlertKeys.Episode(site.SiteId, rule.Id);
            if (!rule.Enabled)
            {
                await db.KeyDeleteAsync(episode); // turned off: an open episode ends without a message
                continue;
            }

            var reading = await conditions.ReadAsync(rule, now, cancellationToken);
            if (reading.Firing)
            {
                if (await db.StringSetAsync(episode, Episode(now, notified: false), TimeSpan.FromSeconds(AlertKeys.EpisodeTtlSeconds), When.NotExists))
                {
                    var sent = await dispatcher.DispatchAsync(new AlertMessage(site, rule, AlertMessage.Firing, reading, now, now), zone, cancellationToken);
                    if (sent)
                    {
                        await db.StringSetAsync(episode, Episode(now, notified: true), TimeSpan.FromSeconds(AlertKeys.EpisodeTtlSeconds), When.Exists);
                        messages++;
                    }
                }
            }
            else if (await db.StringGetDeleteAsync(episode) is { HasValue: true } open && Parse(open!) is var (started, notified) && notified)
            {
                await dispatcher.DispatchAsync(new AlertMessage(site, rule, AlertMessage.Resolved, reading, started, now), zone, cancellationToken);
                messages++;
            }
        }

        return messages;
    }

    private static string Episode(DateTimeOffset start, bool notified) => $"{start.ToUnixTimeMilliseconds()}|{(notified ? 1 : 0)}";

    private static (DateTimeOffset Started, bool Notified) Parse(string value) =>
        value.Split('|') is [var ms, var n] && long.TryParse(ms, out var start)
            ? (DateTimeOffset.FromUnixTimeMilliseconds(start), n == "1")
            : (DateTimeOffset.UnixEpoch, false);

    [LoggerMessage(Level = LogLevel.Error, Message = "The alert pass failed; the next minute tries again")]
    private partial void LogPassFailed(Exception e);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alerts of site {SiteId} failed; other sites go on")]
    private partial void LogSiteFailed(Exception e, string siteId);
}
