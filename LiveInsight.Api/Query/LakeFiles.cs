using System.Globalization;
using LiveInsight.Core.Lake;

namespace LiveInsight.Api.Query;

/// <summary>
/// Finds a site's Parquet files in the lake (<see cref="LakeLayout"/>): only under that site's own folder, whose name
/// <see cref="LakeLayout.SitePartition"/> builds from a validated id. The root is <c>Lake:Path</c> (relative to the
/// content root; default <see cref="LakeLayout.DefaultRoot"/>), the same setting the aggregator writes to.
/// </summary>
public sealed class LakeFiles(IConfiguration configuration, IHostEnvironment environment)
{
    private const string DayPrefix = LakeLayout.DayColumn + "=";

    /// <summary><c>Lake:Enabled</c> (default true): a published manifest turns the lake off until it lives in S3, and then
    /// nothing writes it, so the query API says so rather than answering zeros.</summary>
    public bool Enabled { get; } = configuration.GetValue("Lake:Enabled", true);

    public string Root { get; } = Path.GetFullPath(configuration["Lake:Path"] is { Length: > 0 } path ? path : LakeLayout.DefaultRoot, environment.ContentRootPath);

    /// <summary>The site's compacted and part files of the days <paramref name="first"/>..<paramref name="last"/>, plus a day
    /// either side (an event's partition is its local day when written; the <c>ts</c> bounds decide what counts).</summary>
    public IReadOnlyList<string> Files(string siteId, DateOnly first, DateOnly last) =>
        Days(siteId)
            .Where(d => d.Day >= first.AddDays(-1) && d.Day <= last.AddDays(1))
            .SelectMany(d => Directory.EnumerateFiles(d.Folder, "*.parquet"))
            .Where(f => Path.GetFileName(f) is var name && (name == LakeLayout.CompactFile || name.StartsWith("part-", StringComparison.Ordinal)))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>The site's first day in the lake ("all"), or null when it has none.</summary>
    public DateOnly? FirstDay(string siteId) => Days(siteId).Select(d => (DateOnly?)d.Day).Min();

    private IEnumerable<(DateOnly Day, string Folder)> Days(string siteId)
    {
        var site = Path.GetDirectoryName(LakeLayout.SitePartition(Root, siteId, default))!;
        if (!Directory.Exists(site))
        {
            return [];
        }

        return Directory.EnumerateDirectories(site)
            .Select(folder => (Name: Path.GetFileName(folder), Folder: folder))
            .Where(f => f.Name.StartsWith(DayPrefix, StringComparison.Ordinal))
            .Select(f => (Ok: DateOnly.TryParseExact(f.Name[DayPrefix.Length..], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day), Day: day, f.Folder))
            .Where(f => f.Ok)
            .Select(f => (f.Day, f.Folder))
            .ToList();
    }
}
