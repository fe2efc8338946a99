using System.Diagnostics;
using System.Text.Json.Nodes;
using LiveInsight.Deploy.Template;

namespace LiveInsight.Deploy.Tests;

/// <summary>
/// The image each service publishes (<c>dotnet publish -t:PublishContainer</c>), as the SDK computes it from the
/// csproj: chiseled ASP.NET base, non-root user, port 8080, entrypoint the ECS health probe repeats. Building the
/// tarball itself needs the base image's layers from mcr.microsoft.com, which these machines cannot reach (see DEPLOY.md).
/// </summary>
public sealed class ContainerImageTests
{
    public static TheoryData<string> Services() => new(ServiceCatalog.All.Select(s => s.Id));

    [Theory]
    [MemberData(nameof(Services))]
    public async Task Image_is_chiseled_non_root_on_8080_with_the_dll_as_entrypoint(string id)
    {
        var config = await ComputeContainerConfigAsync($"LiveInsight.{id}");
        Assert.Equal("mcr.microsoft.com/dotnet/aspnet:10.0-noble-chiseled", config.Property("ContainerBaseImage"));
        Assert.Equal("app", config.Property("ContainerUser"));
        Assert.Equal($"liveinsight-{id.ToLowerInvariant()}", config.Property("ContainerRepository"));
        Assert.Equal(["8080"], config.Items("ContainerPort"));
        Assert.Equal(["dotnet", $"/app/LiveInsight.{id}.dll"], config.Items("ContainerAppCommand"));
    }

    [Fact]
    public async Task Aggregator_health_check_runs_the_images_own_entrypoint()
    {
        var config = await ComputeContainerConfigAsync("LiveInsight.Aggregator");
        var probe = EcsServices.HealthProbeCommand(ServiceCatalog.Aggregator).Select(n => n!.GetValue<string>()).ToArray();
        Assert.Equal(config.Items("ContainerAppCommand"), probe[1..3]);
    }

    private sealed record ContainerConfig(JsonObject Json)
    {
        public string? Property(string name) => Json["Properties"]?[name]?.GetValue<string>();

        public string[] Items(string name) =>
            Json["Items"]?[name]?.AsArray().Select(i => i!["Identity"]!.GetValue<string>()).ToArray() ?? [];
    }

    private static async Task<ContainerConfig> ComputeContainerConfigAsync(string project)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = TemplateFixture.RepositoryRoot,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[]
                 {
                     "msbuild", Path.Combine(project, project + ".csproj"), "-t:ComputeContainerConfig", "-p:Configuration=Release",
                     "-getProperty:ContainerBaseImage", "-getProperty:ContainerUser", "-getProperty:ContainerRepository",
                     "-getProperty:ContainerPort", "-getItem:ContainerPort", "-getItem:ContainerAppCommand",
                 })
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"dotnet msbuild {project} failed: {output}{error}");
        return new ContainerConfig(JsonNode.Parse(output[output.IndexOf('{')..])!.AsObject());
    }
}
