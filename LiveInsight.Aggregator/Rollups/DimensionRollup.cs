using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;

namespace LiveInsight.Aggregator.Rollups;

/// <summary>Page views per source, medium, referrer, UTM tag, browser, OS, device and country.</summary>
public sealed class DimensionRollup : IRollup
{
    public void Apply(StreamEvent e, RollupTarget target, RollupDeltas deltas)
    {
        if (e.EventType != "page_view")
        {
            return;
        }

        foreach (var (dimension, value) in Values(e))
        {
            deltas.Add(target, dimension, value, RollupLayout.Pageviews);
        }
    }

    /// <summary>The event's value for every session dimension that it has.</summary>
    public static IReadOnlyList<(string Dimension, string Value)> Values(StreamEvent e)
    {
        var values = new List<(string, string)>(RollupLayout.SessionDimensions.Length);
        void Add(string dimension, string? value)
        {
            if (!string.IsNullOrEmpty(value))
            {
                values.Add((dimension, value));
            }
        }

        Add(RollupLayout.Source, e.Source);
        Add(RollupLayout.Medium, e.Medium);
        Add(RollupLayout.Referrer, e.ReferrerHost);
        Add(RollupLayout.UtmSource, e.UtmSource);
        Add(RollupLayout.UtmMedium, e.UtmMedium);
        Add(RollupLayout.UtmCampaign, e.UtmCampaign);
        Add(RollupLayout.Browser, e.Browser);
        Add(RollupLayout.Os, e.Os);
        Add(RollupLayout.Device, e.Device);
        Add(RollupLayout.Country, e.Country);
        return values;
    }
}
