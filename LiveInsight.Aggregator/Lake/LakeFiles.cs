using DuckDB.NET.Data;
using LiveInsight.Core.Lake;

namespace LiveInsight.Aggregator.Lake;

/// <summary>
/// How a file enters the lake: DuckDB writes it under <c>{root}/_tmp</c> (outside <c>events/</c>, so no reader's glob
/// sees a half-written file), then the <see cref="ILakeStore"/> takes it: locally it is fsynced and renamed into its
/// site-day folder in one step (same file system, so the rename is atomic: a reader sees the old file or the new one,
/// never a part of either); in S3 it is uploaded with one PUT (which replaces an object whole) and deleted here.
/// </summary>
public static class LakeFiles
{
    public const string TempFolder = LocalLakeStore.TempFolder;

    /// <summary>Parts live minutes and are written on the hot path: <see cref="LakeLayout.PartCompression"/> (cheap to
    /// write). A compact file is written once and read for months: <see cref="LakeLayout.CompactCompression"/> (the codec
    /// DuckDB decodes fastest).</summary>
    public const string PartCompression = LakeLayout.PartCompression;

    public const string CompactCompression = LakeLayout.CompactCompression;

    /// <summary>An in-memory DuckDB with the lake's limits (one per writer, one per compaction run).</summary>
    public static DuckDBConnection OpenEngine(LakeOptions options, string root)
    {
        var spill = Path.Combine(root, TempFolder, "spill");
        Directory.CreateDirectory(spill);
        var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        Execute(connection, $"SET memory_limit = '{options.MemoryLimitMb}MB'");
        Execute(connection, "SET threads = 1");
        Execute(connection, $"SET temp_directory = {Literal(spill)}");
        return connection;
    }

    /// <summary>Writes the rows of <paramref name="select"/> as one Parquet file under <c>{root}/_tmp</c> and hands it
    /// to the store at <paramref name="key"/> (locally an fsync and a rename over a file of the same name, in S3 one
    /// PUT that replaces the object whole).</summary>
    public static async Task WriteAsync(DuckDBConnection connection, string root, string select, ILakeStore store, string key, string compression,
        CancellationToken cancellationToken)
    {
        var temp = TempFile(root, ".parquet.tmp");
        try
        {
            Execute(connection, $"COPY ({select}) TO {Literal(temp)} (FORMAT parquet, COMPRESSION {compression})");
            await store.PutAsync(temp, key, cancellationToken);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>A fresh file name in the working folder <c>{root}/_tmp</c> (created if needed).</summary>
    public static string TempFile(string root, string extension)
    {
        var tempDir = Path.Combine(root, TempFolder);
        Directory.CreateDirectory(tempDir);
        return Path.Combine(tempDir, $"{Guid.NewGuid():N}{extension}");
    }

    /// <summary>A local file DuckDB can read for <paramref name="key"/>: the file itself in a local lake; in S3 a
    /// downloaded copy in the working folder (<paramref name="fetched"/> true: the caller deletes it). Null when the
    /// store has no such file.</summary>
    public static async Task<(string? Path, bool Fetched)> LocalCopyAsync(ILakeStore store, string root, string key, CancellationToken cancellationToken)
    {
        if (store.LocalRoot is { } local)
        {
            var path = Path.Combine(local, key.Replace('/', Path.DirectorySeparatorChar));
            return (File.Exists(path) ? path : null, false);
        }

        var copy = TempFile(root, ".parquet");
        if (await store.GetAsync(key, copy, cancellationToken))
        {
            return (copy, true);
        }

        File.Delete(copy);
        return (null, false);
    }

    /// <summary>The select list of an events file, in <see cref="LakeLayout.EventColumns"/>' order.</summary>
    public static string EventColumnList => string.Join(", ", LakeLayout.EventColumns.Select(c => c.Name));

    /// <summary>A path as a DuckDB string literal (paths are ours, but a quote in the root must not end the string).</summary>
    public static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    public static string FileList(IEnumerable<string> paths) => "[" + string.Join(", ", paths.Select(Literal)) + "]";

    public static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
