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
            last = (width, Name(DeviceClassifier.Classify(request.UserAgent, request.UserAgentInfo!, width)));
            request.LastDevice = last;
        }

        e.Device = last.Device;
    }

    /// <summary>The stored name of a class: the enum's name in lower case, without a new string per request.</summary>
    private static string Name(DeviceClass device) => device switch
    {
        DeviceClass.Mobile => "mobile",
        DeviceClass.Tablet => "tablet",
        _ => "desktop",
    };
}
