using LiveInsight.Api.Ingestion.Enrichment;

namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>
/// A step that looks at the request as a whole (the same answer for every event of the batch): it runs once per
/// request, and a drop reason it returns drops every event of the batch.
/// </summary>
public interface IRequestStep
{
    DropReason? Run(IngestContext request);
}

/// <summary>
/// A step either enriches an event (<c>Put*</c>) or drops it with a reason (<c>Drop*</c>). Steps run in order, and a
/// dropped event skips the rest. Steps are synchronous and touch no network: everything they need (site, salts) is
/// loaded before the pipeline runs, so its cost is CPU only.
/// </summary>
public interface IIngestStep
{
    void Run(IngestContext request, IngestEvent e);
}

/// <summary>
/// The ingestion pipeline, whose order is declared here and nowhere else (DI registers <see cref="Order"/>, and the
/// tests build the pipeline from it): request-wide steps first, once per request, then each event's steps.
/// </summary>
public sealed class IngestPipeline
{
    public static readonly IReadOnlyList<Type> Order =
    [
        // The request as a whole.
        typeof(DropDoNotTrack),
        typeof(PutUserAgent),
        typeof(DropExcludedIp),
        typeof(PutCountry),

        // Each event.
        typeof(PutDevice),
        typeof(PutEventFields),
        typeof(PutTimestamp),
        typeof(PutPage),
        typeof(DropForeignHost),
        typeof(DropExcludedPath),
        typeof(PutSource),
        typeof(PutVisitorId),
        typeof(PutUserHash),
        typeof(PutLimits),
    ];

    private readonly IRequestStep[] _requestSteps;
    private readonly IIngestStep[] _eventSteps;

    /// <summary>The pipeline with the steps of <see cref="Order"/> from <paramref name="services"/>.</summary>
    public IngestPipeline(IServiceProvider services)
        : this(Order.Select(services.GetRequiredService))
    {
    }

    /// <summary>Steps in order; a request step after an event step is refused (it would not run where it is listed).</summary>
    public IngestPipeline(IEnumerable<object> steps)
    {
        Steps = steps.ToArray();
        _requestSteps = Steps.TakeWhile(s => s is IRequestStep).Cast<IRequestStep>().ToArray();
        _eventSteps = Steps.Skip(_requestSteps.Length).Select(s => s as IIngestStep
            ?? throw new ArgumentException($"{s.GetType().Name} must come before every event step, or be an event step.", nameof(steps)))
            .ToArray();
    }

    public IReadOnlyList<object> Steps { get; }

    /// <summary>Registers every step of <see cref="Order"/> and the pipeline; the steps' own dependencies are the caller's.</summary>
    public static IServiceCollection AddTo(IServiceCollection services)
    {
        foreach (var step in Order)
        {
            services.AddSingleton(step);
        }

        return services.AddSingleton(sp => new IngestPipeline(sp));
    }

    public void Run(IngestContext request, IReadOnlyList<IngestEvent> events)
    {
        foreach (var step in _requestSteps)
        {
            if (step.Run(request) is { } reason)
            {
                foreach (var e in events)
                {
                    e.Drop(reason);
                }

                return;
            }
        }

        foreach (var e in events)
        {
            foreach (var step in _eventSteps)
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
