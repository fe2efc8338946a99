using LiveInsight.Aggregator.Consumer;
using LiveInsight.Aggregator.Health;
using LiveInsight.Core.Events;
using LiveInsight.Testing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace LiveInsight.Aggregator.Tests;

[Collection(nameof(DynaliteCollection))]
public sealed class FailureTests(DynaliteFixture dynalite)
{
    [Fact]
    public async Task A_consumer_that_dies_after_persisting_and_before_acknowledging_loses_and_double_counts_nothing()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        await KnownTraffic.IngestAsync(w);
        var doomed = w.Get<BatchProcessor>();
        doomed.AfterPersist = () => throw new InvalidOperationException("killed between persist and acknowledge");

        await Assert.ThrowsAsync<InvalidOperationException>(() => w.Get<StreamConsumer>().RunOnceAsync(CancellationToken.None));
        var pending = await w.Connection.GetDatabase().StreamPendingAsync(RedisKeys.EventsStream, "aggregator");
        Assert.Equal(KnownTraffic.Events(w).Count, pending.PendingMessageCount);

        // A replacement replica takes the dead one's entries over (XAUTOCLAIM) and finishes the job.
        var replacement = await w.StartHostAsync("replacement");
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>(replacement));
        doomed.AfterPersist = null;
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.CloseSessionsAndFlushAsync(KnownTraffic.AllSessionsIdle);

        await KnownTraffic.AssertDayTotalsAsync(w);
        Assert.Equal(KnownTraffic.Events(w).Count, await w.CountEventsAsync());
        Assert.Equal(0, (await w.Connection.GetDatabase().StreamPendingAsync(RedisKeys.EventsStream, "aggregator")).PendingMessageCount);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task A_consumer_that_dies_between_apply_chunks_loses_and_double_counts_nothing(int chunksApplied)
    {
        // Chunks of 3 events: sessions A and C each have events on both sides of a chunk boundary.
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString,
            settings: new Dictionary<string, string?> { ["LiveInsight:Aggregator:ApplyChunkSize"] = "3" });
        await KnownTraffic.IngestAsync(w);
        var all = KnownTraffic.Events(w).Count;
        var doomed = w.Get<BatchProcessor>();
        doomed.BeforeChunk = k => k == chunksApplied ? throw new InvalidOperationException("killed between two chunks") : Task.CompletedTask;

        await Assert.ThrowsAsync<InvalidOperationException>(() => w.Get<StreamConsumer>().RunOnceAsync(CancellationToken.None));
        // The chunks sent before the crash are applied and acknowledged with their deltas; the rest is still pending.
        var db = w.Connection.GetDatabase();
        Assert.Equal(all - (3 * chunksApplied), (await db.StreamPendingAsync(RedisKeys.EventsStream, "aggregator")).PendingMessageCount);
        var applied = (await db.HashGetAsync(
            Core.Stats.RollupLayout.RedisHash(w.SiteId, Core.Stats.Granularity.Day, KnownTraffic.Day),
            Core.Stats.RollupLayout.Field(Core.Stats.RollupLayout.Summary, "", Core.Stats.RollupLayout.Pageviews))).ToString();
        Assert.Equal(chunksApplied == 1 ? "2" : "4", applied);

        // A replacement replica takes the rest over; the dead one, back, finds nothing left to apply.
        var replacement = await w.StartHostAsync("replacement");
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>(replacement));
        doomed.BeforeChunk = null;
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.CloseSessionsAndFlushAsync(KnownTraffic.AllSessionsIdle);

        await KnownTraffic.AssertDayTotalsAsync(w);
        Assert.Equal(all, await w.CountEventsAsync());
        Assert.Equal(0, (await db.StreamPendingAsync(RedisKeys.EventsStream, "aggregator")).PendingMessageCount);
    }

    [Fact]
    public async Task A_batch_applied_one_event_per_chunk_gives_the_same_totals()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString,
            settings: new Dictionary<string, string?> { ["LiveInsight:Aggregator:ApplyChunkSize"] = "1" });
        await KnownTraffic.IngestAsync(w);

        Assert.Equal(KnownTraffic.Events(w).Count, await w.Get<StreamConsumer>().RunOnceAsync(CancellationToken.None));
        await w.CloseSessionsAndFlushAsync(KnownTraffic.AllSessionsIdle);

        await KnownTraffic.AssertDayTotalsAsync(w);
        Assert.Equal(0, (await w.Connection.GetDatabase().StreamPendingAsync(RedisKeys.EventsStream, "aggregator")).PendingMessageCount);
    }

    [Fact]
    public async Task A_second_page_view_redelivered_after_a_crash_takes_the_bounce_back_and_moves_the_exit_once()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.Zero, "/"));
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.IngestAsync(w.Event("page_view", "v1", "S", TimeSpan.FromMinutes(2), "/pricing"));
        var doomed = w.Get<BatchProcessor>();
        doomed.AfterPersist = () => throw new InvalidOperationException("killed between persist and apply");

        await Assert.ThrowsAsync<InvalidOperationException>(() => w.Get<StreamConsumer>().RunOnceAsync(CancellationToken.None));
        // The replacement applies the second page view; the dead replica, back again, finds nothing left to apply.
        var replacement = await w.StartHostAsync("replacement");
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>(replacement));
        doomed.AfterPersist = null;
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>(replacement));
        await w.FlushAsync();

        var summary = (await w.StatsAsync(Core.Stats.Granularity.Day, "summary", KnownTraffic.Day))!;
        Assert.Equal((2, 1, 0, 120_000), (summary["pageviews"], summary["sessions"], summary.GetValueOrDefault("bounces"), summary["duration_ms"]));
        Assert.Equal(0, (await w.StatsAsync(Core.Stats.Granularity.Day, "page", KnownTraffic.Day, "/"))!["exits"]);
        Assert.Equal(1, (await w.StatsAsync(Core.Stats.Granularity.Day, "page", KnownTraffic.Day, "/pricing"))!["exits"]);
        var pending = await w.Connection.GetDatabase().StreamPendingAsync(RedisKeys.EventsStream, "aggregator");
        Assert.Equal(0, pending.PendingMessageCount);
    }

    [Fact]
    public async Task Two_consumers_at_once_give_the_same_totals_as_one()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        await KnownTraffic.IngestAsync(w);
        var a = await w.StartHostAsync("replica-a", batchSize: 2, claimIdleSeconds: 3600);
        var b = await w.StartHostAsync("replica-b", batchSize: 2, claimIdleSeconds: 3600);

        await Task.WhenAll(
            Task.Run(() => AggregatorWorld.DrainAsync(w.Get<StreamConsumer>(a))),
            Task.Run(() => AggregatorWorld.DrainAsync(w.Get<StreamConsumer>(b))));
        await w.CloseSessionsAndFlushAsync(KnownTraffic.AllSessionsIdle);

        await KnownTraffic.AssertDayTotalsAsync(w);
    }

    [Fact]
    public async Task A_replica_whose_entries_were_taken_over_mid_batch_applies_nothing_twice()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        await KnownTraffic.IngestAsync(w);
        var slow = w.Get<BatchProcessor>();
        var thief = await w.StartHostAsync("thief");
        // While the first replica sits between persisting and applying, another one claims and applies everything.
        slow.AfterPersist = () => AggregatorWorld.DrainAsync(w.Get<StreamConsumer>(thief));

        await w.Get<StreamConsumer>().RunOnceAsync(CancellationToken.None);
        await w.CloseSessionsAndFlushAsync(KnownTraffic.AllSessionsIdle);

        await KnownTraffic.AssertDayTotalsAsync(w);
    }

    [Fact]
    public async Task DynamoDB_away_for_a_while_makes_health_unhealthy_then_it_catches_up_with_nothing_lost()
    {
        // A dynalite of its own, on disk, so it can be stopped and started again with its tables.
        var path = Directory.CreateTempSubdirectory("liveinsight-dynalite-").FullName;
        var port = ExternalProcess.FreePort();
        await using var dynamo = new ExternalProcess("dynalite", "node", p =>
        [
            RepositoryPaths.DynaliteCli, "--host", "127.0.0.1", "--port", p.ToString(), "--path", path,
            "--createTableMs", "0", "--deleteTableMs", "0", "--updateTableMs", "0",
        ], port);
        await dynamo.StartAsync();
        await using var w = await AggregatorWorld.CreateAsync($"http://127.0.0.1:{port}");
        var host = await w.StartHostAsync("worker");
        var consumer = w.Get<StreamConsumer>(host);
        var health = new AggregatorHealthCheck(w.Get<AggregatorState>(host), w.Get<IOptions<Extensions.AggregatorOptions>>(host));
        using var stop = new CancellationTokenSource();

        await dynamo.StopAsync();
        await KnownTraffic.IngestAsync(w);
        var loop = consumer.RunAsync(stop.Token);
        await WaitUntilAsync(async () => (await health.CheckHealthAsync(new HealthCheckContext())).Status == HealthStatus.Unhealthy);
        Assert.True(w.Get<AggregatorState>(host).Snapshot().Error is not null);
        await dynamo.StartAsync();

        await WaitUntilAsync(async () =>
            (await w.Connection.GetDatabase().StreamPendingAsync(RedisKeys.EventsStream, "aggregator")).PendingMessageCount == 0
            && (await w.Connection.GetDatabase().StreamGroupInfoAsync(RedisKeys.EventsStream))[0].Lag == 0);
        await w.Get<Jobs.StreamMaintenance>(host).ReportLagAndTrimAsync();
        // The entries are acknowledged inside the batch; the loop reports success when the batch returns.
        await WaitUntilAsync(async () => (await health.CheckHealthAsync(new HealthCheckContext())).Status == HealthStatus.Healthy);
        await stop.CancelAsync();
        await loop;

        Assert.Equal(KnownTraffic.Events(w).Count, await w.CountEventsAsync());
        await w.CloseSessionsAndFlushAsync(KnownTraffic.AllSessionsIdle);
        await KnownTraffic.AssertDayTotalsAsync(w);
        Directory.Delete(path, recursive: true);
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "condition not reached within 60 s");
            await Task.Delay(100);
        }
    }
}
