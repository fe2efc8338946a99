using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Text.Json;
using LiveInsight.Aggregator.Consumer;
using LiveInsight.Aggregator.Extensions;
using LiveInsight.Core.Events;
using LiveInsight.Core.Lake;
using LiveInsight.Core.Redis;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Aggregator.Lake;

/// <summary>
/// Copies every stream entry to the lake as one consumer of the <c>lake</c> group (its own group: the rollups never
/// wait for it, nor it for them). Entries are buffered up to <see cref="LakeOptions.MaxBufferedEvents"/> or
/// <see cref="LakeOptions.FlushIntervalSeconds"/>, written as one part file per site-day (fsynced, renamed into
/// place), and only then acknowledged. A crash before the XACK leaves them pending; whoever takes them over
/// (XAUTOCLAIM) writes them again, and the copies collapse by <c>event_id</c> at compaction and in every read.
/// </summary>
public sealed partial class LakeWriter : BackgroundService
{
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);
    private readonly IConnectionMultiplexer _redis;
    private readonly SiteZones _zones;
    private readonly LakeState _state;
    private readonly LakeOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<LakeWriter> _logger;
    private readonly LakeBuffer _buffer;
    private readonly ILakeStore _store;
    private readonly Counter<long> _written;
    private readonly Counter<long> _refused;
    private readonly Histogram<double> _flushDuration;
    // Per shard: the buffer holds one shard's entries at a time (its XACKs go to that shard's stream); the writer
    // moves to the next shard once the buffer is written or the shard has nothing new.
    private readonly RedisValue[] _claimCursors = RedisShards.All.Select(_ => (RedisValue)"0-0").ToArray();
    private readonly DateTimeOffset[] _lastClaimPasses = RedisShards.All.Select(_ => DateTimeOffset.MinValue).ToArray();
    private int _shard;
    private int _emptyReads;
    private bool _flushFailed;
    private int _disposed;

    public LakeWriter(
        IConnectionMultiplexer redis,
        SiteZones zones,
        LakeState state,
        IOptions<LakeOptions> options,
        ILakeStore store,
        IOptions<AggregatorOptions> aggregatorOptions,
        IHostEnvironment environment,
        LiveInsightMetrics metrics,
        TimeProvider time,
        ILogger<LakeWriter> logger)
    {
        _redis = redis;
        _zones = zones;
        _state = state;
        _options = options.Value;
        _store = store;
        _time = time;
        _logger = logger;
        ConsumerName = aggregatorOptions.Value.ResolvedConsumerName;
        Root = _options.ResolvedPath(environment.ContentRootPath);
        _buffer = new LakeBuffer(LakeFiles.OpenEngine(_options, Root));
        _written = metrics.Meter.CreateCounter<long>("liveinsight.lake.events.written", "{event}", "Events written to lake part files");
        _refused = metrics.Meter.CreateCounter<long>("liveinsight.lake.events.refused", "{event}", "Stream entries not written to the lake (unreadable, or a site id unfit for a path)");
        _flushDuration = metrics.Meter.CreateHistogram<double>("liveinsight.lake.flush.duration", "ms", "Time to write a buffer's part files and acknowledge them");
    }

    public string ConsumerName { get; }

    /// <summary>The local lake folder, or with S3 the local working folder (temp files before their upload).</summary>
    public string Root { get; }

    public int Buffered => _buffer.Count;

    /// <summary>Test seam: runs after the part files are on disk and before the XACK (a crash there must make no event
    /// count twice in a read, and lose none).</summary>
    internal Func<Task>? AfterWrite { get; set; }

    /// <summary>From the stream's beginning: whatever the stream still holds when the lake is first enabled is written.</summary>
    public async Task EnsureGroupAsync()
    {
        foreach (var shard in RedisShards.All)
        {
            await _redis.GetDatabase().EnsureConsumerGroupAsync(RedisKeys.EventsStreamOf(shard), LakeOptions.GroupName);
        }
    }

    private RedisKey Stream => RedisKeys.EventsStreamOf(_shard);

    private ref RedisValue ClaimCursor => ref _claimCursors[_shard];

    private ref DateTimeOffset LastClaimPass => ref _lastClaimPasses[_shard];

    /// <summary>Part files name their writer; with N shards the shard too, so two shards' equal entry ids (each stream
    /// numbers its own) can never name one file, even for a site that moved shard.</summary>
    private string WriterTag => RedisShards.Sharded ? $"{ConsumerName}-{RedisShards.Tag(_shard)}" : ConsumerName;

    /// <summary>Takes over a dead replica's entries, or reads new ones, into the buffer.</summary>
    /// <returns>How many entries were added to the buffer (0: nothing new for us).</returns>
    public async Task<int> ReadAsync(CancellationToken cancellationToken)
    {
        var db = _redis.GetDatabase();
        var count = Math.Max(1, Math.Min(_options.ReadCount, _options.MaxBufferedEvents - _buffer.Count));
        StreamEntry[] taken = [];
        if (ClaimDue())
        {
            var claimed = await db.StreamAutoClaimAsync(
                Stream, LakeOptions.GroupName, ConsumerName, _options.ClaimIdleSeconds * 1000L, ClaimCursor, count);
            ClaimCursor = claimed.NextStartId;
            LastClaimPass = claimed.NextStartId == "0-0" ? _time.GetUtcNow() : LastClaimPass;
            if (claimed.DeletedIds is { Length: > 0 } deleted)
            {
                // Trimmed while pending on a dead replica (counted by StreamMaintenance, which trimmed them).
                LogLost(deleted.Length);
            }

            // XAUTOCLAIM also hands back this consumer's own idle entries: those already buffered are not new.
            taken = (claimed.ClaimedEntries ?? []).Where(entry => !_buffer.Holds(entry.Id)).ToArray();
        }

        var entries = taken.Length > 0
            ? taken
            : await db.StreamReadGroupAsync(Stream, LakeOptions.GroupName, ConsumerName, ">", count);
        var now = _time.GetUtcNow();
        foreach (var entry in entries)
        {
            var e = Parse(entry);
            var zone = e is null ? TimeZoneInfo.Utc : await _zones.GetAsync(e.SiteId, cancellationToken);
            _buffer.Add(entry.Id, e, zone, now);
        }

        return entries.Length;
    }

    /// <summary>XAUTOCLAIM walks the group's pending list (up to a buffer of this replica's own entries): after a full
    /// pass, the next waits a quarter of the claim idle time (a dead replica's entries wait at most that much longer).</summary>
    private bool ClaimDue() =>
        ClaimCursor != "0-0" || _time.GetUtcNow() - LastClaimPass >= TimeSpan.FromSeconds(_options.ClaimIdleSeconds / 4.0);

    /// <summary>Flushes when the buffer is full or old enough (or a failed flush waits to be retried).</summary>
    public Task<int> FlushIfDueAsync()
    {
        var due = _buffer.Count > 0 && (_flushFailed || _buffer.Count >= _options.MaxBufferedEvents
            || _time.GetUtcNow() - _buffer.StartedAt >= TimeSpan.FromSeconds(_options.FlushIntervalSeconds));
        return due ? FlushAsync() : Task.FromResult(0);
    }

    /// <summary>Writes the buffer's part files, then acknowledges its entries and empties it.</summary>
    /// <returns>How many events were written.</returns>
    public async Task<int> FlushAsync()
    {
        if (_buffer.Count == 0)
        {
            return 0;
        }

        var started = Stopwatch.GetTimestamp();
        _flushFailed = true;
        await _buffer.WritePartsAsync(Root, WriterTag, _store, CancellationToken.None);
        if (AfterWrite is { } hook)
        {
            await hook();
        }

        var db = _redis.GetDatabase();
        foreach (var chunk in _buffer.Ids.Chunk(10_000))
        {
            await db.StreamAcknowledgeAsync(Stream, LakeOptions.GroupName, chunk);
        }

        var rows = _buffer.Rows;
        _buffer.Clear();
        _flushFailed = false;
        _written.Add(rows);
        _flushDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return rows;
    }

    /// <summary>The loop: read, flush when due, pause when the stream is empty, back off while failing.</summary>
    public async Task RunAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(_options.PollIntervalMs);
        var retryDelay = delay;
        var grouped = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Inside the retry loop, as for the rollups' consumers: Redis away at start is waited for.
                if (!grouped)
                {
                    await EnsureGroupAsync();
                    grouped = true;
                }

                // After a failed flush, retry it before reading more (the same buffer keeps the same file names).
                var read = _flushFailed ? 0 : await ReadAsync(stoppingToken);
                var flushed = await FlushIfDueAsync();
                _state.ReportSuccess();
                retryDelay = delay;
                _emptyReads = read == 0 ? _emptyReads + 1 : 0;
                if (_buffer.Count == 0 && (read == 0 || flushed > 0))
                {
                    _shard = (_shard + 1) % RedisShards.Count;
                }

                // Pause when the buffer waits to be due, or every shard in turn had nothing new.
                if (read == 0 && (_buffer.Count > 0 || _emptyReads >= RedisShards.Count))
                {
                    _emptyReads = 0;
                    await Task.Delay(delay, _time, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _state.ReportFailure(e);
                LogFailed(e.GetType().Name, e.Message, retryDelay.TotalSeconds);
                ClaimCursor = "0-0";
                await Task.Delay(retryDelay, _time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
                retryDelay = TimeSpan.FromTicks(Math.Min(retryDelay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.Run(() => RunAsync(stoppingToken), stoppingToken);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        // What is buffered is written and acknowledged now rather than taken over by another replica in two minutes.
        try
        {
            await FlushAsync();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogFailed(e.GetType().Name, e.Message, 0);
        }
    }

    public override void Dispose()
    {
        // Registered as a singleton and as a hosted service: the container may dispose it twice.
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _buffer.Dispose();
            base.Dispose();
        }
    }

    private StreamEvent? Parse(StreamEntry entry)
    {
        try
        {
            var json = entry[RedisKeys.StreamField];
            var e = json.IsNull ? null : JsonSerializer.Deserialize((byte[])json!, StreamEventJsonContext.Default.StreamEvent);
            if (e is not null)
            {
                // The partition folder is made of the site id: one unfit for a path never reaches the disk.
                _ = LakeLayout.SitePartition(Root, e.SiteId, DateOnly.MinValue);
                _ = DateTimeOffset.FromUnixTimeMilliseconds(e.Ts);
                return e;
            }
        }
        catch (Exception e) when (e is JsonException or ArgumentException)
        {
            LogRefused(entry.Id.ToString(), e.Message);
        }

        _refused.Add(1);
        return null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lake write failed ({ErrorType}: {Error}); retrying in {Seconds} s")]
    private partial void LogFailed(string errorType, string error, double seconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Stream entry {EntryId} is not written to the lake: {Error}")]
    private partial void LogRefused(string entryId, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "{Count} stream entries pending for the lake were trimmed before it wrote them (the lake fell behind by more than Lake:MaxBacklogMinutes)")]
    private partial void LogLost(int count);
}
