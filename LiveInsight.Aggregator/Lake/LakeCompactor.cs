using System.Globalization;
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
/// <c>event_id</c>s dropped, sorted by ts, written beside and renamed over the old compact file; only then are the
/// merged parts deleted. A reader listing the folder in between sees the new compact file and parts it already holds:
/// its dedupe by event id gives the same answer. Parts are merged once they are <see cref="LakeOptions.CompactAfterMinutes"/>
/// old, and always on days before the site's today. One replica at a time: a Redis lease, renewed before each site-day
/// (a replica that lost it stops before writing anything more).
/// </summary>
public sealed partial class LakeCompactor(
    IConnectionMultiplexer redis,
    SiteZones zones,
    IOptions<LakeOptions> options,
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

    public string Root { get; } = options.Value.ResolvedPath(environment.ContentRootPath);

    /// <summary>Test seam: runs after a compact file is renamed into place and before its merged parts are deleted.</summary>
    internal Action<string>? AfterCompactWrite { get; set; }

    /// <summary>One pass over the lake. Returns how many site-days were compacted (0 also when another replica holds
    /// the lease).</summary>
    public async Task<int> CompactAsync(CancellationToken cancellationToken)
    {
        var events = Path.Combine(Root, LakeLayout.EventsTable);
        if (!Directory.Exists(events))
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
            foreach (var (siteId, day, folder) in SiteDays(events))
            {
                cancellationToken.ThrowIfCancellationRequested();
                var parts = await DuePartsAsync(siteId, day, folder, cancellationToken);
                if (parts.Count == 0)
                {
                    continue;
                }

                if ((long)await db.ScriptEvaluateAsync(RenewScript, [RedisKeys.LakeCompactionLease], [owner, (long)LeaseTime.TotalMilliseconds]) != 1)
                {
                    LogLeaseLost();
                    break;
                }

                Compact(engine, folder, parts);
                compacted++;
            }

            return compacted;
        }
        finally
        {
            await db.ScriptEvaluateAsync(ReleaseScript, [RedisKeys.LakeCompactionLease], [owner]);
        }
    }

    private void Compact(DuckDBConnection engine, string folder, IReadOnlyList<string> parts)
    {
        var target = Path.Combine(folder, LakeLayout.CompactFile);
        var inputs = File.Exists(target) ? [target, .. parts] : parts;
        LakeFiles.WriteAtomically(engine, Root,
            $"SELECT {LakeFiles.EventColumnList} FROM read_parquet({LakeFiles.FileList(inputs)}, hive_partitioning = false, union_by_name = true) " +
            "QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY ts) = 1 ORDER BY ts, event_id",
            target, LakeFiles.CompactCompression);
        AfterCompactWrite?.Invoke(folder);
        foreach (var part in parts)
        {
            File.Delete(part);
        }

        LogCompacted(folder, parts.Count);
    }

    /// <summary>The parts of a site-day old enough to merge (all of them on a day before the site's today).</summary>
    private async Task<IReadOnlyList<string>> DuePartsAsync(string siteId, DateOnly day, string folder, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(now, await zones.GetAsync(siteId, cancellationToken)).DateTime);
        var age = TimeSpan.FromMinutes(options.Value.CompactAfterMinutes);
        return Directory.EnumerateFiles(folder, "*.parquet")
            .Where(f => Path.GetFileName(f) != LakeLayout.CompactFile)
            .Where(f => day < today || now - File.GetLastWriteTimeUtc(f) >= age)
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    /// <summary>Every <c>site=…/day=…</c> folder whose names are what <see cref="LakeLayout.SitePartition"/> makes.</summary>
    private IEnumerable<(string SiteId, DateOnly Day, string Folder)> SiteDays(string events)
    {
        foreach (var siteFolder in Directory.EnumerateDirectories(events, $"{LakeLayout.SiteColumn}=*"))
        {
            var siteId = Path.GetFileName(siteFolder)[(LakeLayout.SiteColumn.Length + 1)..];
            foreach (var dayFolder in Directory.EnumerateDirectories(siteFolder, $"{LakeLayout.DayColumn}=*"))
            {
                if (DateOnly.TryParseExact(Path.GetFileName(dayFolder)[(LakeLayout.DayColumn.Length + 1)..], "yyyy-MM-dd",
                        CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)
                    && IsPartition(siteId, day, dayFolder))
                {
                    yield return (siteId, day, dayFolder);
                }
            }
        }
    }

    private bool IsPartition(string siteId, DateOnly day, string folder)
    {
        try
        {
            return LakeLayout.SitePartition(Path.Combine(Root), siteId, day) == folder;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Compacted {Folder}: {Parts} part files merged")]
    private partial void LogCompacted(string folder, int parts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lake compaction lost its lease; stopping this pass")]
    private partial void LogLeaseLost();

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lake compaction failed ({ErrorType}: {Error}); will run again")]
    private partial void LogFailed(string errorType, string error);
}
