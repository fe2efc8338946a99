using LiveInsight.Core.Stats;

namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>
/// The last step: numbers clamped to what they can mean, and every text that becomes a rollup value cut to what a
/// Stats sort key can hold (<see cref="RollupLayout.CapValue"/>: a 2,000-character path of CJK text is 6 KB).
/// </summary>
public sealed class PutLimits : IIngestStep
{
    public void Run(IngestContext request, IngestEvent e)
    {
        e.ScreenWidth = e.Raw.ScreenWidth is { } w ? Math.Clamp(w, 0, IngestionLimits.MaxScreenWidth) : null;
        e.EngagedMs = e.Raw.EngagedMs is { } ms ? Math.Clamp(ms, 0, IngestionLimits.MaxEngagedMs) : null;
        e.ScrollDepth = e.Raw.ScrollDepth is { } depth ? Math.Clamp(depth, 0, 100) : null;
        e.PreviousScrollDepth = e.Raw.PreviousScrollDepth is { } previous ? Math.Clamp(previous, 0, 100) : null;
        e.Name = Capped(e.Name);
        e.Device = Capped(e.Device);
        if (e.Page is { } page)
        {
            e.Page = page with
            {
                Path = RollupLayout.CapValue(page.Path),
                Utm = page.Utm with { Source = Capped(page.Utm.Source), Medium = Capped(page.Utm.Medium), Campaign = Capped(page.Utm.Campaign) },
            };
        }

        if (e.Source is { } source)
        {
            e.Source = source with
            {
                Source = RollupLayout.CapValue(source.Source),
                Medium = RollupLayout.CapValue(source.Medium),
                ReferrerHost = Capped(source.ReferrerHost),
            };
        }
    }

    private static string? Capped(string? value) => value is null ? null : RollupLayout.CapValue(value);
}
