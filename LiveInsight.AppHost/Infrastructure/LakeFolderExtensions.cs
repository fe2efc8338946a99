namespace LiveInsight.AppHost.Infrastructure;

/// <summary>The event lake's folder when the system runs here: <c>&lt;repo&gt;/.data/lake</c> (git-ignored), the same
/// absolute path for the aggregator, which writes it, and the Api, which queries it. A published manifest turns the
/// lake off: a task's disk is neither shared nor kept, and the container's app folder is not writable by its user
/// (the lake moves to S3 in a later slice of issue 17).</summary>
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
            else
            {
                context.EnvironmentVariables["Lake__Enabled"] = "false";
            }
        });
    }
}
