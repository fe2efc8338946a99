using LiveInsight.Core.Lake;
using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Query;

/// <summary>
/// A saved funnel's answer from per-day partials (<see cref="QuerySql.BuildFunnelPartials"/>), exactly: the UTC days
/// the day sums cover (<see cref="QueryDaySums.FindRunAsync"/>) are read from one small file each, and only the rest of
/// the period is scanned. A day's partials are written by the first query that needs them, beside the day sums and
/// under the same version (<c>daysums/site=…/day=…/sums-{version}-funnel-{hash}.parquet</c>, the hash of the funnel's
/// steps and window): a day whose files change gets a new version, so its old partials are unused at once and deleted by
/// the compactor with the old sums; a site's deletion, reset, erasure and retention remove them with the sums.
/// <para>Why: a 30-day funnel groups every event of the period by session (the query benchmark: 9.3 M events into 3.3 M
/// sessions, 2.7 s), while the partials of 30 days are a few thousand rows. Only for funnels without filters and
/// without a breakdown (what a saved funnel's view asks first); the others scan as before.</para>
/// </summary>
public static class QueryFunnelPartials
{
    /// <summary>Days one engine query computes (each reads the compact files of its days and a day either side): bounds
    /// the memory and the time of one query under the engine's limits.</summary>
    public const int DaysPerQuery = 7;

    /// <summary>The funnel's rows in <see cref="QuerySql.BuildFunnel"/>'s shape, or null when partials cannot answer it
    /// (filters, a breakdown, too few summed days, a partial that could not be written): the caller scans.</summary>
    public static async Task<List<object?[]>?> TryRunAsync(FunnelQuery query, QueryPeriod period, TimeZoneInfo zone, Site site, LakeListing listing,
        LakeFiles lake, QueryEngine engine, long allVisitors, ILogger logger, CancellationToken cancellationToken)
    {
        if (!lake.DaySums || query.Scope.Filters.Count > 0 || query.BreakdownStep is not null
            || await QueryDaySums.FindRunAsync(period, site.SiteId, listing, lake, props: false, cancellationToken) is not { } run)
        {
            return null;
        }

        var suffix = LakeDaySums.FunnelSuffixPrefix + QuerySql.FunnelPartialsHash(query.Funnel);
        var wanted = run.Days.Where(d => d.Value is not null)
            .Select(d => (Day: d.Key, Key: LakeDaySums.Key(site.SiteId, d.Key, d.Value!.Value.Version, suffix)))
            .ToList();
        var objects = run.Objects;
        var missing = wanted.Where(w => !objects.ContainsKey(w.Key)).ToList();
        if (missing.Count > 0)
        {
            try
            {
                await DeleteOthersAsync(site.Funnels, objects.Keys, lake, cancellationToken);
                foreach (var batch in missing.Chunk(DaysPerQuery))
                {
                    await WriteAsync(query.Funnel, site, listing, lake, engine, batch, cancellationToken);
                }
            }
            catch (Exception e) when (e is not (OperationCanceledException or LakeFilesChangedException))
            {
                // Out of time or memory, a store that failed: the scan answers (slower, the same), the next query tries
                // the partials again. A changed lake goes to the caller, which lists again.
                logger.LogWarning(e, "Partials of funnel {FunnelId} of site {SiteId} were not written; the funnel is scanned", query.Funnel.Id, site.SiteId);
                return null;
            }

            objects = (await lake.DaySumsAsync(site.SiteId, cancellationToken)).ToDictionary(o => o.Key, StringComparer.Ordinal);
            if (wanted.Any(w => !objects.ContainsKey(w.Key)))
            {
                return null;
            }
        }

        var partials = await lake.LocalPathsAsync(wanted.Select(w => objects[w.Key]).ToList(), cancellationToken);
        var rest = new List<(QueryPeriod Part, IReadOnlyList<string> Files)>();
        foreach (var part in run.Rest(period, zone))
        {
            rest.Add((part, await lake.FilesAsync(listing, part.First, part.Last, cancellationToken)));
        }

        var sql = QuerySql.BuildFunnelFromPartials(query, rest, partials, site.Goals, lake.Keyed(rest.SelectMany(r => r.Files)), allVisitors);
        return await engine.RunAsync(sql, cancellationToken);
    }

    /// <summary>Deletes the site's partials of every funnel definition that none of <paramref name="funnels"/> (the site's
    /// funnels after an edit or a deletion) has, so partials do not pile up with each edit: a day's partials otherwise go
    /// only when the day's files change, which an old day's never do. Returns how many files went.</summary>
    public static async Task<int> ForgetUnusedAsync(string siteId, IReadOnlyList<Funnel> funnels, LakeFiles lake, CancellationToken cancellationToken) =>
        lake.Enabled ? await DeleteOthersAsync(funnels, (await lake.DaySumsAsync(siteId, cancellationToken)).Select(o => o.Key), lake, cancellationToken) : 0;

    /// <summary>Deletes the partials among <paramref name="keys"/> (sums-folder keys of one site) whose definition none of
    /// <paramref name="funnels"/> has. A cold write runs it too, for partials a query was still writing when their funnel
    /// was edited or deleted (after <see cref="ForgetUnusedAsync"/> ran).</summary>
    private static async Task<int> DeleteOthersAsync(IReadOnlyList<Funnel> funnels, IEnumerable<string> keys, LakeFiles lake, CancellationToken cancellationToken)
    {
        var used = funnels.Select(f => LakeDaySums.FunnelSuffixPrefix + QuerySql.FunnelPartialsHash(f)).ToHashSet(StringComparer.Ordinal);
        var others = keys.Where(k => LakeDaySums.TryParseKey(k, out _, out _, out _, out var suffix)
                                     && suffix.StartsWith(LakeDaySums.FunnelSuffixPrefix, StringComparison.Ordinal) && !used.Contains(suffix)).ToList();
        if (others.Count > 0)
        {
            await lake.Store.DeleteAsync(others, cancellationToken);
        }

        return others.Count;
    }

    /// <summary>Computes the partials of <paramref name="days"/> in one engine query and puts each day's file under its key.</summary>
    private static async Task WriteAsync(Funnel funnel, Site site, LakeListing listing, LakeFiles lake, QueryEngine engine,
        IReadOnlyList<(DateOnly Day, string Key)> days, CancellationToken cancellationToken)
    {
        var covering = days.SelectMany(d => LakeDaySums.CoveringDays(d.Day)).ToHashSet();
        var objects = listing.Files.Where(f => covering.Contains(f.Day)).Select(f => f.Object).ToList();
        var files = await lake.LocalPathsAsync(objects, cancellationToken);
        var folder = QueryEngine.NewScratchFolder();
        try
        {
            var sql = QuerySql.BuildFunnelPartials(funnel, days.Select(d => d.Day).ToList(), files, lake.Keyed(files), site.Goals, folder);
            await engine.RunAsync(sql, cancellationToken);
            foreach (var (day, key) in days)
            {
                var dayFolder = Path.Combine(folder, QuerySql.PartialsDayFolder(day));
                // Every asked day has its step rows, so its folder holds the day's one file (DuckDB writes one per partition).
                if (Directory.Exists(dayFolder) && Directory.GetFiles(dayFolder) is [var file])
                {
                    await lake.Store.PutAsync(file, key, cancellationToken);
                }
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
