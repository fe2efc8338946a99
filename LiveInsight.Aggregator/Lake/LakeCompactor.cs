using DuckDB.NET.Data;
using LiveInsight.Aggregator.Consumer;
using LiveInsight.Aggregator.Extensions;
using LiveInsight.Core.Events;
using LiveInsight.Core.Lake;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Aggregator.Lake;

/// <summary>
/// Folds each site-day's part files into its one <see cref="LakeLayout.CompactFile"/>: compact plus parts, duplicate
/// <c>event_id</c>s dropped, sorted by ts, every event stamped with its session's attributes (<see cref="LakeStamps"/>), written and put over the old compact file (a rename locally, one PUT in S3); only then are the
/// merged parts deleted. A reader listing the folder in between sees the new compact file and parts it already holds:
/// its dedupe by event id gives the same answer. Parts are merged once they are <see cref="LakeOptions.CompactAfterMinutes"/>
/// old, and always on days before the site's today. One replica at a time: a Redis lease, renewed before each site-day
/// (a replica that lost it stops before writing anything more).
/// </summary>
public sealed partial class LakeCompactor(
    IConnectionMultiplexer redis,
    SiteZones zones,
    IOptions<LakeOptions> options,
    ILakeStore store,
    IOptions<AggregatorOptions> aggregatorOptions,
    IHostEnvironment environment,
    TimeProvider time,
    ILogger<LakeCompactor> logger) : BackgroundService
{
    private static readonly TimeSpan LeaseTime = TimeSpan.FromMinutes(5);

    private const string RenewScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
        return 0
        """;

    private const string ReleaseScript = """
        if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
        return 0
        """;

    /// <summary>The local lake folder, or with S3 the local working folder (downloaded inputs, the new compact file).</summary>
    public string Root { get; } = options.Value.ResolvedPath(environment.ContentRootPath);

    /// <summary>Test seam: runs after a compact file is in place and before its merged parts are deleted (with the
    /// site-day's key prefix, <c>events/site=…/day=…/</c>).</summary>
    internal Action<string>? AfterCompactWrite { get; set; }

    /// <summary>One pass over the lake. Returns how many site-days were compacted (0 also when another replica holds
    /// the lease).</summary>
    public async Task<int> CompactAsync(CancellationToken cancellationToken)
    {
        var listed = await store.ListAsync(LakeLayout.EventsTable + "/", cancellationToken);
        var siteDays = SiteDays(listed);
        if (siteDays.Count == 0)
        {
            return 0;
        }

        var db = redis.GetDatabase();
        var owner = $"{aggregatorOptions.Value.ResolvedConsumerName}:{Guid.NewGuid():N}";
        if (!await db.StringSetAsync(RedisKeys.LakeCompactionLease, owner, LeaseTime, When.NotExists))
        {
            return 0;
        }

        try
        {
            using var engine = LakeFiles.OpenEngine(options.Value, Root);
            var compacted = 0;
            foreach (var ((siteId, day), files) in siteDays)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var parts = await DuePartsAsync(siteId, day, files, cancellationToken);
                if (parts.Count == 0)
                {
                    continue;
                }

                if ((long)await db.ScriptEvaluateAsync(RenewScript, [RedisKeys.LakeCompactionLease], [owner, (long)LeaseTime.TotalMilliseconds]) != 1)
                {
                    LogLeaseLost();
                    break;
                }

                await CompactAsync(engine, siteId, day, parts, cancellationToken);
                compacted++;
            }

            if (options.Value.DaySums)
            {
                await UpdateDaySumsAsync(engine,
                    async () => (long)await db.ScriptEvaluateAsync(RenewScript, [RedisKeys.LakeCompactionLease], [owner, (long)LeaseTime.TotalMilliseconds]) == 1,
                    cancellationToken);
            }

            return compacted;
        }
        finally
        {
            await db.ScriptEvaluateAsync(ReleaseScript, [RedisKeys.LakeCompactionLease], [owner]);
        }
    }

    private async Task CompactAsync(DuckDBConnection engine, string siteId, DateOnly day, IReadOnlyList<string> parts, CancellationToken cancellationToken)
    {
        var target = LakeLayout.FileKey(siteId, day, LakeLayout.CompactFile);
        var fetched = new List<string>();
        try
        {
            var inputs = new List<string>();
            foreach (var key in parts.Prepend(target))
            {
                // The compact file may not exist yet; a part gone since the listing was merged by someone else (it
                // is not deleted below either way).
                var (path, copy) = await LakeFiles.LocalCopyAsync(store, Root, key, cancellationToken);
                if (copy)
                {
                    fetched.Add(path!);
                }

                if (path is not null)
                {
                    inputs.Add(path);
                }
            }

            if (inputs.Count == 0)
            {
                return;
            }

            // The day before: sessions that began there keep its stamps (its compact file is written first, days go
            // in order; a part arriving late for it afterwards is the one case where a continuing session is stamped
            // from its own first event of this day).
            var (previous, previousCopy) = await LakeFiles.LocalCopyAsync(store, Root, LakeLayout.FileKey(siteId, day.AddDays(-1), LakeLayout.CompactFile), cancellationToken);
            if (previousCopy)
            {
                fetched.Add(previous!);
            }

            await LakeFiles.WriteAsync(engine, Root, LakeStamps.Select(inputs, previous, previous is not null && IsStamped(engine, previous)), store, target, LakeFiles.CompactCompression, cancellationToken);
        }
        finally
        {
            foreach (var copy in fetched)
            {
                File.Delete(copy);
            }
        }

        AfterCompactWrite?.Invoke(target[..(target.LastIndexOf('/') + 1)]);
        await store.DeleteAsync(parts, cancellationToken);
        LogCompacted(target, parts.Count);
    }

    /// <summary>Whether a lake file carries session stamps (files written before they existed do not).</summary>
    internal static bool IsStamped(DuckDBConnection engine, string path)
    {
        using var command = engine.CreateCommand();
        command.CommandText = LakeStamps.IsStampedQuery(path);
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    /// <summary>The part keys of a site-day old enough to merge (all of them on a day before the site's today).</summary>
    private async Task<IReadOnlyList<string>> DuePartsAsync(string siteId, DateOnly day, IReadOnlyList<LakeObject> files, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, await zones.GetAsync(siteId, cancellationToken)).DateTime);
        var age = TimeSpan.FromMinutes(options.Value.CompactAfterMinutes);
        return files
            .Where(f => LakeStores.FileName(f.Key) != LakeLayout.CompactFile)
            .Where(f => day < today || now - f.LastModified >= age)
            .Select(f => f.Key)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>The listed files grouped by site-day, only keys that <see cref="LakeLayout.FileKey"/> makes (a stray
    /// object is neither read nor deleted).</summary>
    private static List<KeyValuePair<(string SiteId, DateOnly Day), IReadOnlyList<LakeObject>>> SiteDays(IReadOnlyList<LakeObject> listed) =>
        listed
            .Select(o => (Ok: LakeLayout.TryParseKey(o.Key, out var siteId, out var day, out _), SiteId: siteId, Day: day, Object: o))
            .Where(o => o.Ok)
            .GroupBy(o => (o.SiteId, o.Day))
            .OrderBy(g => g.Key.SiteId, StringComparer.Ordinal).ThenBy(g => g.Key.Day)
            .Select(g => KeyValuePair.Create(g.Key, (IReadOnlyList<LakeObject>)g.Select(o => o.Object).ToList()))
            .ToList();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.CompactionIntervalSeconds), time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await Task.Run(() => CompactAsync(stoppingToken), stoppingToken);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(e.GetType().Name, e.Message);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Compacted {Key}: {Parts} part files merged")]
    private partial void LogCompacted(string key, int parts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lake compaction lost its lease; stopping this pass")]
    private partial void LogLeaseLost();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lake compaction failed ({ErrorType}: {Error}); will run again")]
    private partial void LogFailed(string errorType, string error);
}
