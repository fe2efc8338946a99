using LiveInsight.Api.Ingestion.Enrichment;

namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>Browser and OS from ua-parser's regexes (parsed once per User-Agent, once per request); bots and headless
/// browsers drop the whole batch here.</summary>
public sealed class PutUserAgent(UserAgentParser parser) : IRequestStep
{
    public DropReason? Run(IngestContext request)
    {
        var info = parser.Parse(request.UserAgent);
        // The family names come from capture groups of the User-Agent: they become rollup values, so they are capped.
        request.UserAgentInfo = info with { Browser = Capped(info.Browser), Os = Capped(info.Os) };
        return info.IsBot ? DropReason.Bot : null;
    }

    private static string Capped(string value) => Core.Stats.RollupLayout.CapValue(value);
}
