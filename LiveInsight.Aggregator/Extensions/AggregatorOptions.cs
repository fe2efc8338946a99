using System.ComponentModel.DataAnnotations;

namespace LiveInsight.Aggregator.Extensions;

public sealed class AggregatorOptions
{
    public const string SectionName = "LiveInsight:Aggregator";
    public const string GroupName = "aggregator";

    /// <summary>This replica's consumer name in the group; defaults to host name and process id (unique per replica).</summary>
    public string? ConsumerName { get; set; }

    [Range(1, 5000)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Events per apply script call: a batch is applied and acknowledged in chunks of this many (each
    /// atomic with its own XACK, all sent together), so no call holds Redis for more than about a millisecond.</summary>
    [Range(1, 5000)]
    public int ApplyChunkSize { get; set; } = 25;

    /// <summary>Consumers of the group in each replica: with two, one batch waits on DynamoDB while the next is
    /// applied in Redis.</summary>
    [Range(1, 16)]
    public int ConsumersPerReplica { get; set; } = 2;

    /// <summary>Pause when the stream is empty (StackExchange.Redis cannot block on XREADGROUP).</summary>
    [Range(10, 10_000)]
    public int PollIntervalMs { get; set; } = 200;

    /// <summary>Entries pending longer than this on another consumer are taken over (XAUTOCLAIM): that consumer died.</summary>
    [Range(0, 3600)]
    public int ClaimIdleSeconds { get; set; } = 60;

    [Range(1, 3600)]
    public int FlushIntervalSeconds { get; set; } = 5;

    [Range(1, 1440)]
    public int SessionTimeoutMinutes { get; set; } = 30;

    /// <summary>How long raw events are kept (the Events table's TTL). The original design keeps them 24 hours.</summary>
    [Range(1, 24 * 400)]
    public int RetentionHours { get; set; } = 24;

    /// <summary>Lag (entries not yet delivered to the group) above which health reports "degraded: catching up".</summary>
    [Range(1, 10_000_000)]
    public int DegradedLag { get; set; } = 5000;

    /// <summary>Distinct values per dimension (pages, referrers, UTM tags, event names, …) one site-day may add to
    /// the rollups; later new values of that day count under "(other)". Bounds what one public key can make Redis and
    /// the Stats table hold per day, whatever it sends.</summary>
    [Range(1, 1_000_000)]
    public int MaxValuesPerDimensionPerDay { get; set; } = 5000;

    public string ResolvedConsumerName => ConsumerName ?? $"{Environment.MachineName}-{Environment.ProcessId}";
}
