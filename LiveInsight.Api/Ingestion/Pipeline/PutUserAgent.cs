using LiveInsight.Api.Ingestion.Enrichment;

namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>Browser, OS and device from ua-parser's regexes (parsed once per User-Agent); bots and headless browsers
/// are dropped here.</summary>
public sealed class PutUserAgent(UserAgentParser parser) : IIngestStep
{
    public void Run(IngestRequest request, IngestEvent e)
    {
        var info = request.UserAgentInfo ??= parser.Parse(request.UserAgent);
        if (info.IsBot)
        {
            e.Drop(DropReason.Bot);
            return;
        }

        var width = e.Raw.ScreenWidth;
        if (request.LastDevice is not { } last || last.ScreenWidth != width)
        {
            last = (width, DeviceClassifier.Classify(request.UserAgent, info, width).ToString().ToLowerInvariant());
            request.LastDevice = last;
        }

        e.Device = last.Device;
    }
}
