using System.Globalization;
using DuckDB.NET.Data;
using LiveInsight.Core.Events;
using LiveInsight.Core.Lake;
using StackExchange.Redis;

namespace LiveInsight.Aggregator.Lake;

/// <summary>
/// The lake writer's buffer: events as rows of an in-memory DuckDB table (the lake's columns plus the hive partition
/// <c>site</c>, <c>day</c>), the stream ids to acknowledge once they are on disk, and the lowest and highest of those
/// ids, which name the part files. <see cref="WritePartsAsync"/> writes one file per site-day; a site-day already written
/// by an earlier attempt at the same buffer is not written again.
/// </summary>
public sealed class LakeBuffer : IDisposable
{
    private const string Staging = "staging";

    // props travel as two lists (the appender has no MAP writer) and become a MAP when a file is written.
    private const string PropKeys = "prop_keys";
    private const string PropValues = "prop_values";

    private static readonly string StagingColumns = string.Join(", ",
        new[] { $"{LakeLayout.SiteColumn} VARCHAR", $"{LakeLayout.DayColumn} DATE" }.Concat(LakeLayout.EventColumns.Select(c =>
            c.Name == "props" ? $"{PropKeys} VARCHAR[], {PropValues} VARCHAR[]" : $"{c.Name} {c.Type}")));

    private static readonly string SelectEventColumns = string.Join(", ", LakeLayout.EventColumns.Select(c =>
        c.Name == "props"
            ? $"CASE WHEN {PropKeys} IS NULL THEN NULL ELSE map({PropKeys}, {PropValues})::{c.Type} END AS props"
            : c.Name));

    private static readonly Action<IDuckDBAppenderRow, Row>[] Appenders = LakeLayout.EventColumns.Select(c => ColumnAppender(c.Name)).ToArray();

    private readonly DuckDBConnection _db;
    private readonly List<RedisValue> _ids = [];
    private readonly HashSet<RedisValue> _held = [];
    private readonly HashSet<(string Site, DateOnly Day)> _partitions = [];
    private readonly HashSet<(string Site, DateOnly Day)> _written = [];
    private DuckDBAppender? _appender;
    private (long Ms, long Seq) _first = (long.MaxValue, long.MaxValue);
    private (long Ms, long Seq) _last = (long.MinValue, long.MinValue);

    public LakeBuffer(DuckDBConnection db)
    {
        _db = db;
        LakeFiles.Execute(_db, $"CREATE TABLE {Staging} ({StagingColumns})");
    }

    /// <summary>Stream entries held (rows plus unreadable entries, all acknowledged together).</summary>
    public int Count => _ids.Count;

    public int Rows { get; private set; }

    public DateTimeOffset? StartedAt { get; private set; }

    public IReadOnlyList<RedisValue> Ids => _ids;

    public string FirstId => $"{_first.Ms}-{_first.Seq}";

    public string LastId => $"{_last.Ms}-{_last.Seq}";

    /// <summary>Whether this entry is held already (XAUTOCLAIM hands a consumer its own idle entries too).</summary>
    public bool Holds(RedisValue id) => _held.Contains(id);

    /// <summary>Holds one stream entry; <paramref name="e"/> null (unreadable, or refused) is only acknowledged.</summary>
    public void Add(RedisValue id, StreamEvent? e, TimeZoneInfo zone, DateTimeOffset now)
    {
        if (!_held.Add(id))
        {
            return;
        }

        StartedAt ??= now;
        _ids.Add(id);
        var parsed = ParseId(id);
        _first = parsed.CompareTo(_first) < 0 ? parsed : _first;
        _last = parsed.CompareTo(_last) > 0 ? parsed : _last;
        if (e is null)
        {
            return;
        }

        var local = TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(e.Ts), zone);
        var day = DateOnly.FromDateTime(local.DateTime);
        _appender ??= _db.CreateAppender(Staging);
        var row = _appender.CreateRow();
        row.AppendValue(e.SiteId).AppendValue((DateOnly?)day);
        var r = new Row(e, DateTime.SpecifyKind(local.DateTime, DateTimeKind.Unspecified));
        foreach (var append in Appenders)
        {
            append(row, r);
        }

