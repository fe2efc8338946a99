using System.Diagnostics;
using LiveInsight.Testing;

namespace LiveInsight.AppHost.Tests;

/// <summary>The short variant of <c>./liveinsight chaos</c> (issue 21): real processes killed under load, on the
/// suite's Debug build; every fault must end "lost=0 doubled=0", in the rollups and in the lake.</summary>
public sealed class ChaosTests
{
    [Fact]
    public async Task Killing_apis_aggregators_redis_and_dynalite_under_load_loses_and_doubles_nothing()
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = RepositoryPaths.Root, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "bench/chaos.mjs", "90", "--no-write" })
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["CHAOS_CONFIGURATION"] = "Debug";
        start.Environment["CHAOS_RATE"] = "100";
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("the chaos run took more than 8 minutes:\n" + await stderr);
        }

        var output = await stdout;
        var report = $"{output}\n{await stderr}";
        Assert.True(process.ExitCode == 0, $"chaos exited {process.ExitCode}:\n{report}");
        var faults = output.Split('\n').Where(l => l.StartsWith("fault=", StringComparison.Ordinal)).ToList();
        var expected = new List<string> { "api-kill", "aggregator-kill", "redis-kill", "dynalite-kill", "aggregator-stop" };
        if (Environment.UserName == "root")
        {
            expected.Add("disk-full"); // it mounts a tmpfs of its own for Redis, which needs root (CI runs as root)
        }

        foreach (var fault in expected)
        {
            var line = faults.SingleOrDefault(l => l.StartsWith($"fault={fault} ", StringComparison.Ordinal));
            Assert.True(line is not null, $"no line for {fault}:\n{report}");
            Assert.EndsWith("lost=0 doubled=0", line.TrimEnd());
            Assert.Contains("lake_lost=0 lake_doubled=0", line);
            Assert.DoesNotContain("accepted=0 ", line);
        }

        Assert.Contains("source=Google", output);
    }
}
