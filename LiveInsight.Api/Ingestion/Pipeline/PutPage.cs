using LiveInsight.Api.Ingestion.Enrichment;

namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>The page: an absolute http(s) URL, capped, normalised to a path (query stripped, UTM kept apart).</summary>
public sealed class PutPage : IIngestStep
{
    public void Run(IngestContext request, IngestEvent e)
    {
        if (!PageUrl.TryParse(IngestionLimits.CapUrl(e.Raw.PageUrl), request.HashRouting, out var page))
        {
            e.Drop(DropReason.InvalidUrl);
            return;
        }

        e.Page = page;
    }
}
