namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>DNT: 1 or Sec-GPC: 1, when the site honours them (the default).</summary>
public sealed class DropDoNotTrack : IRequestStep
{
    public DropReason? Run(IngestContext request) =>
        request.DoNotTrack && request.Site.HonorDoNotTrack ? DropReason.DoNotTrack : null;
}
