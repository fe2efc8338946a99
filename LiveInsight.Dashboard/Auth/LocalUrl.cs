namespace LiveInsight.Dashboard.Auth;

/// <summary>
/// The one check of a return URL, for the login form and single sign-on alike: only a path on this site, never a way
/// to another host. Browsers drop tabs and newlines and read <c>\</c> as <c>/</c>, so <c>/%09/evil.example</c> or
/// <c>/\evil.example</c> would leave the site; the check is a whitelist of characters and runs again on each
/// percent-decoded form, so an encoded <c>/</c>, <c>\</c> or control character fails like a plain one.
/// </summary>
public static class LocalUrl
{
    public const string Root = "/";

    public const int MaxLength = 2048;

    /// <summary>Three rounds of decoding is more than any real link needs; a value still encoded after that is refused.</summary>
    private const int MaxDecodings = 3;

    /// <summary>The URL itself when it is a safe local path, otherwise <see cref="Root"/>.</summary>
    public static string OrRoot(string? url) => IsSafe(url) ? url! : Root;

    public static bool IsSafe(string? url)
    {
        if (url is not { Length: > 0 and <= MaxLength })
        {
            return false;
        }

        var text = url;
        for (var round = 0; round <= MaxDecodings; round++)
        {
            if (!IsSafePath(text))
            {
                return false;
            }

            var decoded = Uri.UnescapeDataString(text);
            if (decoded == text)
            {
                return true;
            }

            text = decoded;
        }

        return false;
    }

    /// <summary>Rooted at one <c>/</c>, no <c>//</c> anywhere, and only the characters a URL path and query need.</summary>
    private static bool IsSafePath(string text) =>
        text[0] == '/' && !text.Contains("//", StringComparison.Ordinal) && text.All(IsSafeChar);

    private static bool IsSafeChar(char c) =>
        c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9')
            or '/' or '-' or '.' or '_' or '~' or '?' or '#' or '=' or '&' or '%' or '+' or ',' or ':' or '@' or '!' or ';';
}
