namespace LiveInsight.Api.Ingestion.Enrichment;

/// <summary>Where a visit came from, as the sources report shows it.</summary>
/// <param name="Source">A display name ("Google", "Hacker News", "Direct") or the referring host without "www.".</param>
/// <param name="Medium">"direct", "internal", "search", "social", "ai", "email", "app", "referral", or the utm_medium.</param>
/// <param name="ReferrerHost">The external referring host (or Android package) as sent; null for direct and internal.</param>
public sealed record TrafficSource(string Source, string Medium, string? ReferrerHost)
{
    public static readonly TrafficSource Direct = new("Direct", "direct", null);

    // Navigation inside the site is not a new source; a distinct medium lets the pipeline tell it from direct.
    public static readonly TrafficSource Internal = new("Direct", "internal", null);
}
