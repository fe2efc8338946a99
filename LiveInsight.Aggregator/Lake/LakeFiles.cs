using DuckDB.NET.Data;
using LiveInsight.Core.Lake;

namespace LiveInsight.Aggregator.Lake;

/// <summary>
/// How a file enters the lake: DuckDB writes it under <c>{root}/_tmp</c> (outside <c>events/</c>, so no reader's glob
/// sees a half-written file), it is fsynced, then renamed into its site-day folder in one step (same file system, so
/// the rename is atomic: a reader sees the old file or the new one, never a part of either).
/// </summary>
public static class LakeFiles
{
    public const string TempFolder = "_tmp";

    /// <summary>Parts live minutes and are written on the hot path: snappy (cheap to write). A compact file is written
    /// once and read for months: zstd (smaller, cheap to read).</summary>
    public const string PartCompression = "snappy";

    public const string CompactCompression = "zstd";

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

    /// <summary>Writes the rows of <paramref name="select"/> as one Parquet file and puts it at
    /// <paramref name="target"/> atomically (replacing a file of the same name).</summary>
    public static void WriteAtomically(DuckDBConnection connection, string root, string select, string target, string compression)
    {
        var tempDir = Path.Combine(root, TempFolder);
        Directory.CreateDirectory(tempDir);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        var temp = Path.Combine(tempDir, $"{Guid.NewGuid():N}.parquet.tmp");
        try
        {
            Execute(connection, $"COPY ({select}) TO {Literal(temp)} (FORMAT parquet, COMPRESSION {compression})");
            using (var written = new FileStream(temp, FileMode.Open, FileAccess.ReadWrite))
            {
                written.Flush(flushToDisk: true);
            }

            File.Move(temp, target, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
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
