using LiveInsight.Api.Ingestion.Enrichment;

namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>Device class from the User-Agent and the event's screen width (events of a batch almost always share
/// one width, so the classification is remembered for the request).</summary>
public sealed class PutDevice : IIngestStep
{
    public void Run(IngestContext request, IngestEvent e)
    {
        var width = e.Raw.ScreenWidth;
        if (request.LastDevice is not { } last || last.ScreenWidth != width)
        {
            last = (width, DeviceClassifier.Classify(request.UserAgent, request.UserAgentInfo!, width).ToString().ToLowerInvariant());
            request.LastDevice = last;
        }

        e.Device = last.Device;
    }
}
