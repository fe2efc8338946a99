using System.Globalization;
using System.IO.Compression;
using System.Text;
using DuckDB.NET.Data;
using LiveInsight.Api.Extensions;
using LiveInsight.Api.Query;
using LiveInsight.Api.Sites;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Lake;
using LiveInsight.Core.Sites;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace LiveInsight.Api.Lifecycle;

/// <summary>
/// <c>GET /api/sites/{siteId}/export?format=parquet|csv&amp;from=&amp;to=</c>: the site's lake as a zip with one file
/// per site-local day (<c>day=2026-11-30.parquet</c> or <c>.csv</c>), each day's parts and compact file merged and
/// duplicate event ids dropped, as every reader of the lake does. Bounded: at most <see cref="MaxDays"/> days a request
/// (ask again for the next range). The zip is built in a temporary file, deleted when the answer is sent. CSV cells are
/// the visitor's text, so they get the formula guard (<see cref="ReadResult<ITabular>.CsvCell"/>); props are shown as DuckDB prints a
/// MAP.
/// </summary>
public static class LakeExport
{
    public const int MaxDays = 400;

    public static async Task<Results<FileStreamHttpResult, ValidationProblem, ProblemHttpResult>> ExportAsync(
        string siteId,
        [FromQuery] string? format,
        [FromQuery] string? from,
        [FromQuery] string? to,
        HttpContext http,
        SiteRepository repository,
        LakeFiles lake,
        AdminAudit audit,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        format ??= "parquet";
        if (format is not ("parquet" or "csv"))
        {
            errors["format"] = ["parquet or csv."];
        }

        DateOnly? first = null, last = null;
        if (from is not null)
        {
            first = EraseValidation.TryDay(from, out var d) ? d : null;
            if (first is null)
            {
                errors["from"] = ["A date as yyyy-MM-dd (the site's own day)."];
            }
        }

        if (to is not null)
        {
            last = EraseValidation.TryDay(to, out var d) ? d : null;
            if (last is null)
            {
                errors["to"] = ["A date as yyyy-MM-dd (the site's own day)."];
            }
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, detail: "Nothing was exported.");
        }

        if (await repository.FindByIdAsync(siteId, cancellationToken) is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Site not found",
                detail: $"There is no site with id '{siteId}'.");
        }

        var listing = await lake.ListAsync(siteId, cancellationToken);
        var days = listing.Files
            .Where(f => (first is null || f.Day >= first) && (last is null || f.Day <= last))
            .GroupBy(f => f.Day)
            .OrderBy(g => g.Key)
            .ToList();
        if (days.Count > MaxDays)
        {
            return TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["to"] = [$"At most {MaxDays} days with data in one export; this range has {days.Count}. Narrow from/to."] },
                detail: "Nothing was exported.");
        }

        if (await audit.WriteAsync(http, siteId, AuditActions.SiteExport,
                $"format={format} days={days.Count} from={first?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "first"} to={last?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "last"}",
                cancellationToken) is { } failed)
        {
            return failed;
        }

        var work = Path.Combine(Path.GetTempPath(), $"liveinsight-export-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        var zipPath = Path.Combine(work, "export.zip");
        try
        {
            using (var duck = new DuckDBConnection("DataSource=:memory:"))
            {
                duck.Open();
                using var zip = ZipFile.Open(zipPath, ZipArchiveMode.Create);
                foreach (var day in days)
                {
                    var files = lake.Store.LocalRoot is { } root
                        ? day.Select(f => Path.Combine(root, f.Object.Key.Replace('/', Path.DirectorySeparatorChar))).ToList()
                        : await lake.Cache!.GetAsync(day.Select(f => f.Object).ToList(), cancellationToken)
                          ?? throw new LakeFilesChangedException("A listed lake file was gone from S3 before it was read (compaction); retry.");
                    var name = $"day={LakeLayout.DayPartition(day.Key)}.{format}";
                    if (format == "parquet")
                    {
                        var part = Path.Combine(work, name);
                        Execute(duck, $"COPY ({DayQuery(files)}) TO {UserErasure.Literal(part)} (FORMAT parquet)");
                        zip.CreateEntryFromFile(part, name, CompressionLevel.NoCompression);
                        File.Delete(part);
                    }
                    else
                    {
                        await using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                        WriteCsv(duck, DayQuery(files), entry);
                    }
                }
            }

            var stream = new FileStream(zipPath, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.DeleteOnClose);
            return TypedResults.File(stream, "application/zip", $"liveinsight-{siteId}-{format}.zip");
        }
        finally
        {
            foreach (var leftover in Directory.EnumerateFiles(work).Where(f => f != zipPath))
            {
                File.Delete(leftover);
            }
        }
    }

    /// <summary>The day's rows, one per event id (a crash's copies dropped), in time order. The paths are the lake's own
    /// listing (never a client's text), quoted as literals.</summary>
    private static string DayQuery(IReadOnlyList<string> files) =>
        $"SELECT * FROM read_parquet([{string.Join(", ", files.Select(UserErasure.Literal))}], union_by_name = true) "
        + "QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY ts) = 1 ORDER BY ts, event_id";

    private static void Execute(DuckDBConnection duck, string sql)
    {
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static void WriteCsv(DuckDBConnection duck, string sql, Stream output)
    {
        using var writer = new StreamWriter(output, new UTF8Encoding(false), 65536, leaveOpen: true);
        using var command = duck.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToList();
        writer.Write(string.Join(',', columns.Select(ReadResult<ITabular>.CsvCell)));
        writer.Write("\r\n");
        var cells = new string[columns.Count];
        while (reader.Read())
        {
            for (var i = 0; i < cells.Length; i++)
            {
                cells[i] = reader.IsDBNull(i) ? "" : Cell(reader.GetValue(i));
            }

            writer.Write(string.Join(',', cells));
            writer.Write("\r\n");
        }
    }

    private static string Cell(object value) => value switch
    {
        string text => ReadResult<ITabular>.CsvCell(text),
        DateTime time => time.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IDictionary map => ReadResult<ITabular>.CsvCell(string.Join("; ",
            map.Keys.Cast<object>().Select(k => $"{k}={map[k]}"))),
        _ => ReadResult<ITabular>.CsvCell(value.ToString() ?? ""),
    };
}
