using System.Reflection;
using System.Text.RegularExpressions;

namespace LiveInsight.Testing;

/// <summary>
/// Finds every Lua script an assembly holds (any static string field, of any visibility, whose text calls
/// <c>redis.call</c>) and every quoted name in it that the layout classes do not produce. Key and field names must come
/// from those classes (interpolated into the script or passed as KEYS/ARGV), so a name typed again inside a script,
/// which a rename would silently leave behind, is found here.
/// </summary>
public static partial class LuaLayout
{
    /// <summary>Quoted strings a script may hold that are not names: empty, flags, Redis command words and arguments.</summary>
    private static readonly HashSet<string> NotNames = ["", "0", "1", "*", "-inf", "+inf"];

    public static IReadOnlyDictionary<string, string> ScriptsIn(Assembly assembly) =>
        assembly.GetTypes()
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly)
                .Where(f => f.FieldType == typeof(string) && !f.Name.Contains('<'))
                .Select(f => (Name: $"{t.FullName}.{f.Name}", Text: f.GetValue(null) as string)))
            .Where(s => s.Text is not null && s.Text.Contains("redis.call(", StringComparison.Ordinal))
            .ToDictionary(s => s.Name, s => s.Text!);

    /// <summary>Every public string constant of the layout classes (and their nested classes), alone and two joined
    /// (a prefix and a name: <c>x:</c> + <c>entry</c>).</summary>
    public static HashSet<string> NamesOf(params Type[] layouts)
    {
        var names = layouts.SelectMany(Nested)
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.Public))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .ToList();
        return [.. names, .. names.SelectMany(a => names.Select(b => a + b))];
    }

    /// <summary>The quoted strings of <paramref name="script"/> that are neither names of the layout nor command words.</summary>
    public static IEnumerable<string> StrangersIn(string script, HashSet<string> names) =>
        Quoted().Matches(WithoutComments(script))
            .Select(m => m.Groups[1].Value)
            .Where(q => !NotNames.Contains(q) && !CommandWord().IsMatch(q) && !names.Contains(q))
            .Distinct();

    /// <summary>Quoted strings typed into the source of a script (a raw string literal that calls <c>redis.call</c>)
    /// rather than interpolated from the layout classes: <c>'pages'</c> is one, <c>'{{F.Pages}}'</c> is not. Searches the
    /// service projects' C# files under <paramref name="root"/>.</summary>
    public static IEnumerable<string> TypedNamesInSources(string root) =>
        Directory.GetDirectories(root, "LiveInsight.*")
            .SelectMany(d => Directory.EnumerateFiles(d, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => TypedNamesIn(File.ReadAllText(f)).Select(q => $"{Path.GetRelativePath(root, f)}: '{q}'"));

    public static IEnumerable<string> TypedNamesIn(string source) =>
        RawString().Matches(source)
            .Select(m => m.Groups[1].Value)
            .Where(script => script.Contains("redis.call(", StringComparison.Ordinal))
            .SelectMany(script => Quoted().Matches(WithoutComments(script)).Select(m => m.Groups[1].Value))
            .Where(q => !NotNames.Contains(q) && !CommandWord().IsMatch(q) && !OnlyInterpolated().IsMatch(q))
            .Distinct();

    private static IEnumerable<Type> Nested(Type type) => [type, .. type.GetNestedTypes().SelectMany(Nested)];

    private static string WithoutComments(string script) => LuaComment().Replace(script, "");

    [GeneratedRegex(@"'([^'\\]*)'")]
    private static partial Regex Quoted();

    [GeneratedRegex("\"\"\"(.*?)\"\"\"", RegexOptions.Singleline)]
    private static partial Regex RawString();

    [GeneratedRegex(@"^(\{\{[^{}]+\}\})+$")]
    private static partial Regex OnlyInterpolated();

    [GeneratedRegex("^[A-Z]+$")]
    private static partial Regex CommandWord();

    [GeneratedRegex("--[^\n]*")]
    private static partial Regex LuaComment();
}
