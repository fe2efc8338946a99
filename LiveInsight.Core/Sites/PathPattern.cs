namespace LiveInsight.Core.Sites;

/// <summary>
/// Plausible-style path patterns for exclusions and filters: <c>*</c> matches any run of characters within one path
/// segment, <c>**</c> any run across segments; everything else matches literally (case-sensitive, as paths are).
/// </summary>
/// <remarks>
/// Matching runs the pattern over the set of path positions reachable so far (a Thompson-style simulation), so its
/// cost is at most (pattern tokens + 1) × (path length + 1) steps, whatever the stars. A backtracking matcher took
/// seconds per event for <c>/**a**a**a**a**a**a**b</c> against a 40-character path, and every event of a site pays
/// for each of its patterns.
/// </remarks>
public static class PathPattern
{
    public const int MaxLength = 200;

    private const int StackLimit = 512;

    public static bool IsValid(string pattern) =>
        pattern.Length is > 0 and <= MaxLength && pattern.StartsWith('/') && !pattern.Contains("***", StringComparison.Ordinal);

    public static bool Matches(string pattern, string path) => Matches(pattern, path, out _);

    /// <param name="steps">Path positions visited, for tests that bound the work: never above
    /// (pattern length + 1) × (path length + 1).</param>
    public static bool Matches(string pattern, string path, out long steps)
    {
        steps = 0;
        if (!pattern.Contains('*'))
        {
            steps = 1;
            return string.Equals(pattern, path, StringComparison.Ordinal);
        }

        var n = path.Length;
        var small = n + 1 <= StackLimit;
        Span<bool> current = small ? stackalloc bool[n + 1] : new bool[n + 1];
        Span<bool> next = small ? stackalloc bool[n + 1] : new bool[n + 1];
        current.Clear();
        current[0] = true;

        // Reachable positions only ever lie in [low, n]: literals move them right, stars never move them left.
        var low = 0;
        for (var p = 0; p < pattern.Length; p++)
        {
            next.Clear();
            var any = false;
            if (pattern[p] == '*')
            {
                var crossesSegments = p + 1 < pattern.Length && pattern[p + 1] == '*';
                if (crossesSegments)
                {
                    p++;
                }

                // A star reaches every position from a reachable one onwards, stopping after a '/' unless it is "**".
                var running = false;
                for (var j = low; j <= n; j++)
                {
                    steps++;
                    running |= current[j];
                    next[j] = running;
                    any |= running;
                    if (running && !crossesSegments && j < n && path[j] == '/')
                    {
                        running = false;
                    }
                }
            }
            else
            {
                var c = pattern[p];
                for (var j = low; j < n; j++)
                {
                    steps++;
                    if (current[j] && path[j] == c)
                    {
                        next[j + 1] = true;
                        any = true;
                    }
                }

                low++;
            }

            if (!any || low > n)
            {
                return false;
            }

            var swap = current;
            current = next;
            next = swap;
        }

        return current[n];
    }

    /// <summary>
    /// The pattern as an RE2 (and .NET) regular expression for a full match: <c>**</c> becomes <c>.*</c>, <c>*</c>
    /// <c>[^/]*</c>, and every other ASCII character but letters, digits and <c>_</c> is escaped, so nothing in the
    /// pattern can be read as regex syntax. The query engine gets it as a parameter, never as SQL text.
    /// </summary>
    public static string ToRegex(string pattern)
    {
        var regex = new System.Text.StringBuilder("(?s)", pattern.Length * 2 + 4);
        for (var i = 0; i < pattern.Length; i++)
        {
            var c = pattern[i];
            if (c == '*')
            {
                var crossesSegments = i + 1 < pattern.Length && pattern[i + 1] == '*';
                regex.Append(crossesSegments ? ".*" : "[^/]*");
                i += crossesSegments ? 1 : 0;
            }
            else if (c < 128 && !char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                regex.Append('\\').Append(c);
            }
            else
            {
                regex.Append(c);
            }
        }

        return regex.ToString();
    }
}
