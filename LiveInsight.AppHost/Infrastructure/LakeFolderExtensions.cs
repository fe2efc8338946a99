namespace LiveInsight.AppHost.Infrastructure;

/// <summary>The event lake's folder when the system runs here: <c>&lt;data dir&gt;/lake</c>, where the data dir is
/// <c>LiveInsight:DataDir</c> as for redis-server and dynalite (default <c>&lt;repo&gt;/.data</c>, git-ignored), the same
/// absolute path for the aggregator, which writes it, and the Api, which queries it. A published manifest puts the lake
/// in S3 (a task's disk is neither shared nor kept, and the container's app folder is not writable by its user):
/// <c>Lake__Path</c> is then only the task's working folder under /tmp, and LiveInsight.Deploy adds the bucket.</summary>
public static class LakeFolderExtensions
{
    public static IResourceBuilder<ProjectResource> WithLakeFolder(this IResourceBuilder<ProjectResource> project)
    {
        var builder = project.ApplicationBuilder;
        var repositoryRoot = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var dataDir = builder.Configuration[InfrastructureExtensions.DataDirSetting] is { Length: > 0 } configured
            ? Path.GetFullPath(configured, repositoryRoot)
            : Path.Combine(repositoryRoot, ".data");
        var path = Path.Combine(dataDir, "lake");
        return project.WithEnvironment(context =>
        {
            if (context.ExecutionContext.IsRunMode)
            {
                context.EnvironmentVariables["Lake__Path"] = path;
            }
            else
            {
                // Published: the lake lives in S3 (the template's bucket, given by LiveInsight.Deploy as
                // Lake__S3__Bucket); a task's own disk holds only working files, in its writable /tmp.
                context.EnvironmentVariables["Lake__Path"] = "/tmp/lake";
            }
        });
    }
}
