using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;
using StackExchange.Redis;

namespace LiveInsight.Dashboard.Tests.Infrastructure;

/// <summary>Writes today's rollups the way <see cref="RollupLayout"/> says the aggregator does (a Redis hash per day
/// and HyperLogLogs), so a test knows what the stats endpoints will answer without running the aggregator.</summary>
public sealed class Rollups(DashboardFixture fixture, string siteId)
{
    public static DateOnly Today => DateOnly.FromDateTime(DateTime.UtcNow);

    /// <summary>Rollups are written for today and read back with range=today on the Api's clock: a UTC midnight between
    /// the two had the Api (and the page) answer for the next day, which holds nothing. Tests that seed and read today
    /// call this first, so they start with at least <paramref name="secondsNeeded"/> of the day left.</summary>
    public static async Task WaitForFreshDayAsync(int secondsNeeded = 120)
    {
        var left = DateTime.UtcNow.Date.AddDays(1) - DateTime.UtcNow;
        if (left < TimeSpan.FromSeconds(secondsNeeded))
        {
            await Task.Delay(left + TimeSpan.FromMilliseconds(200));
        }
    }

    private IDatabase Db => fixture.Redis.GetDatabase();

    private string DayHash => RollupLayout.RedisHash(siteId, Granularity.Day, RollupLayout.DayBucket(Today));

    public async Task SummaryAsync(long pageviews, long sessions, long bounces, long durationMs, params string[] visitors)
    {
        await Add(RollupLayout.Summary, "", (RollupLayout.Pageviews, pageviews), (RollupLayout.Sessions, sessions),
            (RollupLayout.Bounces, bounces), (RollupLayout.DurationMs, durationMs));
        await Db.HyperLogLogAddAsync(RedisKeys.DayVisitors(siteId, Today), visitors.Select(v => (RedisValue)v).ToArray());
    }

    public async Task PageAsync(string path, long pageviews, long entries, long exits, params string[] visitors)
    {
        await Add(RollupLayout.Page, path, (RollupLayout.Pageviews, pageviews), (RollupLayout.Entries, entries), (RollupLayout.Exits, exits));
        await Db.HyperLogLogAddAsync(RollupLayout.PageVisitorsHll(siteId, RollupLayout.DayBucket(Today), path), visitors.Select(v => (RedisValue)v).ToArray());
    }

    /// <summary>A session dimension's row, with the day sketch of its visitors when given.</summary>
    public async Task SessionsAsync(string dimension, string value, long sessions, params string[] visitors)
    {
        await Add(dimension, value, (RollupLayout.Sessions, sessions), (RollupLayout.Pageviews, sessions));
        if (visitors.Length > 0)
        {
            await Db.HyperLogLogAddAsync(RollupLayout.ValueVisitorsHll(siteId, RollupLayout.DayBucket(Today), dimension, value),
                visitors.Select(v => (RedisValue)v).ToArray());
        }
    }

    public Task EventAsync(string name, long count) => Add(RollupLayout.Event, name, (RollupLayout.Events, count));

    private Task Add(string dimension, string value, params (string Metric, long N)[] metrics) =>
        Db.HashSetAsync(DayHash, metrics.Where(m => m.N != 0).Select(m => new HashEntry(RollupLayout.Field(dimension, value, m.Metric), m.N)).ToArray());
}
