using DuckDB.NET.Data;
using LiveInsight.Core.Lake;

namespace LiveInsight.Aggregator.Lake;

/// <summary>
/// The day sums (<see cref="LakeDaySums"/>), kept in step with the compact files after each compaction pass, under the
/// same lease: a UTC day whose covering site-days are all compact gets the sums of its current files' version; sums of
/// any other version (files since re-compacted, erased, deleted by retention) are deleted.
/// </summary>
public sealed partial class LakeCompactor
{
    /// <summary>The most day sums one pass writes (each reads up to three compact files): a lake compacted before sums
    /// existed is filled in over several passes instead of one long one.</summary>
    internal const int MaxDaySumsPerPass = 200;

    /// <summary>Writes the missing day sums and deletes stale ones, renewing the lease (<paramref name="renew"/>) before
    /// each write and stopping when it is lost. Returns how many were written.</summary>
    internal async Task<int> UpdateDaySumsAsync(DuckDBConnection engine, Func<Task<bool>> renew, CancellationToken cancellationToken)
    {
        var (missing, stale) = LakeDaySums.Plan(
            await store.ListAsync(LakeLayout.EventsTable + "/", cancellationToken),
            await store.ListAsync(LakeDaySums.Table + "/", cancellationToken));
        // Stale sums first: no failing write below may keep them (counts of erased or deleted days) in the lake.
        if (stale.Count > 0 && await renew())
        {
            await store.DeleteAsync(stale, cancellationToken);
        }

        var written = 0;
        foreach (var (site, utcDay, version, files) in missing.Take(MaxDaySumsPerPass))
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (!await renew())
            {
                LogLeaseLost();
                return written; // another replica holds the lake now: it writes what is missing on its own pass
            }

            try
            {
                await WriteDaySumsAsync(engine, site, utcDay, version, files, cancellationToken);
                written++;
            }
            catch (DuckDBException e)
            {
                // The day's counting failed (out of the compactor's memory, a damaged file): it gets the marker, so it is
                // scanned by queries and not tried again every pass until its files change; the other days go on.
                LogDaySumsFailed(site, utcDay, e.Message.Split('\n')[0]);
                await LakeFiles.WriteAsync(engine, Root, LakeDaySums.EmptySql, store, LakeDaySums.Key(site, utcDay, version, LakeDaySums.NoneSuffix),
                    LakeFiles.CompactCompression, cancellationToken);
            }
        }

        return written;
    }

    private async Task WriteDaySumsAsync(DuckDBConnection engine, string site, DateOnly utcDay, string version, IReadOnlyList<LakeObject> files,
        CancellationToken cancellationToken)
    {
        var fetched = new List<string>();
        try
        {
            var inputs = new List<string>();
            foreach (var file in files)
            {
                var (path, copy) = await LakeFiles.LocalCopyAsync(store, Root, file.Key, cancellationToken);
                if (copy)
                {
                    fetched.Add(path!);
                }

                if (path is null)
                {
                    return; // gone since the listing (a compaction elsewhere, a deletion): the next pass sees the new files
                }

                inputs.Add(path);
            }

            long rows, bad, keys;
            using (var check = engine.CreateCommand())
            {
                check.CommandText = LakeDaySums.CheckSql(inputs, utcDay);
                using var reader = check.ExecuteReader();
                reader.Read();
                (rows, bad, keys) = (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2));
            }

            var (select, suffix) = LakeDaySums.SelectFor(inputs, utcDay, rows, bad, keys);
            await LakeFiles.WriteAsync(engine, Root, select, store, LakeDaySums.Key(site, utcDay, version, suffix), LakeFiles.CompactCompression, cancellationToken);
            LogDaySums(site, utcDay, rows, suffix.Length == 0 ? "complete" : suffix[1..]);
        }
        finally
        {
            foreach (var copy in fetched)
            {
                File.Delete(copy);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Day sums of site {SiteId}, UTC day {Day} failed ({Error}); the day is marked and scanned until its files change")]
    private partial void LogDaySumsFailed(string siteId, DateOnly day, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Day sums of site {SiteId}, UTC day {Day}: {Rows} events ({Kind})")]
    private partial void LogDaySums(string siteId, DateOnly day, long rows, string kind);
}
