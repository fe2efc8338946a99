using LiveInsight.Api.Ingestion.Enrichment;

namespace LiveInsight.Api.Tests.Ingestion.Enrichment;

/// <summary>One parser for all tests: loading compiles ~1,200 regexes, and the real data files are what is under test.</summary>
internal static class SharedParser
{
    private static readonly Lazy<UserAgentParser> Lazy = new(() => new UserAgentParser());

    public static UserAgentParser Instance => Lazy.Value;
}
