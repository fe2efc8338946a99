namespace LiveInsight.AppHost.Infrastructure;

/// <summary>The event lake's folder when the system runs here: <c>&lt;repo&gt;/.data/lake</c> (git-ignored), the same
/// absolute path for the aggregator, which writes it, and the Api, which queries it. A published manifest keeps each
/// service's own default.</summary>
public static class LakeFolderExtensions
{
    public static IResourceBuilder<ProjectResource> WithLakeFolder(this IResourceBuilder<ProjectResource> project)
    {
        var path = Path.GetFullPath(Path.Combine(project.ApplicationBuilder.AppHostDirectory, "..", ".data", "lake"));
        return project.WithEnvironment(context =>
        {
            if (context.ExecutionContext.IsRunMode)
            {
                context.EnvironmentVariables["Lake__Path"] = path;
            }
        });
    }
}
