namespace LiveInsight.Core.Stats;

/// <summary>
/// Imported history (Plausible's CSV export, Umami's data export) in the Stats table. An import writes ordinary day
/// items (<see cref="RollupLayout.StatsPartitionKey"/>, <see cref="RollupLayout.StatsSortKey"/>) with one more
/// attribute, <see cref="ImportIdAttribute"/>, so readers show them together with native days and know which they are;
/// they hold <c>visitors</c> as a number and no sketch (an export has counts, not visitor ids). Only days before the
/// site's native data are written, so a day is either native or imported, never both. The import itself is one item
/// under <see cref="RecordsPartitionKey"/>, sort key the import id.
/// </summary>
public static class ImportLayout
{
    public const string ImportIdAttribute = "import_id";

    /// <summary>The partition of a site's import records in the Stats table (no rollup dimension is called "imports").</summary>
    public static string RecordsPartitionKey(string siteId) => $"{siteId}#imports";

    /// <summary>Every dimension an import may write, in the order they are written and deleted.</summary>
    public static readonly string[] Dimensions =
    [
        RollupLayout.Summary, RollupLayout.Page, RollupLayout.Source, RollupLayout.Medium, RollupLayout.Referrer, RollupLayout.UtmSource,
        RollupLayout.UtmMedium, RollupLayout.UtmCampaign, RollupLayout.Browser, RollupLayout.Os, RollupLayout.Device,
        RollupLayout.Country, RollupLayout.Event, RollupLayout.Prop,
    ];
}
