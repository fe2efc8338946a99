using System.Text.Json;
using System.Text.Json.Nodes;

namespace LiveInsight.Deploy.Manifest;

/// <summary>One <c>project.v0</c> resource of the manifest: a service to run on ECS, with its environment as
/// Aspire wrote it (values may hold <c>{resource.path}</c> placeholders).</summary>
public sealed record ManifestProject(string Name, string Path, IReadOnlyList<KeyValuePair<string, string>> Environment);

/// <summary>The parts of Aspire's manifest (<c>--publisher manifest</c>) that the ECS template is built from.</summary>
public sealed record AspireManifest(
    IReadOnlyList<ManifestProject> Projects,
    IReadOnlyDictionary<string, string> ResourceTypes,
    IReadOnlySet<string> SecretParameters)
{
    public static AspireManifest Load(string path) => Parse(File.ReadAllText(path));

    public static AspireManifest Parse(string json)
    {
        var resources = JsonNode.Parse(json)?["resources"]?.AsObject()
            ?? throw new FormatException("Not an Aspire manifest: no \"resources\" object.");
        var projects = new List<ManifestProject>();
        var types = new Dictionary<string, string>();
        var secrets = new HashSet<string>();
        foreach (var (name, node) in resources)
        {
            var type = node?["type"]?.GetValue<string>() ?? throw new FormatException($"Resource '{name}' has no type.");
            types[name] = type;
            if (type == "parameter.v0" && node!["inputs"]?["value"]?["secret"]?.GetValue<bool>() == true)
            {
                secrets.Add(name);
            }

            if (type == "project.v0")
            {
                var env = node!["env"]?.AsObject()
                    .Select(pair => KeyValuePair.Create(pair.Key, pair.Value?.GetValue<string>() ?? ""))
                    .ToList() ?? [];
                projects.Add(new ManifestProject(name, node["path"]?.GetValue<string>() ?? "", env));
            }
        }

        return new AspireManifest(projects, types, secrets);
    }

    public static JsonSerializerOptions JsonOptions { get; } = new() { WriteIndented = true };
}
