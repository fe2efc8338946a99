using System.Collections.Frozen;

namespace LiveInsight.Api.Ingestion.Enrichment;

/// <summary>
/// Referrers and utm_source values worth a proper name. Host patterns are a registrable domain matched with its
/// subdomains ("facebook.com" covers "l.facebook.com"), or "name.*" for brands with a domain per country.
/// </summary>
internal static class KnownSources
{
    internal sealed record Row(string Name, string Medium, string[] Hosts, string[] Aliases, string[]? AndroidApps = null);

    // Most specific first: the first matching row wins, so "gemini.google.com" is not taken for Google search.
    private static readonly Row[] Rows =
    [
        new("ChatGPT", "ai", ["chatgpt.com", "chat.openai.com"], ["chatgpt", "openai"], ["com.openai.chatgpt"]),
        new("Perplexity", "ai", ["perplexity.ai"], ["perplexity"], ["ai.perplexity.app.android"]),
        new("Gemini", "ai", ["gemini.google.com"], ["gemini"]),
        new("Claude", "ai", ["claude.ai"], ["claude"]),
        new("Copilot", "ai", ["copilot.microsoft.com"], ["copilot"]),
        new("Gmail", "email", ["mail.google.com"], ["gmail"], ["com.google.android.gm"]),
        new("Google", "search", ["google.*"], ["google"], ["com.google.android.googlequicksearchbox"]),
        new("Bing", "search", ["bing.com"], ["bing"]),
        new("DuckDuckGo", "search", ["duckduckgo.com"], ["duckduckgo", "ddg"], ["com.duckduckgo.mobile.android"]),
        new("Yahoo", "search", ["search.yahoo.*"], ["yahoo"]),
        new("Yandex", "search", ["yandex.*", "ya.ru"], ["yandex"]),
        new("Baidu", "search", ["baidu.com"], ["baidu"]),
        new("Ecosia", "search", ["ecosia.org"], ["ecosia"]),
        new("Brave", "search", ["search.brave.com"], ["brave"]),
        new("Facebook", "social", ["facebook.com", "fb.com", "fb.me"], ["facebook", "fb"], ["com.facebook.katana"]),
        new("Instagram", "social", ["instagram.com"], ["instagram", "ig"], ["com.instagram.android"]),
        new("X", "social", ["x.com", "twitter.com", "t.co"], ["x", "twitter"], ["com.twitter.android"]),
        new("LinkedIn", "social", ["linkedin.com", "lnkd.in"], ["linkedin"], ["com.linkedin.android"]),
        new("Reddit", "social", ["reddit.com"], ["reddit"], ["com.reddit.frontpage"]),
        new("Hacker News", "social", ["news.ycombinator.com"], ["hackernews", "hacker news", "hn", "ycombinator"]),
        new("YouTube", "social", ["youtube.com", "youtu.be"], ["youtube", "yt"], ["com.google.android.youtube"]),
        new("Pinterest", "social", ["pinterest.*", "pin.it"], ["pinterest"]),
        new("TikTok", "social", ["tiktok.com"], ["tiktok"]),
        new("GitHub", "referral", ["github.com"], ["github"]),
    ];

    // Second-level labels under which country-code domains are sold ("google.co.uk", "yandex.com.tr").
    private static readonly FrozenSet<string> SecondLevels =
        FrozenSet.ToFrozenSet(["co", "com", "net", "org", "ac", "edu", "gov", "gob", "ne", "or"]);

    private static readonly FrozenDictionary<string, Row> ByAlias = Rows
        .SelectMany(row => row.Aliases.Append(row.Name).Distinct(StringComparer.OrdinalIgnoreCase).Select(alias => (alias, row)))
        .ToFrozenDictionary(pair => pair.alias, pair => pair.row, StringComparer.OrdinalIgnoreCase);

    private static readonly FrozenDictionary<string, Row> ByAndroidApp = Rows
        .SelectMany(row => (row.AndroidApps ?? []).Select(app => (app, row)))
        .ToFrozenDictionary(pair => pair.app, pair => pair.row, StringComparer.OrdinalIgnoreCase);

    /// <summary>The names of the known sources of one medium ("search", "social"): what the query API's channels use.</summary>
    public static List<string> NamesOf(string medium) => Rows.Where(row => row.Medium == medium).Select(row => row.Name).ToList();

    /// <param name="host">Lower case.</param>
    public static Row? FindHost(string host) => Array.Find(Rows, row => Array.Exists(row.Hosts, pattern => Matches(host, pattern)));

    public static Row? FindAndroidApp(string package) => ByAndroidApp.GetValueOrDefault(package);

    /// <summary>"fb", "Facebook" and "m.facebook.com" all name Facebook; anything else is kept as written.</summary>
    public static string NameOf(string utmSource) =>
        ByAlias.GetValueOrDefault(utmSource)?.Name ?? FindHost(utmSource.ToLowerInvariant())?.Name ?? utmSource;

    private static bool Matches(string host, string pattern)
    {
        if (!pattern.EndsWith(".*", StringComparison.Ordinal))
        {
            return host == pattern || (host.EndsWith(pattern, StringComparison.Ordinal) && host[^(pattern.Length + 1)] == '.');
        }

        var name = pattern.AsSpan(0, pattern.Length - 2);
        // Find "name." at a label boundary, then accept only a country-like suffix after it.
        for (var start = 0; host.AsSpan(start).IndexOf(name) is var found and >= 0; start += found + 1)
        {
            var at = start + found;
            if ((at == 0 || host[at - 1] == '.') && host.AsSpan(at + name.Length) is ['.', .. var suffix] && IsPublicSuffix(suffix))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsPublicSuffix(ReadOnlySpan<char> suffix)
    {
        var dot = suffix.IndexOf('.');
        if (dot < 0)
        {
            return suffix.Length >= 2 && !suffix.ContainsAnyExceptInRange('a', 'z');
        }

        var country = suffix[(dot + 1)..];
        return SecondLevels.GetAlternateLookup<ReadOnlySpan<char>>().Contains(suffix[..dot])
            && country.Length == 2 && !country.ContainsAnyExceptInRange('a', 'z');
    }
}
