using LiveInsight.Deploy.Manifest;
using LiveInsight.Deploy.Template;

// Usage: LiveInsight.Deploy <aspire-manifest.json> <output.cfn.json>
if (args.Length != 2)
{
    Console.Error.WriteLine("usage: LiveInsight.Deploy <aspire-manifest.json> <output.cfn.json>");
    return 2;
}

var manifest = AspireManifest.Load(args[0]);
var generator = new TemplateGenerator(manifest);
var template = generator.Generate();
var output = Path.GetFullPath(args[1]);
Directory.CreateDirectory(Path.GetDirectoryName(output)!);
File.WriteAllText(output, template.ToJsonString() + "\n");
foreach (var dropped in generator.Dropped)
{
    Console.Error.WriteLine($"left out {dropped.Name}: {dropped.Reason}");
}

Console.Error.WriteLine($"wrote {output}: {template.Resources.Count} resources");
return 0;
