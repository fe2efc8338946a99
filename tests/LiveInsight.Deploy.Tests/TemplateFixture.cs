using System.Text.Json.Nodes;
using LiveInsight.Deploy.Manifest;
using LiveInsight.Deploy.Template;

namespace LiveInsight.Deploy.Tests;

/// <summary>The template generated from the committed manifest (deploy/aspire-manifest.json, written by
/// <c>./liveinsight deploy-plan</c>), parsed back from its JSON text as CloudFormation would read it.</summary>
public class TemplateFixture
{
    public TemplateFixture()
        : this(Profile.Standard)
    {
    }

    protected TemplateFixture(Profile profile)
    {
        Profile = profile;
        ManifestJson = File.ReadAllText(Path.Combine(RepositoryRoot, "deploy", "aspire-manifest.json"));
        Generator = new TemplateGenerator(AspireManifest.Parse(ManifestJson), profile);
        Text = Generator.Generate().ToJsonString();
        Template = JsonNode.Parse(Text)!.AsObject();
    }

    public static string RepositoryRoot { get; } = FindRoot();

    public Profile Profile { get; }

    public string ManifestJson { get; }
    public TemplateGenerator Generator { get; }
    public string Text { get; }
    public JsonObject Template { get; }

    public JsonObject Resources => Template["Resources"]!.AsObject();

    public JsonObject Resource(string id) => Resources[id]?.AsObject() ?? throw new KeyNotFoundException($"no resource {id}");

    public JsonObject Properties(string id) => Resource(id)["Properties"]!.AsObject();

    public IEnumerable<(string Id, JsonObject Resource)> OfType(string type) =>
        Resources.Where(r => r.Value!["Type"]!.GetValue<string>() == type).Select(r => (r.Key, r.Value!.AsObject()));

    /// <summary>The service's own container (the first; the aggregator's second one is the collector).</summary>
    public JsonObject Container(ServiceSpec spec) =>
        Properties(EcsServices.TaskDefinitionId(spec))["ContainerDefinitions"]![0]!.AsObject();

    public Dictionary<string, JsonNode> Environment(ServiceSpec spec) =>
        Container(spec)["Environment"]!.AsArray().ToDictionary(e => e!["Name"]!.GetValue<string>(), e => e!["Value"]!);

    /// <summary>The container's secrets, including those that exist only under a condition (<c>Fn::If</c>).</summary>
    public Dictionary<string, JsonNode> Secrets(ServiceSpec spec) =>
        Container(spec)["Secrets"]!.AsArray().Select(Unconditional).ToDictionary(e => e!["Name"]!.GetValue<string>(), e => e!["ValueFrom"]!);

    /// <summary>The item an <c>Fn::If</c> list item stands for when its condition holds, or the item itself.</summary>
    public static JsonNode? Unconditional(JsonNode? item) => item?["Fn::If"] is JsonArray conditional ? conditional[1] : item;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LiveInsight.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("LiveInsight.sln not found above the test directory");
    }
}

[CollectionDefinition(Name)]
public sealed class TemplateCollection : ICollectionFixture<TemplateFixture>
{
    public const string Name = "template";
}

/// <summary>The small profile's template (deploy/liveinsight-small.cfn.json).</summary>
public sealed class SmallTemplateFixture() : TemplateFixture(Profile.Small);

/// <summary>The large profile's template (deploy/liveinsight-large.cfn.json).</summary>
public sealed class LargeTemplateFixture() : TemplateFixture(Profile.Large);

[CollectionDefinition(Name)]
public sealed class SmallTemplateCollection : ICollectionFixture<SmallTemplateFixture>
{
    public const string Name = "small template";
}

[CollectionDefinition(Name)]
public sealed class LargeTemplateCollection : ICollectionFixture<LargeTemplateFixture>
{
    public const string Name = "large template";
}
