using LiveInsight.Aggregator.Lake;
using LiveInsight.Core.Lake;
using LiveInsight.Testing;

namespace LiveInsight.Aggregator.Tests.Lake;

/// <summary>The lake in S3 (a real s3rver process): the writer's parts and the compactor's files are objects under
/// <c>Lake:S3:Prefix</c>, with the same names, the same exactly-once reading and the same compaction as on disk;
/// <c>Lake:Path</c> keeps only transient working files.</summary>
[Collection(nameof(DynaliteCollection))]
public sealed class LakeS3Tests(DynaliteFixture dynalite) : IAsyncLifetime
{
    private const string Prefix = "tenant-a/lake/";
    private readonly S3rver _s3 = new();
    private readonly string _copy = Path.Combine(Path.GetTempPath(), $"li-s3copy-{Guid.NewGuid():N}");

    public Task InitializeAsync() => _s3.StartAsync();

    public async Task DisposeAsync()
    {
        await _s3.DisposeAsync();
        if (Directory.Exists(_copy))
        {
            Directory.Delete(_copy, recursive: true);
        }
    }

    private Task<AggregatorWorld> WorldAsync(string timeZone = "UTC") =>
        AggregatorWorld.CreateAsync(dynalite.ConnectionString, timeZone, settings: _s3.LakeSettings(Prefix));

    /// <summary>The bucket's lake copied to a fresh local folder, read as the query API reads it.</summary>
    private async Task<(long Rows, long Distinct)> CountsInBucketAsync()
    {
        if (Directory.Exists(_copy))
        {
            Directory.Delete(_copy, recursive: true);
        }

        Directory.CreateDirectory(_copy);
        await _s3.DownloadAsync(_copy, Prefix);
        return LakeReader.Counts(_copy);
    }

    private async Task<List<string>> PartKeysAsync() =>
        (await _s3.KeysAsync(Prefix)).Where(k => LakeStores.FileName(k).StartsWith("part-", StringComparison.Ordinal)).ToList();

