using System.Diagnostics;
using System.Text.Json;
using LiveInsight.Testing;

namespace LiveInsight.AppHost.Tests;

/// <summary>The Aspire manifest is what operators publish to ECS from: it must describe every resource.</summary>
public sealed class ManifestTests
{
    [Fact]
    public async Task The_manifest_names_all_five_resources_with_their_wiring()
    {
        var output = Path.Combine(Path.GetTempPath(), $"liveinsight-manifest-{Guid.NewGuid():N}.json");
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.Combine(RepositoryPaths.Root, "LiveInsight.AppHost"),
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { "run", "--no-build", "--no-launch-profile", "--", "--publisher", "manifest", "--output-path", output })
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var log = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        Assert.True(process.ExitCode == 0, await log + await errors);

        using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(output));
        File.Delete(output);
        var resources = manifest.RootElement.GetProperty("resources");
        Assert.Equal("container.v0", resources.GetProperty("redis").GetProperty("type").GetString());
        Assert.Equal("container.v0", resources.GetProperty("dynamodb").GetProperty("type").GetString());
        foreach (var project in new[] { "api", "aggregator", "dashboard" })
        {
            Assert.Equal("project.v0", resources.GetProperty(project).GetProperty("type").GetString());
        }

        var apiEnv = resources.GetProperty("api").GetProperty("env");
        Assert.Equal("{redis.connectionString}", apiEnv.GetProperty("ConnectionStrings__redis").GetString());
        Assert.Equal("{dynamodb.connectionString}", apiEnv.GetProperty("ConnectionStrings__dynamodb").GetString());
        Assert.Equal("{admin-token.value}", apiEnv.GetProperty("LiveInsight__AdminToken").GetString());
        Assert.True(resources.GetProperty("admin-token").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
        Assert.Equal("{api.bindings.http.url}",
            resources.GetProperty("dashboard").GetProperty("env").GetProperty("services__api__http__0").GetString());
    }
}
