using System.Security.Cryptography;
using System.Text;
using DuckDB.NET.Data;
using LiveInsight.Api.Query;
using LiveInsight.Core.Events;
using LiveInsight.Core.Lake;
using LiveInsight.Core.Lifecycle;
using LiveInsight.Core.Redis;
using LiveInsight.Core.Sites;
using StackExchange.Redis;

namespace LiveInsight.Api.Lifecycle;

/// <summary>
/// Erases one identified user (an erasure request) from the site's lake: every file holding a row whose
/// <see cref="UserHashColumn"/> is the user's hash is rewritten without those rows (DuckDB <c>COPY (SELECT * … WHERE
/// user_hash IS DISTINCT FROM $1)</c>) and put back whole in its place (a reader sees the old file or the new one).
/// Files written before the column existed hold no identified user and are left alone. The compaction lease is held
/// meanwhile, so the compactor cannot fold an old copy of a part into the day's compact file during the rewrite.
/// </summary>
public sealed class UserErasure(LakeFiles lake, IConnectionMultiplexer redis)
{
    /// <summary>The lake column of an identified user's keyed hash (issue 18's identify: the user id is never stored).</summary>
    public const string UserHashColumn = LakeLayout.UserHashColumn;

    private static readonly TimeSpan LeaseTime = TimeSpan.FromMinutes(10);

    /// <summary>The keyed hash the lake holds for <paramref name="userId"/> on <paramref name="site"/>: what ingestion
    /// stores (<see cref="Identify.Hash"/> with the site's identify secret); null when the site never had a secret, so
    /// nothing of it can be in the lake.</summary>
    public static string? HashOf(Site site, string userId) =>
        site.IdentifySecret is { Length: > 0 } secret ? Identify.Hash(secret, userId) : null;

    public async Task<PurgeCounts> EraseAsync(Site site, string userId, CancellationToken cancellationToken)
    {
        if (HashOf(site, userId) is not { } hash)
        {
            return new PurgeCounts(0, 0, 0);
        }

        var result = await RedisLease.RunAsync(redis.GetDatabase(), RedisKeys.LakeCompactionLease, LeaseTime,
            async () => await RewriteAsync(site.SiteId, hash, cancellationToken));
        return result is { } rewritten
            ? new PurgeCounts(0, 0, rewritten)
            : throw new LakeFilesChangedException("The lake is being compacted right now; retry the erasure in a minute.");
    }

    private async Task<long> RewriteAsync(string siteId, string hash, CancellationToken cancellationToken)
    {
        var work = Path.Combine(lake.Store.LocalRoot ?? lake.Root, LocalLakeStore.TempFolder, $"erase-{Guid.NewGuid():N}");
        Directory.CreateDirectory(work);
        try
        {
            using var duck = new DuckDBConnection("DataSource=:memory:");
            duck.Open();
            long rewritten = 0;
            var days = new HashSet<DateOnly>();
            foreach (var file in await lake.Store.ListAsync(LakeLayout.SiteKeyPrefix(siteId), cancellationToken))
            {
                var source = lake.Store.LocalRoot is { } root
                    ? Path.Combine(root, file.Key.Replace('/', Path.DirectorySeparatorChar))
                    : Path.Combine(work, "in.parquet");
                if (lake.Store.LocalRoot is null && !await lake.Store.GetAsync(file.Key, source, cancellationToken))
                {
                    continue;
                }

                if (!HasColumn(duck, source) || Count(duck, source, hash) == 0)
                {
                    continue;
                }

                var target = Path.Combine(work, $"{Guid.NewGuid():N}.parquet");
                using (var copy = duck.CreateCommand())
                {
                    // Both paths are this process's own (the lake's listing, a fresh temp name), never a client's text.
                    // A file keeps its kind's codec (a compact file LakeLayout.CompactCompression): DuckDB's default
                    // (snappy) would make an erased day slower to query than its neighbours.
                    var codec = LakeLayout.CompressionOf(LakeStores.FileName(file.Key));
                    copy.CommandText = $"COPY (SELECT * FROM read_parquet({Literal(source)}) WHERE {UserHashColumn} IS DISTINCT FROM $1) "
                                       + $"TO {Literal(target)} (FORMAT parquet, COMPRESSION {codec})";
                    copy.Parameters.Add(new DuckDBParameter(hash));
                    copy.ExecuteNonQuery();
                }

                await lake.Store.PutAsync(target, file.Key, cancellationToken);
                rewritten++;
                if (LakeLayout.TryParseKey(file.Key, out _, out var day, out _))
                {
                    days.Add(day);
                }
            }

            // The day sums counted from rewritten files counted the user too: gone with the rows (no reader would use
            // them anyway, their version no longer matches; the compactor writes new ones).
            var sums = (await lake.Store.ListAsync(LakeDaySums.SiteKeyPrefix(siteId), cancellationToken))
                .Where(o => LakeDaySums.TryParseKey(o.Key, out _, out var utcDay, out _, out _) && LakeDaySums.CoveringDays(utcDay).Any(days.Contains))
                .Select(o => o.Key)
                .ToList();
            await lake.Store.DeleteAsync(sums, cancellationToken);
            return rewritten;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static bool HasColumn(DuckDBConnection duck, string file)
    {
        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM parquet_schema({Literal(file)}) WHERE name = $1";
        command.Parameters.Add(new DuckDBParameter(UserHashColumn));
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) > 0;
    }

    private static long Count(DuckDBConnection duck, string file, string hash)
    {
        using var command = duck.CreateCommand();
        command.CommandText = $"SELECT count(*) FROM read_parquet({Literal(file)}) WHERE {UserHashColumn} = $1";
        command.Parameters.Add(new DuckDBParameter(hash));
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static string Literal(string text) => "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
}
