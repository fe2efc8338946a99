namespace LiveInsight.Core.Sites;

/// <summary>
/// Plausible-style path patterns for exclusions and filters: <c>*</c> matches any run of characters within one path
/// segment, <c>**</c> any run across segments; everything else matches literally (case-sensitive, as paths are).
/// </summary>
public static class PathPattern
{
    public const int MaxLength = 200;

    public static bool IsValid(string pattern) =>
        pattern.Length is > 0 and <= MaxLength && pattern.StartsWith('/') && !pattern.Contains("***", StringComparison.Ordinal);

    public static bool Matches(string pattern, string path) => Match(pattern.AsSpan(), path.AsSpan());

    private static bool Match(ReadOnlySpan<char> pattern, ReadOnlySpan<char> path)
    {
        while (!pattern.IsEmpty)
        {
            if (pattern[0] == '*')
            {
                var crossesSegments = pattern.Length > 1 && pattern[1] == '*';
                var rest = pattern[(crossesSegments ? 2 : 1)..];
                for (var i = 0; i <= path.Length; i++)
                {
                    if (Match(rest, path[i..]))
                    {
                        return true;
                    }

                    if (i < path.Length && path[i] == '/' && !crossesSegments)
                    {
                        return false;
                    }
                }

                return false;
            }

            if (path.IsEmpty || pattern[0] != path[0])
            {
                return false;
            }

            pattern = pattern[1..];
            path = path[1..];
        }

        return path.IsEmpty;
    }
}
