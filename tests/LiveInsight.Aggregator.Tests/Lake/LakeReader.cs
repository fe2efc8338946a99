using DuckDB.NET.Data;
using LiveInsight.Core.Lake;

namespace LiveInsight.Aggregator.Tests.Lake;

/// <summary>Reads a test world's lake back with DuckDB, as the query API does: every Parquet file of the events table,
/// the hive partition as columns.</summary>
public static class LakeReader
{
    public static string Glob(string root) => Path.Combine(root, LakeLayout.EventsTable, "*", "*", "*.parquet");

    public static string Files(string root) =>
        $"read_parquet('{Glob(root).Replace("'", "''", StringComparison.Ordinal)}', hive_partitioning = true, union_by_name = true)";

    public static List<Dictionary<string, object?>> Query(string sql)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<Dictionary<string, object?>>();
        while (reader.Read())
        {
            var row = new Dictionary<string, object?>();
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
    }

    public static long Scalar(string sql) => Convert.ToInt64(Query(sql)[0].Values.First(), System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>(rows in the files, distinct event ids): what a reader scans, and what it counts after its dedupe.</summary>
    public static (long Rows, long Distinct) Counts(string root) =>
        Directory.Exists(Path.Combine(root, LakeLayout.EventsTable))
            ? ((long, long))(Scalar($"SELECT count(*) FROM {Files(root)}"), Scalar($"SELECT count(DISTINCT event_id) FROM {Files(root)}"))
            : (0, 0);

    public static string[] PartFiles(string root) =>
        Directory.Exists(root)
            ? Directory.GetFiles(root, "part-*.parquet", SearchOption.AllDirectories)
            : [];
}
