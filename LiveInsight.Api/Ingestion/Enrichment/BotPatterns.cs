using System.Text.Json;
using System.Text.RegularExpressions;

namespace LiveInsight.Api.Ingestion.Enrichment;

/// <summary>
/// crawler-user-agents' patterns plus our own (headless browsers, HTTP libraries) as alternations. NonBacktracking
/// keeps matching linear in the input whatever the patterns are, and one pass replaces hundreds of regex runs.
/// NonBacktracking refuses automata estimated above 10,000 nodes (the full list is ~90,000), so the list is halved
/// until each part fits: a handful of alternations rather than raising the process-wide AppContext limit.
/// </summary>
internal sealed class BotPatterns
{
    public const int MaxNameLength = 50;

    private const RegexOptions Options = RegexOptions.NonBacktracking | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    // Automation and HTTP clients that crawler-user-agents does not (reliably) list, but that are never a visitor.
    private static readonly string[] Extra =
    [
        "HeadlessChrome", "PhantomJS", "Puppeteer", "Playwright", "Selenium", "Chrome-Lighthouse", "Lighthouse",
        "curl", "Wget", "python-requests", "Go-http-client", "node-fetch", "axios", "okhttp", "Java/", "libwww-perl",
    ];

    private readonly List<Regex> _parts = [];

    /// <summary>Patterns dropped because NonBacktracking refuses them (lookarounds, backreferences, size) alone.</summary>
    public int Skipped { get; private set; }

    /// <summary>How many alternations the patterns were split into.</summary>
    public int Parts => _parts.Count;

    public static BotPatterns Load(string path)
    {
        using var stream = File.OpenRead(path);
        using var json = JsonDocument.Parse(stream);
        var patterns = json.RootElement.EnumerateArray()
            .Select(e => e.GetProperty("pattern").GetString())
            .OfType<string>()
            .Concat(Extra.Select(Regex.Escape))
            .ToList();

        var bots = new BotPatterns();
        bots.AddAlternation(patterns);
        return bots;
    }

    /// <summary>What the first matching alternation matched (leftmost), trimmed, e.g. "Googlebot"; null for no bot.</summary>
    public string? Match(string userAgent)
    {
        var match = _parts.Select(r => r.Match(userAgent)).FirstOrDefault(m => m.Success);
        if (match is null)
        {
            return null;
        }

        var name = match.Value.Trim(' ', '/', ';', '(', ')');
        return name.Length == 0 ? "bot" : name[..Math.Min(name.Length, MaxNameLength)];
    }

    private void AddAlternation(List<string> patterns)
    {
        try
        {
            _parts.Add(new Regex(string.Join('|', patterns.Select(p => $"(?:{p})")), Options));
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            if (patterns.Count == 1)
            {
                Skipped++;
                return;
            }

            AddAlternation(patterns[..(patterns.Count / 2)]);
            AddAlternation(patterns[(patterns.Count / 2)..]);
        }
    }
}
