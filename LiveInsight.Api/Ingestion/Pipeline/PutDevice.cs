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
            last = (width, Name(FromUserAgent(request.UserAgent, request.UserAgentInfo!) ?? DeviceClassifier.FromScreenWidth(width)));
            request.LastDevice = last;
        }

        e.Device = last.Device;
    }

    /// <summary>The User-Agent's verdict per User-Agent string (the case-insensitive token searches were ~7 % of the
    /// Api's CPU per request, issue 22), bounded like the parser's cache; longer User-Agents than the parser keys are
    /// classified every time, so the verdict always comes from the whole string.</summary>
    private readonly ClockCache<Verdict> _byUserAgent = new(UserAgentParser.MaxCacheEntries);

    private DeviceClass? FromUserAgent(string? userAgent, UserAgentInfo ua)
    {
        if (string.IsNullOrEmpty(userAgent) || userAgent.Length > UserAgentParser.MaxUserAgentLength)
        {
            return DeviceClassifier.FromUserAgent(userAgent, ua);
        }

        return _byUserAgent.TryGet(userAgent, out var known) ? known!.Device : Classify(userAgent, ua);
    }

    private DeviceClass? Classify(string userAgent, UserAgentInfo ua) =>
        _byUserAgent.GetOrAdd(userAgent, _ => Verdict.Of(DeviceClassifier.FromUserAgent(userAgent, ua))).Device;

    private sealed class Verdict(DeviceClass? device)
    {
        private static readonly Verdict None = new(null), Mobile = new(DeviceClass.Mobile), Tablet = new(DeviceClass.Tablet);

        public DeviceClass? Device { get; } = device;

        public static Verdict Of(DeviceClass? device) => device switch
        {
            DeviceClass.Mobile => Mobile,
            DeviceClass.Tablet => Tablet,
            _ => None,
        };
    }

    /// <summary>The stored name of a class: the enum's name in lower case, without a new string per request.</summary>
    private static string Name(DeviceClass device) => device switch
    {
        DeviceClass.Mobile => "mobile",
        DeviceClass.Tablet => "tablet",
        _ => "desktop",
    };
}
