using LiveInsight.Aggregator.Lake;
using LiveInsight.Core.Lake;
using LiveInsight.Core.Sites;

namespace LiveInsight.Aggregator.Tests.Lake;

/// <summary>The <c>user_hash</c> column (identify): written when the stream event has one, NULL otherwise, and files
/// written before the column existed still compact and read.</summary>
[Collection(nameof(DynaliteCollection))]
public sealed class LakeUserHashTests(DynaliteFixture dynalite)
{
    [Fact]
    public async Task An_identified_event_keeps_its_hash_and_an_anonymous_one_has_null()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var writer = w.Get<LakeWriter>();
        await writer.EnsureGroupAsync();
        var hash = Identify.Hash(Identify.NewSecret(), "user-42");
        var identified = w.Event("page_view", "v1", "S1", TimeSpan.FromMinutes(1), "/") with { UserHash = hash };
        var anonymous = w.Event("page_view", "v2", "S2", TimeSpan.FromMinutes(2), "/");
        await w.IngestAsync(identified);
        await w.IngestAsync(anonymous);

        Assert.Equal(2, await LakeWriterTests.DrainLakeAsync(writer));

        var rows = LakeReader.Query($"SELECT event_id, user_hash FROM {LakeReader.Files(w.LakePath)}")
            .ToDictionary(r => (string)r["event_id"]!, r => r["user_hash"]);
        Assert.Equal(hash, rows[identified.EventId]);
        Assert.Null(rows[anonymous.EventId]);
    }

    [Fact]
    public async Task A_day_written_before_the_column_existed_compacts_alone_and_with_new_parts()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var writer = w.Get<LakeWriter>();
        await writer.EnsureGroupAsync();
        var compactor = w.Get<LakeCompactor>();
        var events = KnownTraffic.Events(w);
        foreach (var e in events)
        {
            await w.IngestAsync(e);
        }

        await LakeWriterTests.DrainLakeAsync(writer);
        var part = Assert.Single(LakeReader.PartFiles(w.LakePath));
        RewriteWithoutUserHash(part);
        Assert.DoesNotContain(LakeReader.Query($"DESCRIBE SELECT * FROM read_parquet('{part}')"), r => (string)r["column_name"]! == LakeLayout.UserHashColumn);

        // Only old files in the day: the column comes from the layout, NULL for every row.
        Assert.Equal(1, await compactor.CompactAsync(CancellationToken.None));
        var compact = Path.Combine(Path.GetDirectoryName(part)!, LakeLayout.CompactFile);
        Assert.Equal((long)events.Count, LakeReader.Scalar($"SELECT count(*) FROM read_parquet('{compact}') WHERE user_hash IS NULL"));

        // A new identified part beside the compact file.
        var hash = Identify.Hash(Identify.NewSecret(), "user-7");
        await w.IngestAsync(w.Event("custom", "v9", "S9", TimeSpan.FromMinutes(30), "/", name: "Signup") with { UserHash = hash });
        await LakeWriterTests.DrainLakeAsync(writer);
        Assert.Equal(1, await compactor.CompactAsync(CancellationToken.None));

        var described = LakeReader.Query($"DESCRIBE SELECT * FROM read_parquet('{compact}', hive_partitioning = false)").Select(r => ((string)r["column_name"]!, (string)r["column_type"]!));
        Assert.Equal(LakeLayout.EventColumns.Concat(LakeLayout.CompactColumns), described); // a compact file: the events, their session stamps, the visitor key
        Assert.Equal(1, LakeReader.Scalar($"SELECT count(*) FROM read_parquet('{compact}') WHERE user_hash = '{hash}'"));
        Assert.Equal(events.Count + 1L, LakeReader.Scalar($"SELECT count(*) FROM read_parquet('{compact}')"));
    }

    [Fact]
    public void A_reader_of_old_files_alone_gets_the_column_as_null_through_the_layout()
    {
        var folder = Directory.CreateTempSubdirectory("li-old-lake-").FullName;
        try
        {
            var old = Path.Combine(folder, "old.parquet");
            LakeReader.Query($"COPY (SELECT 'e1' AS event_id, 1::BIGINT AS ts) TO '{old}' (FORMAT parquet)");

            var rows = LakeReader.Query(
                $"SELECT event_id, user_hash FROM {LakeLayout.WithEveryEventColumn($"read_parquet(['{old}'], union_by_name = true)")}");

            var row = Assert.Single(rows);
            Assert.Equal("e1", row["event_id"]);
            Assert.Null(row["user_hash"]);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    /// <summary>What a writer before <c>user_hash</c> existed would have written: the same rows without the column.</summary>
    private static void RewriteWithoutUserHash(string part)
    {
        var old = part + ".old";
        LakeReader.Query($"COPY (SELECT * EXCLUDE ({LakeLayout.UserHashColumn}) FROM read_parquet('{part}')) TO '{old}' (FORMAT parquet)");
        File.Move(old, part, overwrite: true);
    }
}
