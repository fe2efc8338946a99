using System.IO.Compression;
using LiveInsight.Api.Extensions;
using LiveInsight.Api.Imports;
using LiveInsight.Api.Ingestion;
using LiveInsight.Api.Sites;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Stats;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LiveInsight.Api.Apis;

/// <summary>
/// Imported history (issue 20): Plausible's CSV export (a zip) or Umami's data export (a CSV, or a zip holding it),
/// uploaded as the request body, written into the day rollups marked as imported (<see cref="ImportLayout"/>). Only days
/// before the site's native data are kept (the rest is clipped and counted in the answer, as Plausible does); an import
/// overlapping an earlier one is refused; an import can be listed and deleted. Behind the admin token, like sites.
/// </summary>
public static class ImportsApi
{
    public static IEndpointRouteBuilder MapImportsApi(this IEndpointRouteBuilder app)
    {
        var imports = app.MapGroup("/api/sites/{siteId}/imports")
            .WithTags("Imports")
            .AddEndpointFilter<Auth.AdminTokenFilter>()
            .ProducesProblem(StatusCodes.Status404NotFound);
        imports.MapPost("/", CreateImport)
            .WithName("CreateImport")
            .WithSummary("Import history: ?source=plausible with Plausible's CSV export zip, or ?source=umami with Umami's data export (CSV or zip), as the body")
            .DisableAntiforgery();
        imports.MapGet("/", ListImports)
            .WithName("ListImports")
            .WithSummary("List a site's imports with the days each covers");
        imports.MapDelete("/{importId}", DeleteImport)
            .WithName("DeleteImport")
            .WithSummary("Delete an import: its days show what they showed before it");
        return app;
    }

    public sealed record ImportList(string SiteId, IReadOnlyList<ImportRecord> Imports);

    public static async Task<Results<Created<ImportRecord>, ProblemHttpResult>> CreateImport(
        string siteId,
        HttpContext http,
        SiteRepository sites,
        ImportStore store,
        ReadCache cache,
        AdminAudit audit,
        TimeProvider time,
        IOptions<ImportOptions> options,
        CancellationToken cancellationToken,
        string? source = null)
    {
        if (source is not ("plausible" or "umami"))
        {
            return Problem(StatusCodes.Status400BadRequest, "Unknown source",
                "Say where the export comes from: ?source=plausible (the zip of Plausible's CSV export) or ?source=umami (Umami's data export).");
        }

        if (await sites.FindByIdAsync(siteId, cancellationToken) is not { } site)
        {
            return SiteNotFound(siteId);
        }

        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.Value.MaxUploadBytes;
        }

