using LiveInsight.Aggregator.Lake;
using LiveInsight.Core.Lake;

namespace LiveInsight.Aggregator.Tests.Lake;

/// <summary>The compactor keeps the day sums (<see cref="LakeDaySums"/>) in step with the compact files: written for the
/// UTC days around what it compacted, replaced when a day's files change, and never written for ids that are not the Api's.</summary>
[Collection(nameof(DynaliteCollection))]
public sealed class LakeDaySumsTests(DynaliteFixture dynalite)
{
    private const string A = "0123456789abcdef";
    private const string B = "fedcba9876543210";

    [Fact]
    public async Task Compaction_writes_the_exact_sums_of_each_UTC_day_and_replaces_them_when_the_day_changes()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var writer = w.Get<LakeWriter>();
        await writer.EnsureGroupAsync();
        foreach (var e in new[]
                 {
                     w.Event("page_view", A, "S1", TimeSpan.Zero, "/", source: "Google"),
                     w.Event("page_view", A, "S1", TimeSpan.FromMinutes(2), "/pricing"),
                     w.Event("custom", A, "S1", TimeSpan.FromMinutes(3), "/pricing", name: "Signup"),
                     w.Event("page_view", B, "S2", TimeSpan.FromMinutes(5), "/blog", source: "Bing"),
                 })
        {
            await w.IngestAsync(e);
        }

        await LakeWriterTests.DrainLakeAsync(writer);
        var compactor = w.Get<LakeCompactor>();
        Assert.Equal(1, await compactor.CompactAsync(CancellationToken.None));

        // The 20th's events make sums for the 19th–21st (their covering days); only the 20th has rows.
        var day = DateOnly.FromDateTime(AggregatorWorld.T0.UtcDateTime);
        var first = Sums(w, day);
        Assert.Equal(["2026-11-19", "2026-11-20", "2026-11-21"], Days(w));
        Assert.Equal(
            [" * = 2 visitors, 4 events, 3 page views", " Signup = 1 visitors, 1 events, 0 page views", " pageview = 2 visitors, 3 events, 3 page views",
             "visit:source Bing * = 1 visitors, 1 events, 1 page views", "visit:source Google * = 1 visitors, 3 events, 2 page views"],
            Rows(first, "dim IN ('', 'visit:source') AND (dim = '' OR name IS NULL)"));

        // One more event of the same day: compaction rewrites the compact file, so the day's sums are replaced.
        await w.IngestAsync(w.Event("page_view", B, "S2", TimeSpan.FromMinutes(6), "/blog/2"));
        await LakeWriterTests.DrainLakeAsync(writer);
        Assert.Equal(1, await compactor.CompactAsync(CancellationToken.None));
        var second = Sums(w, day);
        Assert.NotEqual(first, second);
        Assert.False(File.Exists(first));
        Assert.Equal([" * = 2 visitors, 5 events, 4 page views"], Rows(second, "dim = '' AND name IS NULL"));
    }

    [Fact]
    public async Task A_day_with_ids_not_of_the_Apis_form_gets_a_marker_and_no_sums()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var writer = w.Get<LakeWriter>();
        await writer.EnsureGroupAsync();
        await w.IngestAsync(w.Event("page_view", A, "S1", TimeSpan.Zero, "/"));
        await w.IngestAsync(w.Event("page_view", "imported-visitor", "S2", TimeSpan.FromMinutes(1), "/"));
        await LakeWriterTests.DrainLakeAsync(writer);
        Assert.Equal(1, await w.Get<LakeCompactor>().CompactAsync(CancellationToken.None));

        var file = Sums(w, DateOnly.FromDateTime(AggregatorWorld.T0.UtcDateTime));
        Assert.EndsWith($"{LakeDaySums.NoneSuffix}.parquet", file, StringComparison.Ordinal);
        Assert.Equal(0, LakeReader.Scalar($"SELECT count(*) FROM read_parquet('{file}')"));
    }

    /// <summary>A day whose counting fails (here a damaged compact file) gets the marker and does not stop the pass:
    /// the days after it in the pass still get their sums.</summary>
    [Fact]
    public async Task A_day_that_cannot_be_counted_gets_a_marker_and_the_other_days_their_sums()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var damaged = LakeLayout.SitePartition(w.LakePath, w.SiteId, new DateOnly(2026, 11, 10));
        Directory.CreateDirectory(damaged);
        await File.WriteAllBytesAsync(Path.Combine(damaged, LakeLayout.CompactFile), [1, 2, 3]);
        var writer = w.Get<LakeWriter>();
        await writer.EnsureGroupAsync();
        await w.IngestAsync(w.Event("page_view", A, "S1", TimeSpan.Zero, "/"));
        await LakeWriterTests.DrainLakeAsync(writer);

        Assert.Equal(1, await w.Get<LakeCompactor>().CompactAsync(CancellationToken.None));

        Assert.Equal(["2026-11-09", "2026-11-10", "2026-11-11", "2026-11-19", "2026-11-20", "2026-11-21"], Days(w));
        foreach (var day in new[] { 9, 10, 11 })
        {
            Assert.EndsWith($"{LakeDaySums.NoneSuffix}.parquet", Sums(w, new DateOnly(2026, 11, day)), StringComparison.Ordinal);
        }

        Assert.Equal([" * = 1 visitors, 1 events, 1 page views"], Rows(Sums(w, new DateOnly(2026, 11, 20)), "dim = '' AND name IS NULL"));
    }

    private static string Sums(AggregatorWorld w, DateOnly utcDay) =>
        Assert.Single(Directory.GetFiles(Path.Combine(w.LakePath, LakeDaySums.SiteKeyPrefix(w.SiteId), $"day={utcDay:yyyy-MM-dd}")));

    private static List<string> Days(AggregatorWorld w) =>
        Directory.GetDirectories(Path.Combine(w.LakePath, LakeDaySums.SiteKeyPrefix(w.SiteId))).Select(d => Path.GetFileName(d)["day=".Length..]).Order(StringComparer.Ordinal).ToList();

    private static List<string> Rows(string file, string where) => LakeReader.Query(
            $"SELECT dim, value, coalesce(name, '*') AS n, visitors, events, pageviews FROM read_parquet('{file}') WHERE {where} ORDER BY dim, value, n")
        .Select(r => $"{r["dim"]} {r["value"]} {r["n"]} = {r["visitors"]} visitors, {r["events"]} events, {r["pageviews"]} page views".Replace("  ", " ", StringComparison.Ordinal))
        .ToList();
}
