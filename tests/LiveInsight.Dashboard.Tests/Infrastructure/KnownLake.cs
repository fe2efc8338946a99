using DuckDB.NET.Data;
using LiveInsight.Core.Lake;

namespace LiveInsight.Dashboard.Tests.Infrastructure;

/// <summary>
/// Known lake days for the views that read the lake (cohorts, funnels): rows are inserted into a DuckDB table made
/// with the lake's own layout (<see cref="LakeLayout.CreateEventsTable"/>) and copied as a day's compact file.
/// </summary>
public static class KnownLake
{
    /// <summary>A fresh <c>staged</c> table of the events layout, in <paramref name="duck"/>.</summary>
    public static void Stage(DuckDBConnection duck)
    {
        Execute(duck, "DROP TABLE IF EXISTS staged");
        Execute(duck, LakeLayout.CreateEventsTable("staged"));
    }

    /// <summary>The <c>staged</c> rows as the compact file of <paramref name="siteId"/>'s <paramref name="day"/>.</summary>
    public static void WriteDay(DuckDBConnection duck, string lakePath, string siteId, DateOnly day)
    {
        var folder = LakeLayout.SitePartition(lakePath, siteId, day);
        Directory.CreateDirectory(folder);
        Execute(duck, $"COPY staged TO '{Path.Combine(folder, LakeLayout.CompactFile).Replace("'", "''", StringComparison.Ordinal)}' (FORMAT parquet)");
    }

    public static void Execute(DuckDBConnection connection, string sql, params object[] values)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var value in values)
        {
            command.Parameters.Add(new DuckDBParameter(value));
        }

        command.ExecuteNonQuery();
    }
}
