using System.Diagnostics;
using LiveInsight.Testing;

namespace LiveInsight.AppHost.Tests;

/// <summary>F5 on a fresh clone: building the AppHost (what an IDE does) installs the pinned npm packages itself, so
/// nothing has to be run by hand first (issue 23).</summary>
public sealed class FreshCloneTests
{
    [Fact]
    public async Task Building_the_apphost_of_a_fresh_clone_without_node_modules_installs_them_and_succeeds()
    {
        var clone = Path.Combine(Path.GetTempPath(), "liveinsight-clone-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            // The committed tree (HEAD), as `git clone` gives it: no node_modules, no build outputs.
            await RunAsync("git", ["clone", "--quiet", "--no-hardlinks", RepositoryPaths.Root, clone], RepositoryPaths.Root, TimeSpan.FromMinutes(2));
            Assert.False(Directory.Exists(Path.Combine(clone, "node_modules")));

            var output = await RunAsync(
                "dotnet", ["build", "LiveInsight.AppHost", "-c", "Debug", "--nologo", "-v", "minimal", "-nodeReuse:false", "--disable-build-servers"],
                clone, TimeSpan.FromMinutes(12));

            Assert.Contains("npm ci", output);
            Assert.True(File.Exists(Path.Combine(clone, "node_modules", ".liveinsight-lock.sha256")));
            Assert.True(File.Exists(Path.Combine(clone, "LiveInsight.Dashboard", "wwwroot", "build", "app.css")));
            Assert.True(File.Exists(Path.Combine(clone, "LiveInsight.Api", "obj", "tracker", "liveinsight.js")));
            Assert.False(Directory.Exists(Path.Combine(clone, ".npm-restore.lock")));
        }
        finally
        {
            if (Directory.Exists(clone))
            {
                Directory.Delete(clone, recursive: true);
            }
        }
    }

    internal static async Task<string> RunAsync(string file, string[] arguments, string workingDirectory, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(file) { WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        // The clone must not borrow anything from the test run's own build (MSBuild passes these to child builds).
        foreach (var name in new[] { "MSBuildExtensionsPath", "MSBUILD_EXE_PATH", "MSBuildSDKsPath", "MSBuildLoadMicrosoftTargetsReadOnly" })
        {
            start.Environment.Remove(name);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cancel = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cancel.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', arguments)} ran past {timeout}");
        }

        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} exited {process.ExitCode}:\n{output}");
        return output;
    }
}

/// <summary>The benchmark commands' C# scripts (<c>dotnet run bench/x.cs</c>) are built by nothing else, so a change to
/// the code they call could break <c>./liveinsight bench</c> unseen (it did once, in a merge). A class of its own, so it
/// runs beside the fresh-clone build rather than after it.</summary>
public sealed class BenchScriptTests
{
    /// <summary>Built one after another in a configuration of their own, so they never write the Debug outputs the other
    /// tests run from, nor race the Release builds of the chaos test.</summary>
    [Fact]
    public async Task Every_benchmark_script_builds()
    {
        var scripts = Directory.GetFiles(Path.Combine(RepositoryPaths.Root, "bench"), "*.cs").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(scripts);
        foreach (var script in scripts)
        {
            await FreshCloneTests.RunAsync("dotnet", ["build", script, "-c", "BenchCheck", "--nologo", "-v", "quiet", "-clp:ErrorsOnly"],
                RepositoryPaths.Root, TimeSpan.FromMinutes(5));
        }
    }
}
