namespace LiveInsight.Api.Ingestion.Enrichment;

public enum DeviceClass { Desktop, Mobile, Tablet }

/// <summary>
/// What a User-Agent says about the visitor. Families are ua-parser (uap-core) names ("Chrome", "Mac OS X",
/// "iPhone", "Other"); versions are "major" or "major.minor", empty when unknown. Only <see cref="BotName"/> may be null.
/// </summary>
public sealed record UserAgentInfo(
    string Browser,
    string BrowserVersion,
    string Os,
    string OsVersion,
    string DeviceFamily,
    bool IsBot,
    string? BotName);
