using System.ComponentModel.DataAnnotations;
using LiveInsight.Core.Lake;

namespace LiveInsight.Aggregator.Lake;

/// <summary>The event lake's writer and compactor (section <c>Lake</c>, shared with the Api, which reads the same
/// <see cref="Path"/>).</summary>
public sealed class LakeOptions : IValidatableObject
{
    public const string SectionName = "Lake";

    /// <summary>The lake's own consumer group on the events stream: it reads every entry independently of the
    /// rollups' group, so neither waits for the other.</summary>
    public const string GroupName = "lake";

    public bool Enabled { get; set; } = true;

    /// <summary>The lake's root folder; relative paths are taken from the content root.</summary>
    public string Path { get; set; } = LakeLayout.DefaultRoot;

    /// <summary>Events buffered before a flush writes them (one part file per site-day touched).</summary>
    [Range(1, 1_000_000)]
    public int MaxBufferedEvents { get; set; } = 50_000;

    /// <summary>A non-empty buffer is flushed at the latest this long after its first event was read.</summary>
    [Range(1, 3600)]
    public int FlushIntervalSeconds { get; set; } = 10;

    /// <summary>Entries read per XREADGROUP / XAUTOCLAIM call. Small, because Redis serves nobody else while it builds
    /// the reply: 5,000 entries held it for up to 74 ms under load (issue 22's aggregator profile), 500 for a few
    /// milliseconds at most. The writer reads again at once while reads come back non-empty, so throughput is the same.</summary>
    [Range(1, 50_000)]
    public int ReadCount { get; set; } = 500;

    [Range(10, 10_000)]
    public int PollIntervalMs { get; set; } = 500;

    /// <summary>Entries pending this long on another lake consumer are taken over (that replica died). Must exceed a
    /// buffer's life (flush interval plus the write), or live buffers would be stolen.</summary>
    [Range(0, 3600)]
    public int ClaimIdleSeconds { get; set; } = 120;

    /// <summary>Parts at least this old are merged into their site-day's compact file (parts of past days always).</summary>
    [Range(0, 24 * 60)]
    public int CompactAfterMinutes { get; set; } = 10;

    [Range(1, 3600)]
    public int CompactionIntervalSeconds { get; set; } = 60;

    /// <summary>Whether each compaction pass also keeps the day sums (<see cref="LakeDaySums"/>) in step: the exact
    /// per-UTC-day counts that let the query API add up a long period's common breakdowns instead of scanning it.</summary>
    public bool DaySums { get; set; } = true;

    /// <summary>How far the lake may fall behind before the stream is trimmed past what it has not written (those
    /// entries are then lost to the lake, counted and logged): bounds the Redis memory a stuck lake can hold.</summary>
    [Range(1, 7 * 24 * 60)]
    public int MaxBacklogMinutes { get; set; } = 60;

    /// <summary>Lake lag (entries not yet read plus read but not yet written) above which health reports degraded.</summary>
    [Range(1, 100_000_000)]
    public int DegradedLag { get; set; } = 200_000;

    /// <summary>DuckDB's memory cap for the writer's staging table and for compaction.</summary>
    [Range(64, 64 * 1024)]
    public int MemoryLimitMb { get; set; } = 512;

    public string ResolvedPath(string contentRoot) => System.IO.Path.GetFullPath(System.IO.Path.Combine(contentRoot, Path));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ClaimIdleSeconds > 0 && ClaimIdleSeconds < 2 * FlushIntervalSeconds)
        {
            yield return new ValidationResult(
                "Lake:ClaimIdleSeconds must be at least twice Lake:FlushIntervalSeconds (a live buffer must not be taken over).",
                [nameof(ClaimIdleSeconds)]);
        }
    }
}
