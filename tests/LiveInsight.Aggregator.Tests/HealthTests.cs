using System.Diagnostics.Metrics;
using LiveInsight.Aggregator.Extensions;
using LiveInsight.Aggregator.Health;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LiveInsight.Aggregator.Tests;

public sealed class HealthTests
{
    private static readonly LiveInsightMetrics Metrics =
        new(new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>());

    [Theory]
    [InlineData(0, 0, false, HealthStatus.Healthy)]
    [InlineData(100, 0, false, HealthStatus.Healthy)]
    [InlineData(4000, 2000, false, HealthStatus.Degraded)]
    [InlineData(0, 0, true, HealthStatus.Unhealthy)]
    public async Task Healthy_degraded_while_catching_up_unhealthy_while_failing(long lag, long pending, bool failing, HealthStatus expected)
    {
        var state = new AggregatorState(Metrics);
        state.ReportLag(lag, pending);
        if (failing)
        {
            state.ReportFailure(new TimeoutException("DynamoDB did not answer"));
        }

        var result = await new AggregatorHealthCheck(state, Options.Create(new AggregatorOptions { DegradedLag = 5000 }))
            .CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(expected, result.Status);
        Assert.Equal(lag, result.Data["lag"]);
        if (failing)
        {
            Assert.Contains("DynamoDB did not answer", result.Description);
        }
    }
}