    [Fact]
    public async Task Parts_are_uploaded_under_their_deterministic_keys_and_nothing_stays_on_the_local_disk()
    {
        await using var w = await WorldAsync("America/New_York");
        var writer = w.Get<LakeWriter>();
        Assert.IsType<S3LakeStore>(w.Get<ILakeStore>());
        await writer.EnsureGroupAsync();
        // One event on the 19th in New York (04:59 UTC on the 20th), the others on the 20th: two site-days, two parts.
        var late19th = w.Event("page_view", "v1", "S1", TimeSpan.FromHours(-5) - TimeSpan.FromMinutes(1), "/late");
        var events = KnownTraffic.Events(w).Append(late19th).ToList();
        foreach (var e in events)
        {
            await w.IngestAsync(e);
        }

        Assert.Equal(events.Count, await LakeWriterTests.DrainLakeAsync(writer));

        Assert.Equal(0, await LakeWriterTests.LakePendingAsync(w));
        var keys = await _s3.KeysAsync(Prefix);
        Assert.Equal(2, keys.Count);
        Assert.Equal(
            [$"events/site={w.SiteId}/day=2026-11-19/", $"events/site={w.SiteId}/day=2026-11-20/"],
            keys.Select(k => k[..(k.LastIndexOf('/') + 1)]));
        Assert.All(keys, k => Assert.Matches(@"/part-\d+-\d+-\d+-\d+-first\.parquet$", k));
        Assert.Equal(["part", "part"], (await Task.WhenAll(keys.Select(k => _s3.TagAsync(Prefix + k, LakeLayout.FileKindTag)))).Select(t => t ?? "(none)"));
        Assert.Equal(((long)events.Count, (long)events.Count), await CountsInBucketAsync());
        Assert.False(Directory.Exists(Path.Combine(w.LakePath, LakeLayout.EventsTable)));
        Assert.DoesNotContain(Directory.GetFiles(w.LakePath, "*", SearchOption.AllDirectories), f => !f.Contains("spill", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_writer_killed_between_upload_and_acknowledge_makes_no_event_count_twice_and_compaction_over_s3_leaves_one_object()
    {
        await using var w = await WorldAsync();
        var events = KnownTraffic.Events(w);
        foreach (var e in events)
        {
            await w.IngestAsync(e);
        }

        var doomed = w.Get<LakeWriter>();
        await doomed.EnsureGroupAsync();
        doomed.AfterWrite = () => throw new InvalidOperationException("killed between upload and acknowledge");
        await Assert.ThrowsAsync<InvalidOperationException>(() => LakeWriterTests.DrainLakeAsync(doomed));
        Assert.Single(await PartKeysAsync());
        Assert.Equal(events.Count, await LakeWriterTests.LakePendingAsync(w));

        // A replacement replica takes the entries over and uploads them again under its own name: two objects, each
        // event in both, counted once by a reader's dedupe.
        var replacement = await w.StartHostAsync("replacement");
        Assert.Equal(events.Count, await LakeWriterTests.DrainLakeAsync(w.Get<LakeWriter>(replacement)));
        Assert.Equal(0, await LakeWriterTests.LakePendingAsync(w));
        Assert.Equal(2, (await PartKeysAsync()).Count);
        Assert.Equal(((long)events.Count * 2, (long)events.Count), await CountsInBucketAsync());

        // The same writer name again (a restart): its retried batch overwrites its object, never adds one.
        doomed.AfterWrite = null;
        await doomed.FlushAsync();
        Assert.Equal(2, (await PartKeysAsync()).Count);

        // Compaction downloads the parts, writes compact.parquet to the bucket, then deletes the parts there; a reader
        // listing in between counts every event once.
        var compactor = w.Get<LakeCompactor>();
        var seenBetween = (0L, 0L);
        string? between = null;
        compactor.AfterCompactWrite = prefix =>
        {
            between = prefix;
            seenBetween = CountsInBucketAsync().GetAwaiter().GetResult();
        };
        Assert.Equal(1, await compactor.CompactAsync(CancellationToken.None));

        Assert.Equal($"events/site={w.SiteId}/day=2026-11-20/", between);
        Assert.Equal(((long)events.Count * 3, (long)events.Count), seenBetween);
        var all = await _s3.KeysAsync(Prefix);
        Assert.Equal([$"events/site={w.SiteId}/day=2026-11-20/{LakeLayout.CompactFile}"], all.Where(k => k.StartsWith(LakeLayout.EventsTable + "/", StringComparison.Ordinal)));
        // Beside it the day sums of the UTC days around the 20th, which live as long as compact files (same tag).
        var sums = all.Where(k => k.StartsWith(LakeDaySums.Table + "/", StringComparison.Ordinal)).ToList();
        Assert.Equal(["2026-11-19", "2026-11-20", "2026-11-21"], sums.Select(k => k.Split('/')[2]["day=".Length..]));
        Assert.Equal(LakeLayout.CompactKind, await _s3.TagAsync(Prefix + sums[1], LakeLayout.FileKindTag));
        Assert.Equal(LakeLayout.CompactKind, await _s3.TagAsync($"{Prefix}events/site={w.SiteId}/day=2026-11-20/{LakeLayout.CompactFile}", LakeLayout.FileKindTag));
        Assert.Equal(((long)events.Count, (long)events.Count), await CountsInBucketAsync());
        var ts = LakeReader.Query($"SELECT ts FROM read_parquet('{Path.Combine(_copy, "events", $"site={w.SiteId}", "day=2026-11-20", LakeLayout.CompactFile)}')")
            .Select(r => (long)r["ts"]!).ToList();
        Assert.Equal(events.Select(e => e.Ts).Order(), ts);

        // A later part is merged with the compact object; nothing is left to do after.
        await w.IngestAsync(w.Event("page_view", "v9", "Z", TimeSpan.FromMinutes(90), "/late"));
        await LakeWriterTests.DrainLakeAsync(w.Get<LakeWriter>(replacement));
        compactor.AfterCompactWrite = null;
        Assert.Equal(1, await compactor.CompactAsync(CancellationToken.None));
        Assert.Equal(((long)events.Count + 1, (long)events.Count + 1), await CountsInBucketAsync());
        Assert.Equal(0, await compactor.CompactAsync(CancellationToken.None));
        Assert.Empty(Directory.GetFiles(w.LakePath, "*.parquet*", SearchOption.AllDirectories));
    }

    [Fact]
    public async Task An_upload_that_fails_is_retried_with_the_same_key_and_nothing_is_acknowledged_before()
    {
        await using var w = await WorldAsync();
        var events = KnownTraffic.Events(w);
        foreach (var e in events)
        {
            await w.IngestAsync(e);
        }

        var writer = w.Get<LakeWriter>();
        await writer.EnsureGroupAsync();
        while (await writer.ReadAsync(CancellationToken.None) > 0)
        {
        }

        // S3 unreachable: the flush fails, the entries stay pending, the buffer is kept.
        await _s3.Process.StopAsync();
        await Assert.ThrowsAnyAsync<Exception>(writer.FlushAsync);
        Assert.Equal(events.Count, await LakeWriterTests.LakePendingAsync(w));
        Assert.Equal(events.Count, writer.Buffered);

        await _s3.Process.StartAsync();
        Assert.Equal(events.Count, await writer.FlushAsync());
        Assert.Single(await PartKeysAsync());
        Assert.Equal(0, await LakeWriterTests.LakePendingAsync(w));
        Assert.Equal(((long)events.Count, (long)events.Count), await CountsInBucketAsync());
    }
}
