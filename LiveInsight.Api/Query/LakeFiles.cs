using System.Collections.Concurrent;
using DuckDB.NET.Data;
using LiveInsight.Core.Lake;

namespace LiveInsight.Api.Query;

/// <summary>
/// Finds a site's Parquet files in the lake (<see cref="LakeLayout"/>): only under that site's own prefix, which
/// <see cref="LakeLayout.SiteKeyPrefix"/> builds from a validated id. The lake is <c>Lake:Path</c> (relative to the
/// content root; default <see cref="LakeLayout.DefaultRoot"/>), the same setting the aggregator writes to, or an S3
/// bucket when <c>Lake:S3:Bucket</c> is set: then each query lists the site's keys and reads local copies kept by a
/// bounded <see cref="LakeCache"/> under <c>{Lake:Path}/cache</c> (<c>Lake:S3:CacheMegabytes</c>, default 2048).
/// </summary>
public sealed class LakeFiles : IDisposable
{
    public const string CacheFolder = "cache";

    public LakeFiles(IConfiguration configuration, IHostEnvironment environment)
    {
        Enabled = configuration.GetValue("Lake:Enabled", true);
        DaySums = configuration.GetValue("Lake:DaySums", true);
        var local = Path.GetFullPath(configuration["Lake:Path"] is { Length: > 0 } path ? path : LakeLayout.DefaultRoot, environment.ContentRootPath);
        Store = LakeStores.Create(configuration, local);
        if (Store.LocalRoot is { } root)
        {
            Root = root;
        }
        else
        {
            Root = Path.Combine(local, CacheFolder);
            var megabytes = configuration.GetValue($"{LakeS3Options.SectionName}:CacheMegabytes", 2048.0);
            Cache = new LakeCache(Root, (long)(Math.Max(0, megabytes) * 1024 * 1024), Store);
        }
    }

    /// <summary><c>Lake:Enabled</c> (default true): when off nothing writes the lake, so the query API says so rather
    /// than answering zeros.</summary>
    public bool Enabled { get; }

    /// <summary><c>Lake:DaySums</c> (default true, the same setting the compactor reads): whether queries add up the
    /// day sums (<see cref="LakeDaySums"/>) where they can; off, every query scans the events.</summary>
    public bool DaySums { get; }

    /// <summary>The folder DuckDB reads: the lake itself, or the cache of an S3 lake.</summary>
    public string Root { get; }

    public ILakeStore Store { get; }

    /// <summary>The local copies of an S3 lake (null for a local lake).</summary>
    public LakeCache? Cache { get; }

    /// <summary>The site's files (days and their compacted and part files) as the store has them now.</summary>
    public async Task<LakeListing> ListAsync(string siteId, CancellationToken cancellationToken)
    {
        var objects = await Store.ListAsync(LakeLayout.SiteKeyPrefix(siteId), cancellationToken);
        var files = new List<(DateOnly Day, LakeObject Object)>();
        foreach (var o in objects)
        {
            if (LakeLayout.TryParseKey(o.Key, out var site, out var day, out var name) && site == siteId
                && (name == LakeLayout.CompactFile || name.StartsWith("part-", StringComparison.Ordinal)))
            {
                files.Add((day, o));
            }
        }

        return new LakeListing(files);
    }

    /// <summary>The site's day sums (<see cref="LakeDaySums"/>) as the store has them now: every key
    /// <see cref="LakeDaySums.Key"/> made, markers included.</summary>
    public async Task<IReadOnlyList<LakeObject>> DaySumsAsync(string siteId, CancellationToken cancellationToken) =>
        (await Store.ListAsync(LakeDaySums.SiteKeyPrefix(siteId), cancellationToken))
        .Where(o => LakeDaySums.TryParseKey(o.Key, out var site, out _, out _, out _) && site == siteId)
        .ToList();

    /// <summary>Local paths DuckDB reads for listed objects (downloaded into the cache from S3). Throws
    /// <see cref="LakeFilesChangedException"/> when one is gone from S3 before its download.</summary>
    public async Task<IReadOnlyList<string>> LocalPathsAsync(IReadOnlyList<LakeObject> objects, CancellationToken cancellationToken)
    {
        if (Store.LocalRoot is { } root)
        {
            return objects.Select(o => Path.Combine(root, o.Key.Replace('/', Path.DirectorySeparatorChar))).ToList();
        }

        return objects.Count == 0
            ? []
            : await Cache!.GetAsync(objects, cancellationToken) ?? throw new LakeFilesChangedException("A listed lake file was gone from S3 before it was read (compaction); retry.");
    }

