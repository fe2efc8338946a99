namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>DNT: 1 or Sec-GPC: 1, when the site honours them (the default).</summary>
public sealed class DropDoNotTrack : IIngestStep
{
    public void Run(IngestRequest request, IngestEvent e)
    {
        if (request.DoNotTrack && request.Site.HonorDoNotTrack)
        {
            e.Drop(DropReason.DoNotTrack);
        }
    }
}
