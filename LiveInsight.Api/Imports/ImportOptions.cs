using System.ComponentModel.DataAnnotations;

namespace LiveInsight.Api.Imports;

public sealed class ImportOptions
{
    public const string SectionName = "LiveInsight:Imports";

    /// <summary>The largest upload (a zip or a CSV) in bytes: 25 MB, under the Dashboard's (Kestrel's) 30 MB request
    /// limit, so an upload through the dashboard meets this limit and its clear answer first.</summary>
    [Range(1_024, 1L << 32)]
    public long MaxUploadBytes { get; set; } = 25L * 1024 * 1024;

    /// <summary>The most bytes all files of a zip may unpack to, so a small zip cannot unpack to gigabytes.</summary>
    [Range(1_024, 1L << 34)]
    public long MaxUnpackedBytes { get; set; } = 500L * 1024 * 1024;
}