        await using var upload = new FileStream(
            Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81_920, FileOptions.DeleteOnClose);
        try
        {
            await CopyCappedAsync(http.Request.Body, upload, options.Value.MaxUploadBytes, cancellationToken);
        }
        catch (UploadTooLargeException)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Upload too large", $"An import is at most {options.Value.MaxUploadBytes:N0} bytes.");
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Upload too large", $"An import is at most {options.Value.MaxUploadBytes:N0} bytes.");
        }

        if (upload.Length == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "Empty upload", "Send the export file as the request body.");
        }

        var zone = SiteTimeZones.Of(site.TimeZone);
        var rollups = new ImportedRollups();
        try
        {
            upload.Position = 0;
            Read(source, upload, zone, rollups, options.Value);
        }
        catch (ImportFormatException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "The export cannot be read", e.Message);
        }
        catch (InvalidDataException e)
        {
            return Problem(StatusCodes.Status400BadRequest, "The export cannot be read", e.Message);
        }

        if (rollups.Days.Count == 0)
        {
            return Problem(StatusCodes.Status400BadRequest, "Nothing to import", "The export holds no rows.");
        }

        var (record, problem) = await WriteAsync(http, site, source, rollups, store, cache, audit, time, cancellationToken);
        if (problem is not null)
        {
            return problem;
        }

        return TypedResults.Created($"/api/sites/{siteId}/imports/{record!.ImportId}", record);
    }

    /// <summary>Writes built rollups as an import of <paramref name="site"/>: one import at a time per site, days clipped
    /// before native data, refused when overlapping another import, audit-logged, the site's stats cache forgotten.
    /// Used by uploads and by the demo (<see cref="DemoApi"/>).</summary>
    public static async Task<(ImportRecord? Record, ProblemHttpResult? Problem)> WriteAsync(
        HttpContext http, Site site, string source, ImportedRollups rollups, ImportStore store, ReadCache cache, AdminAudit audit,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var siteId = site.SiteId;
        var zone = SiteTimeZones.Of(site.TimeZone);
        var holder = Guid.NewGuid().ToString("N");
        if (!await store.TryLockAsync(siteId, holder, cancellationToken))
        {
            return (null, Problem(StatusCodes.Status409Conflict, "Import running", "Another import or deletion of this site's imports is running; try again when it ends."));
        }

        try
        {
            // Native data starts at the first flushed native day, or yesterday at the latest: ingestion takes events up to
            // 24 h old (IngestionLimits.MaxAge), so yesterday may still get native data, and a day is never both.
            var yesterday = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(time.GetUtcNow() - IngestionLimits.MaxAge, zone).DateTime);
            var firstNative = await store.FirstNativeDayAsync(siteId, cancellationToken);
            var cutoff = firstNative is { } native && native < yesterday ? native : yesterday;
            var clipped = rollups.ClipFrom(cutoff);
            if (rollups.Days.Count == 0)
            {
                return (null, Problem(StatusCodes.Status409Conflict, "Nothing before native data",
                    $"Every day of the export is on or after {RollupLayout.DayBucket(cutoff)}, where this site's own data starts; nothing was imported."));
            }

            var (from, to) = (RollupLayout.DayBucket(rollups.Days.Min()), RollupLayout.DayBucket(rollups.Days.Max()));
            var existing = await store.ListAsync(siteId, cancellationToken);
            if (existing.FirstOrDefault(e => string.CompareOrdinal(e.From, to) <= 0 && string.CompareOrdinal(from, e.To) <= 0) is { } overlap)
            {
                return (null, Problem(StatusCodes.Status409Conflict, "Overlaps an earlier import",
                    $"Import {overlap.ImportId} already covers {overlap.From} to {overlap.To}; delete it first to import {from} to {to} again."));
            }

            var record = new ImportRecord(
                "imp_" + SiteKeys.NewSiteId(), source, from, to, ImportRecord.Writing, rollups.Days.Count, rollups.Rows, clipped, time.GetUtcNow());
            if (await audit.WriteAsync(http, siteId, AuditActions.SiteImport, $"{record.ImportId} {source} {from}..{to}", cancellationToken) is { } failed)
            {
                return (null, failed);
            }

            await store.WriteAsync(siteId, record, rollups, cancellationToken);
            await cache.ForgetSiteAsync(siteId, cancellationToken);
            return (record with { Status = ImportRecord.Done }, null);
        }
        finally
        {
            await store.UnlockAsync(siteId, holder);
        }
    }

    public static async Task<Results<Ok<ImportList>, ProblemHttpResult>> ListImports(
        string siteId, SiteRepository sites, ImportStore store, CancellationToken cancellationToken)
    {
        if (await sites.FindByIdAsync(siteId, cancellationToken) is null)
        {
            return SiteNotFound(siteId);
        }

        return TypedResults.Ok(new ImportList(siteId, await store.ListAsync(siteId, cancellationToken)));
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> DeleteImport(
        string siteId,
        string importId,
        HttpContext http,
        SiteRepository sites,
        ImportStore store,
        ReadCache cache,
        AdminAudit audit,
        CancellationToken cancellationToken)
    {
        if (await sites.FindByIdAsync(siteId, cancellationToken) is null)
        {
            return SiteNotFound(siteId);
        }

        if (!importId.StartsWith("imp_", StringComparison.Ordinal) || importId.Length > 64
            || await store.FindAsync(siteId, importId, cancellationToken) is not { } record)
        {
            return Problem(StatusCodes.Status404NotFound, "Import not found", $"Site '{siteId}' has no import with this id; nothing was deleted.");
        }

        var holder = Guid.NewGuid().ToString("N");
        if (!await store.TryLockAsync(siteId, holder, cancellationToken))
        {
            return Problem(StatusCodes.Status409Conflict, "Import running", "Another import or deletion of this site's imports is running; try again when it ends.");
        }

        try
        {
            if (await audit.WriteAsync(http, siteId, AuditActions.SiteImportDelete, record.ImportId, cancellationToken) is { } failed)
            {
                return failed;
            }

            await store.DeleteAsync(siteId, record, cancellationToken);
            await cache.ForgetSiteAsync(siteId, cancellationToken);
            return TypedResults.NoContent();
        }
        finally
        {
            await store.UnlockAsync(siteId, holder);
        }
    }

    private static void Read(string source, FileStream upload, TimeZoneInfo zone, ImportedRollups rollups, ImportOptions options)
    {
        Span<byte> magic = stackalloc byte[4];
        var isZip = upload.Read(magic) == 4 && magic[0] == (byte)'P' && magic[1] == (byte)'K' && magic[2] == 3 && magic[3] == 4;
        upload.Position = 0;
        if (!isZip)
        {
            if (source == "plausible")
            {
                throw new InvalidDataException("Plausible's export is a zip of CSV files; upload the zip as it was downloaded.");
            }

            using var csv = new CsvRows(upload, "the upload");
            UmamiCsvImport.Read(csv, zone, rollups);
            return;
        }

        using var zip = new ZipArchive(upload, ZipArchiveMode.Read, leaveOpen: true);
        var budget = new UnpackBudget(options.MaxUnpackedBytes);
        var read = 0;
        foreach (var entry in zip.Entries.Take(200))
        {
            var name = entry.FullName;
            if (name.EndsWith('/') || name.StartsWith("__MACOSX/", StringComparison.Ordinal) || !name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var shown = ImportedRollups.Shorten(Path.GetFileName(name));
            using var stream = new CappedStream(entry.Open(), budget);
            using var csv = new CsvRows(stream, shown);
            if (source == "umami")
            {
                UmamiCsvImport.Read(csv, zone, rollups);
            }
            else if (PlausibleCsvImport.TableOf(name) is { } table)
            {
                PlausibleCsvImport.Read(table, csv, rollups);
            }
            else
            {
                throw new ImportFormatException(shown, 0,
                    $"not a file of Plausible's export (expected names like imported_pages_20240101_20241231.csv for {string.Join(", ", PlausibleCsvImport.Tables)}).");
            }

            read++;
        }

        if (read == 0)
        {
            throw new InvalidDataException("The zip holds no CSV file.");
        }
    }

    private static async Task CopyCappedAsync(Stream from, Stream to, long max, CancellationToken cancellationToken)
    {
        var buffer = new byte[81_920];
        long total = 0;
        int count;
        while ((count = await from.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += count;
            if (total > max)
            {
                throw new UploadTooLargeException();
            }

            await to.WriteAsync(buffer.AsMemory(0, count), cancellationToken);
        }
    }

    private static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);

    private static ProblemHttpResult SiteNotFound(string siteId) =>
        Problem(StatusCodes.Status404NotFound, "Site not found", $"There is no site with id '{siteId}'; nothing was changed.");

    private sealed class UploadTooLargeException : Exception;

    /// <summary>What all files of one zip may still unpack to.</summary>
    private sealed class UnpackBudget(long bytes)
    {
        public long Left { get; set; } = bytes;
    }

    /// <summary>A zip entry's stream that fails once the zip's unpack budget is spent (a zip bomb stops there).</summary>
    private sealed class CappedStream(Stream inner, UnpackBudget budget) : Stream
    {
        public override int Read(byte[] buffer, int offset, int count)
        {
            var read = inner.Read(buffer, offset, count);
            budget.Left -= read;
            return budget.Left < 0 ? throw new InvalidDataException("The zip unpacks to more than an import may hold.") : read;
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
