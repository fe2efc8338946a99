namespace LiveInsight.Testing;

public static class RepositoryPaths
{
    /// <summary>The folder holding LiveInsight.sln, found by walking up from the test binaries.</summary>
    public static string Root { get; } = FindRoot();

    public static string DynaliteCli => Path.Combine(Root, "node_modules", "dynalite", "cli.js");

    public static string MaildevCli => Path.Combine(Root, "node_modules", "maildev", "dist", "bin", "maildev.js");
    public static string S3rverCli => Path.Combine(Root, "node_modules", "s3rver", "bin", "s3rver.js");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LiveInsight.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("LiveInsight.sln not found above " + AppContext.BaseDirectory);
    }
}
