using LiveInsight.Aggregator.Lake;
using LiveInsight.Aggregator.Rollups;
using LiveInsight.Core.Events;
using LiveInsight.Core.Lake;
using Microsoft.Extensions.Hosting;

namespace LiveInsight.Aggregator.Tests.Lake;

[Collection(nameof(DynaliteCollection))]
public sealed class LakeWriterTests(DynaliteFixture dynalite)
{
    /// <summary>Reads everything the stream has for the lake group, then writes and acknowledges it.</summary>
    public static async Task<int> DrainLakeAsync(LakeWriter writer)
    {
        while (await writer.ReadAsync(CancellationToken.None) > 0)
        {
        }

        return await writer.FlushAsync();
    }

    public static async Task<long> LakePendingAsync(AggregatorWorld w) =>
        (await w.Connection.GetDatabase().StreamPendingAsync(RedisKeys.EventsStream, LakeOptions.GroupName)).PendingMessageCount;

    [Fact]
    public async Task Every_event_is_written_once_with_every_column_in_the_site_day_of_its_time_zone()
    {
        // New York is UTC-5 on 2026-11-20: its midnight is 05:00 UTC, T0 - 5 h.
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString, timeZone: "America/New_York");
        var writer = w.Get<LakeWriter>();
        await writer.EnsureGroupAsync();
        var lastOfThe19th = w.Event("page_view", "v1", "S1", TimeSpan.FromHours(-5) - TimeSpan.FromMilliseconds(1), "/late");
        var firstOfThe20th = w.Event("page_view", "v1", "S1", TimeSpan.FromHours(-5), "/early");
        var full = w.Event("custom", "v2", "S2", TimeSpan.FromMinutes(3), "/pricing", name: "Signup", source: "Hacker News") with
        {
            ReferrerHost = "news.ycombinator.com", Medium = "referral", UtmSource = "hn", UtmMedium = "social",
            UtmCampaign = "launch", UtmTerm = "analytics", UtmContent = "top", BrowserVersion = "131", OsVersion = "11",
            ScreenWidth = 1440, Props = new() { ["plan"] = "pro", ["ab"] = "b" }, EngagedMs = 5000, ScrollDepth = 80,
        };
        var sparse = w.Event("engagement", "v3", "S3", TimeSpan.FromMinutes(10), "/") with { Country = "", Source = null, Medium = null };
        StreamEvent[] events = [lastOfThe19th, firstOfThe20th, full, sparse];
        foreach (var e in events)
        {
            await w.IngestAsync(e);
        }

        Assert.Equal(4, await DrainLakeAsync(writer));

        Assert.Equal(0, await LakePendingAsync(w));
        Assert.Equal((4L, 4L), LakeReader.Counts(w.LakePath));
        var rows = LakeReader.Query(
            $"SELECT *, CAST(day AS VARCHAR) AS day_text, strftime(local_ts, '%Y-%m-%d %H:%M:%S.%g') AS local_text, " +
            $"typeof(props) AS props_type, props['plan'] AS plan, props['ab'] AS ab, cardinality(props) AS prop_count " +
            $"FROM {LakeReader.Files(w.LakePath)}").ToDictionary(r => (string)r["event_id"]!);

        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        foreach (var e in events)
        {
            // The day partition is the rollups' day bucket.
            Assert.Equal(RollupTarget.For(e, zone).DayBucket, rows[e.EventId]["day_text"]);
            Assert.Equal(w.SiteId, rows[e.EventId]["site"]);
        }

        Assert.Equal<(object?, object?)>(("2026-11-19", "2026-11-19 23:59:59.999"), (rows[lastOfThe19th.EventId]["day_text"], rows[lastOfThe19th.EventId]["local_text"]));
        Assert.Equal<(object?, object?)>(("2026-11-20", "2026-11-20 00:00:00.000"), (rows[firstOfThe20th.EventId]["day_text"], rows[firstOfThe20th.EventId]["local_text"]));

