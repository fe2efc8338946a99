using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>The site's excluded paths (<c>/admin/**</c>, <c>/preview/*</c>).</summary>
public sealed class DropExcludedPath : IIngestStep
{
    public void Run(IngestContext request, IngestEvent e)
    {
        foreach (var pattern in request.Site.ExcludedPaths)
        {
            if (PathPattern.Matches(pattern, e.Page!.Path))
            {
                e.Drop(DropReason.ExcludedPath);
                return;
            }
        }
    }
}