    /// <summary>Local paths of the listed files of the days <paramref name="first"/>..<paramref name="last"/>, plus a day
    /// either side (an event's partition is its local day when written; the <c>ts</c> bounds decide what counts).
    /// Throws <see cref="LakeFilesChangedException"/> when a listed file is gone from S3 before its download.</summary>
    public async Task<IReadOnlyList<string>> FilesAsync(LakeListing listing, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        var objects = listing.Files
            .Where(f => f.Day >= first.AddDays(-1) && f.Day <= last.AddDays(1))
            .Select(f => f.Object)
            .ToList();
        var paths = await LocalPathsAsync(objects, cancellationToken);
        return Store.LocalRoot is null ? paths : paths.Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The files of the days <paramref name="first"/>..<paramref name="last"/> (a day either side, as
    /// <see cref="FilesAsync"/>) sorted for <see cref="QuerySql"/>: a day with only its compact file is read as stamped
    /// rows (<see cref="LakeSelection.Compact"/>); a day with parts is read whole and its sessions computed
    /// (<see cref="LakeSelection.Mixed"/>), with the compact file of the day before each such day to look stamps up in
    /// (<see cref="LakeSelection.Lookup"/>).</summary>
    public async Task<LakeSelection> SelectAsync(LakeListing listing, DateOnly first, DateOnly last, CancellationToken cancellationToken)
    {
        var days = listing.Files.Where(f => f.Day >= first.AddDays(-1) && f.Day <= last.AddDays(1)).GroupBy(f => f.Day).ToList();
        var mixedDays = days.Where(d => d.Any(f => LakeStores.FileName(f.Object.Key) != LakeLayout.CompactFile)).Select(d => d.Key).ToHashSet();
        var compact = days.Where(d => !mixedDays.Contains(d.Key)).SelectMany(d => d).Select(f => f.Object).ToList();
        var mixed = days.Where(d => mixedDays.Contains(d.Key)).SelectMany(d => d).Select(f => f.Object).ToList();
        var lookup = listing.Files
            .Where(f => mixedDays.Contains(f.Day.AddDays(1)) && !mixedDays.Contains(f.Day) && LakeStores.FileName(f.Object.Key) == LakeLayout.CompactFile)
            .Select(f => f.Object).ToList();
        var all = compact.Concat(mixed).Concat(lookup).ToList();
        var paths = await LocalPathsAsync(all, cancellationToken);

        List<string> Slice(int from, int count) => paths.Skip(from).Take(count).Order(StringComparer.Ordinal).ToList();
        var inside = compact.Select((o, i) => (Object: o, Path: paths[i]))
            .Where(f => LakeLayout.TryParseKey(f.Object.Key, out _, out var day, out _) && LakeSelection.IsInside(day, first, last))
            .Select(f => f.Path).ToHashSet(StringComparer.Ordinal);
        var compactPaths = Slice(0, compact.Count);
        return new LakeSelection(compactPaths, Slice(compact.Count, mixed.Count), Slice(compact.Count + mixed.Count, lookup.Count))
        {
            Inside = inside,
            Keyed = Keyed(compactPaths),
        };
    }

    /// <summary>Footers read (<see cref="Keyed"/>) at most before the memory of them starts again: one entry per lake
    /// file version, so a bound keeps a long-running Api from growing with every compaction.</summary>
    public const int MaxRememberedFooters = 100_000;

    private readonly ConcurrentDictionary<string, (long Size, DateTime Written, bool Keyed)> footers = new(StringComparer.Ordinal);
    private readonly Lock footerLock = new();
    private DuckDBConnection? footerReader;

    /// <summary>Which of these local lake files carry <see cref="LakeLayout.VisitorKeyColumn"/> (compact files compacted
    /// since it exists; not parts, nor compact files older than it). Each file version's footer is read once (DuckDB's
    /// <c>parquet_schema</c>, a few KB) and remembered by path, size and write time.</summary>
    public IReadOnlySet<string> Keyed(IEnumerable<string> paths)
    {
        var keyed = new HashSet<string>(StringComparer.Ordinal);
        var unknown = new List<(string Path, long Size, DateTime Written)>();
        foreach (var path in paths.Distinct(StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            if (!info.Exists)
            {
                continue; // a file gone is the query's to find (LakeFilesChangedException)
            }

            if (footers.TryGetValue(path, out var known) && known.Size == info.Length && known.Written == info.LastWriteTimeUtc)
            {
                if (known.Keyed)
                {
                    keyed.Add(path);
                }
            }
            else
            {
                unknown.Add((path, info.Length, info.LastWriteTimeUtc));
            }
        }

        if (unknown.Count == 0)
        {
            return keyed;
        }

        HashSet<string> found;
        lock (footerLock)
        {
            footerReader ??= OpenFooterReader();
            using var command = footerReader.CreateCommand();
            command.CommandText = "SELECT DISTINCT file_name FROM parquet_schema($1) WHERE name = $2";
            command.Parameters.Add(new DuckDBParameter(unknown.Select(u => u.Path).ToList()));
            command.Parameters.Add(new DuckDBParameter(LakeLayout.VisitorKeyColumn));
            found = new HashSet<string>(StringComparer.Ordinal);
            try
            {
                using var reader = command.ExecuteReader();
                while (reader.Read())
                {
                    found.Add(reader.GetString(0));
                }
            }
            catch (DuckDBException e) when (e.Message.Contains("IO Error", StringComparison.OrdinalIgnoreCase)
                                            || e.Message.Contains("No files found", StringComparison.OrdinalIgnoreCase))
            {
                // A part merged away by compaction since the listing: the caller lists again (as the query itself would).
                throw new LakeFilesChangedException("A listed lake file was gone when its footer was read (compaction); retry.");
            }
        }

        if (footers.Count + unknown.Count > MaxRememberedFooters)
        {
            footers.Clear();
        }

        foreach (var (path, size, written) in unknown)
        {
            var has = found.Contains(path);
            footers[path] = (size, written, has);
            if (has)
            {
                keyed.Add(path);
            }
        }

        return keyed;
    }

    private static DuckDBConnection OpenFooterReader()
    {
        var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SET threads = 1; SET autoinstall_known_extensions = false; SET autoload_known_extensions = false";
        command.ExecuteNonQuery();
        return connection;
    }

    public void Dispose()
    {
        footerReader?.Dispose();
        (Store as IDisposable)?.Dispose();
    }
}

/// <summary>One listing of a site's lake files.</summary>
public sealed record LakeListing(IReadOnlyList<(DateOnly Day, LakeObject Object)> Files)
{
    /// <summary>The site's first day in the lake ("all"), or null when it has none.</summary>
    public DateOnly? FirstDay => Files.Count == 0 ? null : Files.Min(f => f.Day);
}

/// <summary>A query's files by how they are read (<see cref="LakeFiles.SelectAsync"/>): compact files of days without
/// parts (stamped rows; a row without stamps, from a file older than stamps, is read like a mixed one), every file of the
/// days with parts (deduplicated, sessions computed), and compact files only looked up for the stamps of sessions that
/// began the day before a mixed day.</summary>
public sealed record LakeSelection(IReadOnlyList<string> Compact, IReadOnlyList<string> Mixed, IReadOnlyList<string> Lookup)
{
    /// <summary>The compact files of days whose every event lies in the query's period (<see cref="IsInside"/>): read
    /// without the <c>ts</c> bounds, which DuckDB would otherwise test on every row (the query benchmark: ~130 ms of CPU
    /// per 10 M rows, a fifth of a 3-filter breakdown).</summary>
    public IReadOnlySet<string> Inside { get; init; } = new HashSet<string>();

    /// <summary>The compact files that carry <see cref="LakeLayout.VisitorKeyColumn"/> (<see cref="LakeFiles.Keyed"/>):
    /// read as they are; the others' keys are computed from the visitor id.</summary>
    public IReadOnlySet<string> Keyed { get; init; } = new HashSet<string>();

    /// <summary>Whether every event of site-day <paramref name="day"/> lies in the period of the site-local days
    /// <paramref name="first"/>..<paramref name="last"/>. A file's day is the event's local day in the zone the site had
    /// when the event was written, which may differ from today's zone: UTC offsets span −12 h to +14 h, so a day's
    /// events lie within 26 h of its UTC bounds, and the days at least two inside the period's ends are whole in it
    /// whatever the zones were.</summary>
    public static bool IsInside(DateOnly day, DateOnly first, DateOnly last) => day >= first.AddDays(2) && day <= last.AddDays(-2);

    /// <summary>The site-day of a lake file's local path (its folder <c>day=yyyy-MM-dd</c>, in the lake or in the S3
    /// cache alike), or null.</summary>
    public static DateOnly? DayOfPath(string path) =>
        Path.GetFileName(Path.GetDirectoryName(path)) is { } folder && folder.StartsWith(LakeLayout.DayColumn + "=", StringComparison.Ordinal)
        && DateOnly.TryParseExact(folder[(LakeLayout.DayColumn.Length + 1)..], "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture,
            System.Globalization.DateTimeStyles.None, out var day)
            ? day
            : null;

    /// <summary>All files read as mixed: the exact answer from events alone (what a caller with a plain file list gets).</summary>
    public static LakeSelection AllMixed(IReadOnlyList<string> files) => new([], files, []);
}
