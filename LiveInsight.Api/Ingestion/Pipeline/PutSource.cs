using LiveInsight.Api.Ingestion.Enrichment;

namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>Referrer → source (search, social, direct, other sites), UTM parameters taking precedence.</summary>
public sealed class PutSource : IIngestStep
{
    public void Run(IngestContext request, IngestEvent e)
    {
        e.Source = ReferrerClassifier.Classify(IngestionLimits.CapUrl(e.Raw.Referrer), e.Page!.Host, e.Page.Utm);
    }
}