        var f = rows[full.EventId];
        Assert.Equal(full.Ts, f["ts"]);
        Assert.Equal(
            ["v2", "S2", "custom", "Signup", "example.com", "/pricing", "news.ycombinator.com", "Hacker News", "referral", "hn", "social",
             "launch", "analytics", "top", "DE", "desktop", "Chrome", "131", "Windows", "11"],
            new[] { "visitor_id", "session_id", "type", "name", "hostname", "path", "referrer", "source", "medium", "utm_source", "utm_medium",
                    "utm_campaign", "utm_term", "utm_content", "country", "device", "browser", "browser_version", "os", "os_version" }
                .Select(c => f[c] as string));
        Assert.Equal<(object?, object?, object?)>((1440, 5000L, 80), (f["screen_width"], f["engaged_ms"], f["scroll_depth"]));
        Assert.Equal<(object?, object?, object?, object?)>(("MAP(VARCHAR, VARCHAR)", "pro", "b", 2L), (f["props_type"], f["plan"], f["ab"], Convert.ToInt64(f["prop_count"], System.Globalization.CultureInfo.InvariantCulture)));

        // Empty values are NULL, not "".
        var s = rows[sparse.EventId];
        Assert.Equal([null, null, null, null, null, null, null], new[] { "name", "country", "source", "medium", "referrer", "props", "screen_width" }.Select(c => s[c]));
    }

    [Fact]
    public async Task The_running_writer_creates_its_group_and_on_shutdown_writes_and_acknowledges_what_it_holds()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        await KnownTraffic.IngestAsync(w);
        var writer = w.Get<LakeWriter>();

        await writer.StartAsync(CancellationToken.None);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (writer.Buffered < KnownTraffic.Events(w).Count && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        // Within the flush interval (10 s): read, held, nothing on disk yet.
        Assert.Equal(KnownTraffic.Events(w).Count, writer.Buffered);
        Assert.Empty(LakeReader.PartFiles(w.LakePath));
        await writer.StopAsync(CancellationToken.None);

        Assert.Equal(0, writer.Buffered);
        Assert.Equal(0, await LakePendingAsync(w));
        Assert.Equal(((long)KnownTraffic.Events(w).Count, (long)KnownTraffic.Events(w).Count), LakeReader.Counts(w.LakePath));
    }

    [Fact]
    public async Task The_files_have_exactly_the_layouts_columns_and_types_in_order()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var writer = w.Get<LakeWriter>();
        await writer.EnsureGroupAsync();
        await KnownTraffic.IngestAsync(w);
        await DrainLakeAsync(writer);

        var part = Assert.Single(LakeReader.PartFiles(w.LakePath));
        var described = LakeReader.Query($"DESCRIBE SELECT * FROM read_parquet('{part}', hive_partitioning = false)")
            .Select(r => ((string)r["column_name"]!, (string)r["column_type"]!));
        Assert.Equal(LakeLayout.EventColumns, described);
        Assert.Equal(Path.Combine(LakeLayout.SitePartition(w.LakePath, w.SiteId, new DateOnly(2026, 11, 20))), Path.GetDirectoryName(part));
        Assert.StartsWith("part-", Path.GetFileName(part), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_writer_killed_after_writing_and_before_acknowledging_makes_no_event_count_twice_before_or_after_compaction()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var events = KnownTraffic.Events(w);
        foreach (var e in events)
        {
            await w.IngestAsync(e);
        }

        var doomed = w.Get<LakeWriter>();
        await doomed.EnsureGroupAsync();
        doomed.AfterWrite = () => throw new InvalidOperationException("killed between write and acknowledge");
        while (await doomed.ReadAsync(CancellationToken.None) > 0)
        {
        }

        await Assert.ThrowsAsync<InvalidOperationException>(doomed.FlushAsync);
        Assert.Single(LakeReader.PartFiles(w.LakePath));
        Assert.Equal(events.Count, await LakePendingAsync(w));

        // A replacement replica takes the dead one's entries over (XAUTOCLAIM) and writes them again.
        var replacement = await w.StartHostAsync("replacement");
        Assert.Equal(events.Count, await DrainLakeAsync(w.Get<LakeWriter>(replacement)));
        Assert.Equal(0, await LakePendingAsync(w));

        // Two parts hold every event: the files have each twice, a reader's dedupe counts each once.
        Assert.Equal(2, LakeReader.PartFiles(w.LakePath).Length);
        Assert.Equal(((long)events.Count * 2, (long)events.Count), LakeReader.Counts(w.LakePath));
        Assert.Equal(events.Count, LakeReader.Scalar(
            $"SELECT count(*) FROM (SELECT * FROM {LakeReader.Files(w.LakePath)} QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY ts) = 1)"));

        // The dead replica comes back with its buffer: its site-day is already written (no new file), its XACK changes nothing.
        doomed.AfterWrite = null;
        await doomed.FlushAsync();
        Assert.Equal(2, LakeReader.PartFiles(w.LakePath).Length);

        Assert.Equal(1, await w.Get<LakeCompactor>().CompactAsync(CancellationToken.None));
        Assert.Empty(LakeReader.PartFiles(w.LakePath));
        Assert.Equal(((long)events.Count, (long)events.Count), LakeReader.Counts(w.LakePath));
    }

    [Fact]
    public async Task A_writer_restarted_under_the_same_name_rewrites_its_file_in_place_without_losing_or_doubling_a_row()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var events = KnownTraffic.Events(w);
        foreach (var e in events)
        {
            await w.IngestAsync(e);
        }

        var doomed = w.Get<LakeWriter>();
        await doomed.EnsureGroupAsync();
        doomed.AfterWrite = () => throw new InvalidOperationException("killed between write and acknowledge");
        await Assert.ThrowsAsync<InvalidOperationException>(() => DrainLakeAsync(doomed));
        var before = Assert.Single(LakeReader.PartFiles(w.LakePath));

        // The same consumer name after a restart (a container's pid 1): its own pending entries come back in the same
        // buffer, so the same file name; the file is merged with what is there, not added beside it.
        var restarted = await w.StartHostAsync("first");
        Assert.Equal(events.Count, await DrainLakeAsync(w.Get<LakeWriter>(restarted)));

        Assert.Equal([before], LakeReader.PartFiles(w.LakePath));
        Assert.Equal(((long)events.Count, (long)events.Count), LakeReader.Counts(w.LakePath));
        Assert.Equal(0, await LakePendingAsync(w));
    }

    [Fact]
    public async Task Compaction_merges_the_compact_file_and_the_parts_sorted_by_time_without_duplicates_and_deletes_the_parts()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var writer = w.Get<LakeWriter>();
        await writer.EnsureGroupAsync();
        var compactor = w.Get<LakeCompactor>();
        var events = KnownTraffic.Events(w);

        // Newest first, in three batches, one event twice (a client's retry that got past ingestion's dedupe window).
        foreach (var batch in events.Reverse().Chunk(3))
        {
            foreach (var e in batch)
            {
                await w.IngestAsync(e);
            }

            await DrainLakeAsync(writer);
        }

        await w.IngestAsync(events[0]);
        await DrainLakeAsync(writer);
        Assert.Equal(4, LakeReader.PartFiles(w.LakePath).Length);

        Assert.Equal(1, await compactor.CompactAsync(CancellationToken.None));
        Assert.Empty(LakeReader.PartFiles(w.LakePath));

        // One more part after the first compaction is merged with the compact file; a reader listing the folder
        // between the rename and the deletes counts every event once.
        var late = w.Event("page_view", "v9", "Z", TimeSpan.FromMinutes(90), "/late");
        await w.IngestAsync(late);
        await DrainLakeAsync(writer);
        var seenBetween = (0L, 0L);
        compactor.AfterCompactWrite = _ => seenBetween = LakeReader.Counts(w.LakePath);
        Assert.Equal(1, await compactor.CompactAsync(CancellationToken.None));

        Assert.Equal((events.Count + 2L, events.Count + 1L), seenBetween);
        var compact = Path.Combine(LakeLayout.SitePartition(w.LakePath, w.SiteId, new DateOnly(2026, 11, 20)), LakeLayout.CompactFile);
        Assert.Equal([compact], Directory.GetFiles(Path.Combine(w.LakePath, LakeLayout.EventsTable), "*.parquet", SearchOption.AllDirectories));
        var ts = LakeReader.Query($"SELECT ts, event_id FROM read_parquet('{compact}')").Select(r => (long)r["ts"]!).ToList();
        Assert.Equal(events.Select(e => e.Ts).Append(late.Ts).Order(), ts);
        // Parts are snappy (cheap to write); the compact file is in the codec DuckDB decodes fastest (read for months).
        Assert.Equal(["LZ4_RAW"], LakeReader.Query($"SELECT DISTINCT compression FROM parquet_metadata('{compact}')").Select(r => (string)r["compression"]!).ToList());
        Assert.Equal(0, await compactor.CompactAsync(CancellationToken.None));
    }

    /// <summary>Every event of a compacted day carries its session's first event's attributes (the first page view's
    /// path for the entry page); a session that began the day before keeps that day's, looked up in its compact file.</summary>
    [Fact]
    public async Task Compaction_stamps_each_event_with_its_sessions_first_event_even_when_the_session_began_the_day_before()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var writer = w.Get<LakeWriter>();
        await writer.EnsureGroupAsync();
        var midnight = TimeSpan.FromHours(14); // T0 is 10:00 UTC on 11-20, the site's zone is UTC
        var events = new[]
        {
            w.Event("custom", "v1", "A", TimeSpan.Zero, "/start", name: "Hello", source: "Google", country: "FR"),
            w.Event("page_view", "v1", "A", TimeSpan.FromMinutes(1), "/pricing"),
            w.Event("page_view", "v2", "B", midnight - TimeSpan.FromMinutes(5), "/blog", source: "Bing", country: "US"),
            w.Event("page_view", "v2b", "B", midnight + TimeSpan.FromMinutes(5), "/next"),
            w.Event("page_view", "v3", "C", midnight + TimeSpan.FromMinutes(10), "/", source: "Reddit"),
        };
        foreach (var e in events)
        {
            await w.IngestAsync(e);
        }

        await DrainLakeAsync(writer);
        Assert.Equal(2, await w.Get<LakeCompactor>().CompactAsync(CancellationToken.None));

        string Stamps(string day) => string.Join("; ", LakeReader.Query(
                $"SELECT path, s_source, s_country, s_entry_page, s_start FROM read_parquet('{Path.Combine(LakeLayout.SitePartition(w.LakePath, w.SiteId, DateOnly.Parse(day)), LakeLayout.CompactFile)}') ORDER BY ts")
            .Select(r => $"{r["path"]} {r["s_source"]} {r["s_country"]} {r["s_entry_page"]} {((long)r["s_start"]! - AggregatorWorld.T0.ToUnixTimeMilliseconds()) / 60_000}"));
        Assert.Equal("/start Google FR /pricing 0; /pricing Google FR /pricing 0; /blog Bing US /blog 835", Stamps("2026-11-20"));
        Assert.Equal("/next Bing US /blog 835; / Reddit DE / 850", Stamps("2026-11-21"));
    }

    [Fact]
    public async Task Only_one_replica_compacts_at_a_time()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var writer = w.Get<LakeWriter>();
        await writer.EnsureGroupAsync();
        await KnownTraffic.IngestAsync(w);
        await DrainLakeAsync(writer);
        await w.Connection.GetDatabase().StringSetAsync(RedisKeys.LakeCompactionLease, "another-replica", TimeSpan.FromMinutes(1));

        Assert.Equal(0, await w.Get<LakeCompactor>().CompactAsync(CancellationToken.None));
        Assert.Single(LakeReader.PartFiles(w.LakePath));

        await w.Connection.GetDatabase().KeyDeleteAsync(RedisKeys.LakeCompactionLease);
        Assert.Equal(1, await w.Get<LakeCompactor>().CompactAsync(CancellationToken.None));
        Assert.False(await w.Connection.GetDatabase().KeyExistsAsync(RedisKeys.LakeCompactionLease));
    }

    [Theory]
    [InlineData("../../escape")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("/etc")]
    [InlineData("")]
    [InlineData("site\u0000x")]
    [InlineData("sité")]
    public void A_site_id_unfit_for_a_path_gets_no_partition(string siteId) =>
        Assert.Throws<ArgumentException>(() => LakeLayout.SitePartition("/lake", siteId, new DateOnly(2026, 11, 20)));

    [Fact]
    public void A_site_id_longer_than_64_characters_gets_no_partition() =>
        Assert.Throws<ArgumentException>(() => LakeLayout.SitePartition("/lake", new string('a', 65), new DateOnly(2026, 11, 20)));

    [Fact]
    public async Task An_entry_with_a_hostile_site_id_is_acknowledged_and_nothing_is_written_outside_the_lake()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var writer = w.Get<LakeWriter>();
        await writer.EnsureGroupAsync();
        var outside = Path.Combine(Path.GetDirectoryName(w.LakePath)!, $"escaped-{Guid.NewGuid():N}");
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.Zero, "/") with { SiteId = $"../../{Path.GetFileName(outside)}" });
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.Zero, "/ok"));

        Assert.Equal(1, await DrainLakeAsync(writer));

        Assert.Equal(0, await LakePendingAsync(w));
        Assert.False(Directory.Exists(outside));
        Assert.Equal([$"{LakeLayout.SiteColumn}={w.SiteId}"],
            Directory.GetDirectories(Path.Combine(w.LakePath, LakeLayout.EventsTable)).Select(Path.GetFileName));
        Assert.Equal((1L, 1L), LakeReader.Counts(w.LakePath));
    }
}
