using System.Text.RegularExpressions;
using LiveInsight.Deploy.Template;

namespace LiveInsight.Deploy.Tests;

/// <summary>
/// The other half of least privilege: a DynamoDB call a service makes but its role lacks fails only in AWS (the
/// emulator checks no IAM). So every call in a service's own code must name an action granted to that service.
/// </summary>
public sealed partial class GrantCoverageTests
{
    public static TheoryData<string> Services() => new(ServiceCatalog.All.Select(s => s.Name));

    [Theory]
    [MemberData(nameof(Services))]
    public void Every_DynamoDB_call_in_a_services_code_is_granted_to_its_role(string name)
    {
        var spec = ServiceCatalog.For(name);
        var project = Path.Combine(Root(), "LiveInsight." + char.ToUpperInvariant(name[0]) + name[1..]);
        Assert.True(Directory.Exists(project), project);
        var called = Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories)
            .Where(path => !path.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}") && !path.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}"))
            .SelectMany(path => DynamoCall().Matches(File.ReadAllText(path)).Select(m => m.Groups[1].Value))
            .ToHashSet();
        var granted = spec.AllGrants.SelectMany(g => g.Actions).ToHashSet();

        Assert.Empty(called.Except(granted).Order());
    }

    [GeneratedRegex(@"\bdynamo\.(\w+)Async\(")]
    private static partial Regex DynamoCall();

    private static string Root()
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
