namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>
/// A step either enriches an event (<c>Put*</c>) or drops it with a reason (<c>Drop*</c>). Steps run in order, and a
/// dropped event skips the rest. Steps are synchronous and touch no network: everything they need (site, salts) is
/// loaded before the pipeline runs, so its cost is CPU only.
/// </summary>
public interface IIngestStep
{
    void Run(IngestRequest request, IngestEvent e);
}

public sealed class IngestPipeline(IEnumerable<IIngestStep> steps)
{
    private readonly IIngestStep[] _steps = steps.ToArray();

    public IReadOnlyList<IIngestStep> Steps => _steps;

    public void Run(IngestRequest request, IReadOnlyList<IngestEvent> events)
    {
        foreach (var e in events)
        {
            foreach (var step in _steps)
            {
                if (e.Dropped is not null)
                {
                    break;
                }

                step.Run(request, e);
            }
        }
    }
}
