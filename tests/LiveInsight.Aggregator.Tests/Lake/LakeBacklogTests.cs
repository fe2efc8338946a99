using System.Diagnostics.Metrics;
using LiveInsight.Aggregator.Consumer;
using LiveInsight.Aggregator.Health;
using LiveInsight.Aggregator.Jobs;
using LiveInsight.Aggregator.Lake;
using LiveInsight.Core.Events;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LiveInsight.Aggregator.Tests.Lake;

[Collection(nameof(DynaliteCollection))]
public sealed class LakeBacklogTests(DynaliteFixture dynalite)
{
    [Fact]
    public async Task The_stream_is_not_trimmed_past_what_the_lake_has_not_written()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        var writer = w.Get<LakeWriter>();
        await writer.EnsureGroupAsync();
        await KnownTraffic.IngestAsync(w);
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        var db = w.Connection.GetDatabase();

        // The rollups are done; the lake has read nothing yet, then holds everything in its buffer (pending).
        await w.Get<StreamMaintenance>().ReportLagAndTrimAsync();
        Assert.Equal(KnownTraffic.Events(w).Count, await db.StreamLengthAsync(RedisKeys.EventsStream));
        Assert.Equal(KnownTraffic.Events(w).Count, w.Get<LakeState>().Lag);
        while (await writer.ReadAsync(CancellationToken.None) > 0)
        {
        }

        await w.Get<StreamMaintenance>().ReportLagAndTrimAsync();
        Assert.Equal(KnownTraffic.Events(w).Count, await db.StreamLengthAsync(RedisKeys.EventsStream));
        Assert.Equal((0L, KnownTraffic.Events(w).Count), (w.Get<LakeState>().Lag, w.Get<LakeState>().Pending));

        await writer.FlushAsync();
        await w.Get<StreamMaintenance>().ReportLagAndTrimAsync();
        Assert.InRange(await db.StreamLengthAsync(RedisKeys.EventsStream), 0, 1);
        Assert.Equal(0, w.Get<LakeState>().Lost);
    }

    [Fact]
    public async Task A_lake_further_behind_than_its_backlog_bound_loses_the_oldest_entries_counted_and_never_the_rollups_ones()
    {
        await using var w = await AggregatorWorld.CreateAsync(dynalite.ConnectionString);
        await w.Get<LakeWriter>().EnsureGroupAsync();
        await KnownTraffic.IngestAsync(w);
        await AggregatorWorld.DrainAsync(w.Get<StreamConsumer>());
        await w.IngestAsync(w.Event("page_view", "v9", "Z", TimeSpan.FromMinutes(80), "/late"));
        var db = w.Connection.GetDatabase();

        // Two hours later (stream ids are wall-clock times), with a backlog bound of one hour.
        var later = new FakeTimeProvider(DateTimeOffset.UtcNow.AddHours(2));
        var lake = w.Get<LakeState>();
        var maintenance = new StreamMaintenance(w.Connection, w.Get<AggregatorState>(), lake,
            Options.Create(new LakeOptions { MaxBacklogMinutes = 60 }), later, NullLogger<StreamMaintenance>.Instance);
        await maintenance.ReportLagAndTrimAsync();

        // The rollups' unread entry stays; the lake lost what the rollups had acknowledged, and says so.
        var left = await db.StreamRangeAsync(RedisKeys.EventsStream);
        Assert.Contains(left, entry => entry[RedisKeys.StreamField].ToString().Contains("/late", StringComparison.Ordinal));
        Assert.InRange(left.Length, 1, 2);
        Assert.InRange(lake.Lost, KnownTraffic.Events(w).Count - 1, KnownTraffic.Events(w).Count);
        var health = await new LakeHealthCheck(lake, Options.Create(new LakeOptions())).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(lake.Lost, health.Data["lake_lost"]);
    }

    [Theory]
    [InlineData(0, 0, false, HealthStatus.Healthy)]
    [InlineData(150_000, 49_000, false, HealthStatus.Healthy)]
    [InlineData(180_000, 50_000, false, HealthStatus.Degraded)]
    [InlineData(0, 0, true, HealthStatus.Degraded)]
    public async Task The_lake_is_degraded_while_far_behind_or_failing_and_never_makes_the_aggregator_unhealthy(
        long lag, long pending, bool failing, HealthStatus expected)
    {
        var metrics = new LiveInsightMetrics(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());
        var state = new LakeState(metrics);
        state.ReportLag(lag, pending);
        if (failing)
        {
            state.ReportFailure(new IOException("No space left on device"));
        }

        var result = await new LakeHealthCheck(state, Options.Create(new LakeOptions { DegradedLag = 200_000 })).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(expected, result.Status);
        Assert.Equal((lag, pending), ((long)result.Data["lake_lag"], (long)result.Data["lake_pending"]));
        if (failing)
        {
            Assert.Contains("No space left on device", result.Description);
        }
    }

    [Fact]
    public void A_claim_idle_time_shorter_than_two_flush_intervals_is_refused_at_start()
    {
        var services = new ServiceCollection();
        services.AddOptions<LakeOptions>().Configure(o => (o.FlushIntervalSeconds, o.ClaimIdleSeconds) = (10, 15)).ValidateDataAnnotations();
        var error = Assert.Throws<OptionsValidationException>(() => services.BuildServiceProvider().GetRequiredService<IOptions<LakeOptions>>().Value);
        Assert.Contains("ClaimIdleSeconds", error.Message);
    }
}