        row.EndRow();
        _partitions.Add((e.SiteId, day));
        Rows++;
    }

    /// <summary>Writes one part file per site-day held (not yet written by an earlier attempt) to the store, working
    /// in <paramref name="root"/>'s temp folder; returns the keys written.</summary>
    public async Task<IReadOnlyList<string>> WritePartsAsync(string root, string writerTag, ILakeStore store, CancellationToken cancellationToken)
    {
        CloseAppender();
        var keys = new List<string>();
        foreach (var (site, day) in _partitions.Order())
        {
            if (_written.Contains((site, day)))
            {
                continue;
            }

            var key = LakeLayout.FileKey(site, day, LakeLayout.PartFile(FirstId, LastId, writerTag));
            var rows = $"SELECT {SelectEventColumns} FROM {Staging} WHERE {LakeLayout.SiteColumn} = {LakeFiles.Literal(site)} " +
                       $"AND {LakeLayout.DayColumn} = DATE {LakeFiles.Literal(LakeLayout.DayPartition(day))}";
            // A buffer holds each entry once, so a part needs no dedupe; but a file of the same name (this buffer,
            // rewritten after a failure or a restart under the same consumer name) is merged, never shrunk.
            var (existing, fetched) = await LakeFiles.LocalCopyAsync(store, root, key, cancellationToken);
            try
            {
                var select = existing is not null
                    ? $"SELECT * FROM ({rows} UNION ALL SELECT {LakeFiles.EventColumnList} FROM read_parquet({LakeFiles.Literal(existing)}, hive_partitioning = false)) " +
                      "QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY ts) = 1 ORDER BY ts, event_id"
                    : $"{rows} ORDER BY ts, event_id";
                await LakeFiles.WriteAsync(_db, root, select, store, key, LakeFiles.PartCompression, cancellationToken);
            }
            finally
            {
                if (fetched)
                {
                    File.Delete(existing!);
                }
            }

            _written.Add((site, day));
            keys.Add(key);
        }

        return keys;
    }

    public void Clear()
    {
        CloseAppender();
        LakeFiles.Execute(_db, $"DELETE FROM {Staging}");
        _ids.Clear();
        _held.Clear();
        _partitions.Clear();
        _written.Clear();
        Rows = 0;
        StartedAt = null;
        _first = (long.MaxValue, long.MaxValue);
        _last = (long.MinValue, long.MinValue);
    }

    public void Dispose()
    {
        // Rows still here were never acknowledged: dropping them is safe (their entries stay pending).
        _appender?.Dispose();
        _appender = null;
        _db.Dispose();
    }

    private void CloseAppender()
    {
        _appender?.Close();
        _appender?.Dispose();
        _appender = null;
    }

    private static (long Ms, long Seq) ParseId(RedisValue id)
    {
        var s = id.ToString();
        var dash = s.IndexOf('-', StringComparison.Ordinal);
        return dash < 0
            ? (long.Parse(s, CultureInfo.InvariantCulture), 0)
            : (long.Parse(s.AsSpan(0, dash), CultureInfo.InvariantCulture), long.Parse(s.AsSpan(dash + 1), CultureInfo.InvariantCulture));
    }

    private sealed record Row(StreamEvent E, DateTime LocalTs);

    private static string? Text(string? value) => string.IsNullOrEmpty(value) ? null : value;

    /// <summary>How each lake column is filled from a stream event; a column the layout adds without a line here
    /// fails at start-up rather than being written empty.</summary>
    private static Action<IDuckDBAppenderRow, Row> ColumnAppender(string column) => column switch
    {
        "event_id" => (row, r) => row.AppendValue(r.E.EventId),
        "ts" => (row, r) => row.AppendValue((long?)r.E.Ts),
        "local_ts" => (row, r) => row.AppendValue((DateTime?)r.LocalTs),
        "visitor_id" => (row, r) => row.AppendValue(Text(r.E.VisitorId)),
        "session_id" => (row, r) => row.AppendValue(Text(r.E.SessionId)),
        "type" => (row, r) => row.AppendValue(Text(r.E.EventType)),
        "name" => (row, r) => row.AppendValue(Text(r.E.Name)),
        "hostname" => (row, r) => row.AppendValue(Text(r.E.Host)),
        "path" => (row, r) => row.AppendValue(Text(r.E.Path)),
        "referrer" => (row, r) => row.AppendValue(Text(r.E.ReferrerHost)),
        "source" => (row, r) => row.AppendValue(Text(r.E.Source)),
        "medium" => (row, r) => row.AppendValue(Text(r.E.Medium)),
        "utm_source" => (row, r) => row.AppendValue(Text(r.E.UtmSource)),
        "utm_medium" => (row, r) => row.AppendValue(Text(r.E.UtmMedium)),
        "utm_campaign" => (row, r) => row.AppendValue(Text(r.E.UtmCampaign)),
        "utm_term" => (row, r) => row.AppendValue(Text(r.E.UtmTerm)),
        "utm_content" => (row, r) => row.AppendValue(Text(r.E.UtmContent)),
        "country" => (row, r) => row.AppendValue(Text(r.E.Country)),
        "device" => (row, r) => row.AppendValue(Text(r.E.Device)),
        "browser" => (row, r) => row.AppendValue(Text(r.E.Browser)),
        "browser_version" => (row, r) => row.AppendValue(Text(r.E.BrowserVersion)),
        "os" => (row, r) => row.AppendValue(Text(r.E.Os)),
        "os_version" => (row, r) => row.AppendValue(Text(r.E.OsVersion)),
        "screen_width" => (row, r) => row.AppendValue(r.E.ScreenWidth),
        "props" => (row, r) =>
        {
            if (r.E.Props is { Count: > 0 } props)
            {
                row.AppendValue(props.Keys.ToList()).AppendValue(props.Values.ToList());
            }
            else
            {
                row.AppendNullValue().AppendNullValue();
            }
        },
        "engaged_ms" => (row, r) => row.AppendValue(r.E.EngagedMs),
        "scroll_depth" => (row, r) => row.AppendValue(r.E.ScrollDepth),
        LakeLayout.UserHashColumn => (row, r) => row.AppendValue(Text(r.E.UserHash)),
        _ => throw new InvalidOperationException($"The lake writer does not know how to fill the column '{column}'."),
    };
}
