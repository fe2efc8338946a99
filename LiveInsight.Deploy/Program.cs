using LiveInsight.Deploy.Manifest;
using LiveInsight.Deploy.Template;

// Usage: LiveInsight.Deploy <aspire-manifest.json> <output.cfn.json> [--profile small|standard|large]
if (args.Length is not (2 or 4) || (args.Length == 4 && args[2] != "--profile"))
{
    Console.Error.WriteLine("usage: LiveInsight.Deploy <aspire-manifest.json> <output.cfn.json> [--profile small|standard|large]");
    return 2;
}

var profile = args.Length == 4 ? Profiles.Parse(args[3]) : Profile.Standard;
var manifest = AspireManifest.Load(args[0]);
var generator = new TemplateGenerator(manifest, profile);
var template = generator.Generate();
var output = Path.GetFullPath(args[1]);
Directory.CreateDirectory(Path.GetDirectoryName(output)!);
File.WriteAllText(output, template.ToJsonString() + "\n");
foreach (var dropped in generator.Dropped)
{
    Console.Error.WriteLine($"left out {dropped.Name}: {dropped.Reason}");
}

Console.Error.WriteLine($"wrote {output} ({profile.ToString().ToLowerInvariant()} profile): {template.Resources.Count} resources");
return 0;
