using System.Diagnostics.Metrics;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// The <c>LiveInsight</c> meter. Every service records into it, so the P95 targets of ARCHITECTURE.md
/// can be read from the Aspire dashboard (Metrics → LiveInsight) without extra tools.
/// </summary>
public sealed class LiveInsightMetrics
{
    public const string MeterName = "LiveInsight";

    /// <summary>Fine buckets below 10 ms: our targets live there, the default buckets do not resolve them.</summary>
    internal static readonly double[] MillisecondBuckets =
        [0.25, 0.5, 1, 2, 3, 5, 7.5, 10, 15, 25, 50, 100, 200, 500, 1000, 2500, 5000, 10000];

    public LiveInsightMetrics(IMeterFactory meterFactory)
    {
        Meter = meterFactory.Create(MeterName);
        SchemaBootstrapDuration = Meter.CreateHistogram<double>(
            "liveinsight.schema.bootstrap.duration", "ms", "Time to ensure every DynamoDB table exists");
        IngestDuration = Meter.CreateHistogram<double>(
            "liveinsight.ingest.duration", "ms", "Time to handle one POST /api/events, Redis round trip included");
        EventsAccepted = Meter.CreateCounter<long>(
            "liveinsight.ingest.events.accepted", "{event}", "Events written to the events stream");
        EventsDropped = Meter.CreateCounter<long>(
            "liveinsight.ingest.events.dropped", "{event}", "Events not kept, tagged with the drop reason");
        AggregatorBatchDuration = Meter.CreateHistogram<double>(
            "liveinsight.aggregator.batch.duration", "ms", "Time to persist, roll up and acknowledge one batch");
        AggregatorEventsWritten = Meter.CreateCounter<long>(
            "liveinsight.aggregator.events.written", "{event}", "Events persisted and folded into rollups");
        RealtimeQueryDuration = Meter.CreateHistogram<double>(
            "liveinsight.realtime.query.duration", "ms", "Time to compute a realtime answer from Redis (cache misses only)");
        StatsQueryDuration = Meter.CreateHistogram<double>(
            "liveinsight.stats.query.duration", "ms", "Time to compute a stats answer from Redis and the Stats table (cache misses only)");
        ReadCacheHits = Meter.CreateCounter<long>(
            "liveinsight.read.cache.hits", "{request}", "Realtime and stats reads answered by HybridCache, tagged with the area");
        ReadCacheMisses = Meter.CreateCounter<long>(
            "liveinsight.read.cache.misses", "{request}", "Realtime and stats reads that ran their query, tagged with the area");
    }

    /// <summary>The aggregator registers its stream lag (entries not yet read by the group) here.</summary>
    public void ObserveStreamLag(Func<long> lag) =>
        Meter.CreateObservableGauge("liveinsight.aggregator.stream.lag", lag, "{entry}", "Stream entries not yet read by the aggregator group");

    public Meter Meter { get; }

    public Histogram<double> SchemaBootstrapDuration { get; }

    public Histogram<double> IngestDuration { get; }

    public Counter<long> EventsAccepted { get; }

    public Counter<long> EventsDropped { get; }

    public Histogram<double> AggregatorBatchDuration { get; }

    public Counter<long> AggregatorEventsWritten { get; }

    public Histogram<double> RealtimeQueryDuration { get; }

    public Histogram<double> StatsQueryDuration { get; }

    public Counter<long> ReadCacheHits { get; }

    public Counter<long> ReadCacheMisses { get; }
}
