using DuckDB.NET.Data;
using LiveInsight.Core.Lake;

namespace LiveInsight.Api.Tests.Query;

/// <summary>One lake row as a test writes it; <see cref="Local"/> is the wall-clock time in the site's zone.</summary>
public sealed record LakeRow(string EventId, DateTime Local, string Visitor, string Session, string Type = "page_view", string? Path = "/")
{
    public string? Name { get; init; }
    public string? Hostname { get; init; } = "example.com";
    public string? Referrer { get; init; }
    public string? Source { get; init; }
    public string? UtmSource { get; init; }
    public string? UtmMedium { get; init; }
    public string? UtmCampaign { get; init; }
    public string? Country { get; init; }
    public string? Device { get; init; }
    public string? Browser { get; init; }
    public string? Os { get; init; }
    public IReadOnlyDictionary<string, string>? Props { get; init; }
    public long? EngagedMs { get; init; }
    public int? ScrollDepth { get; init; }
    public string? UserHash { get; init; }
}

/// <summary>Writes lake files the way the aggregator lays them out (<see cref="LakeLayout"/>), with DuckDB itself:
/// a table of exactly <see cref="LakeLayout.EventColumns"/>, copied to Parquet in the row's site-local day folder. A
/// compact file is stamped as the compactor stamps it (<see cref="LakeStamps"/>, looking up the day before's compact
/// file when it exists), unless <paramref name="stamped"/> is false (a file written before stamps existed).</summary>
public static class TestLake
{
    /// <summary>The rows of <paramref name="sql"/> (over lake files) in a DuckDB of the test's own, each made by
    /// <paramref name="row"/>.</summary>
    public static List<T> Query<T>(string sql, Func<System.Data.Common.DbDataReader, T> row)
    {
        using var db = new DuckDBConnection("DataSource=:memory:");
        db.Open();
        using var command = db.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(row(reader));
        }

        return rows;
    }

    public static void Write(string root, string siteId, TimeZoneInfo zone, string file, IEnumerable<LakeRow> rows, bool stamped = true)
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        foreach (var day in rows.GroupBy(r => DateOnly.FromDateTime(r.Local)))
        {
            Execute(connection, "DROP TABLE IF EXISTS staged");
            Execute(connection, LakeLayout.CreateEventsTable("staged"));
            foreach (var r in day)
            {
                var ts = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(r.Local, DateTimeKind.Unspecified), zone), TimeSpan.Zero);
                Execute(connection,
                    "INSERT INTO staged VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, NULL, NULL, $16, $17, $18, NULL, $19, NULL, 1920, " +
                    "CASE WHEN $20 THEN NULL ELSE map($21::VARCHAR[], $22::VARCHAR[]) END, $23, $24, $25)",
                    r.EventId, ts.ToUnixTimeMilliseconds(), r.Local, r.Visitor, r.Session, r.Type, r.Name, r.Hostname, r.Path, r.Referrer,
                    r.Source, r.Source is null ? null : "referral", r.UtmSource, r.UtmMedium, r.UtmCampaign, r.Country, r.Device, r.Browser, r.Os,
                    r.Props is null, (r.Props?.Keys ?? []).ToList(), (r.Props?.Values ?? []).ToList(), r.EngagedMs, r.ScrollDepth, r.UserHash);
            }

            var folder = LakeLayout.SitePartition(root, siteId, day.Key);
            Directory.CreateDirectory(folder);
            var target = System.IO.Path.Combine(folder, file);
            if (file != LakeLayout.CompactFile || !stamped)
            {
                Execute(connection, $"COPY staged TO {Literal(target)} (FORMAT parquet)");
                continue;
            }

            var staged = target + ".staged";
            Execute(connection, $"COPY staged TO {Literal(staged)} (FORMAT parquet)");
            var previous = System.IO.Path.Combine(LakeLayout.SitePartition(root, siteId, day.Key.AddDays(-1)), LakeLayout.CompactFile);
            var hasPrevious = File.Exists(previous);
            var previousStamped = false;
            if (hasPrevious)
            {
                using var check = connection.CreateCommand();
                check.CommandText = LakeStamps.IsStampedQuery(previous);
                previousStamped = Convert.ToInt64(check.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
            }

            Execute(connection, $"COPY ({LakeStamps.Select([staged], hasPrevious ? previous : null, previousStamped)}) TO {Literal(target)} (FORMAT parquet)");
            File.Delete(staged);
        }
    }

    /// <summary>Writes the lake's missing day sums and deletes stale ones, as the compactor's pass does
    /// (<see cref="LakeDaySums.Plan"/>), for one site's files; returns how many were written.</summary>
    public static int WriteDaySums(string root, string siteId) => WriteDaySums(new LocalLakeStore(root), root, siteId);

    /// <summary><see cref="WriteDaySums(string, string)"/> into any store (an S3 bucket: the versions its ETags give), the
    /// events read from a local copy of the same keys under <paramref name="localRoot"/>.</summary>
    public static int WriteDaySums(ILakeStore store, string localRoot, string siteId)
    {
        var (missing, stale) = LakeDaySums.Plan(
            store.ListAsync(LakeLayout.SiteKeyPrefix(siteId), CancellationToken.None).GetAwaiter().GetResult(),
            store.ListAsync(LakeDaySums.SiteKeyPrefix(siteId), CancellationToken.None).GetAwaiter().GetResult());
        var local = new LocalLakeStore(localRoot);
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        foreach (var (_, utcDay, version, files) in missing)
        {
            var inputs = files.Select(f => local.PathOf(f.Key)).ToList();
            var check = Query(LakeDaySums.CheckSql(inputs, utcDay), r => (Rows: r.GetInt64(0), Bad: r.GetInt64(1), Keys: r.GetInt64(2)))[0];
            var (select, suffix) = LakeDaySums.SelectFor(inputs, utcDay, check.Rows, check.Bad, check.Keys);
            var written = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"li-sums-{Guid.NewGuid():N}.parquet");
            Execute(connection, $"COPY ({select}) TO {Literal(written)} (FORMAT parquet)");
            store.PutAsync(written, LakeDaySums.Key(siteId, utcDay, version, suffix), CancellationToken.None).GetAwaiter().GetResult();
            File.Delete(written); // a local store moved it; an S3 store copied it
        }

        store.DeleteAsync(stale, CancellationToken.None).GetAwaiter().GetResult();
        return missing.Count;
    }

    private static string Literal(string path) => "'" + path.Replace("'", "''", StringComparison.Ordinal) + "'";

    private static void Execute(DuckDBConnection connection, string sql, params object?[] values)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var value in values)
        {
            command.Parameters.Add(new DuckDBParameter(value ?? DBNull.Value));
        }

        command.ExecuteNonQuery();
    }
}
