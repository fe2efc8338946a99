namespace LiveInsight.Api.Ingestion.Enrichment;

/// <summary>
/// uap-core parsing (browser, OS, device family) and bot detection for a User-Agent header. Thread-safe; meant to be
/// one instance per process, as loading compiles ~1,200 regexes. Results are cached per (capped) User-Agent string.
/// </summary>
public sealed class UserAgentParser
{
    /// <summary>Real User-Agents stay far below this; anything longer is cut before any regex sees it.</summary>
    public const int MaxUserAgentLength = 512;

    /// <summary>Distinct User-Agents kept; past this the least recently used make room (see <see cref="ClockCache{TValue}"/>),
    /// so a flood of made-up User-Agents cannot push out the few hundred that real visitors send.</summary>
    public const int MaxCacheEntries = 10_000;

    private static readonly UserAgentInfo NoUserAgent = new("Other", "", "Other", "", "Other", true, "(no user-agent)");

    private readonly UapRules _uap;
    private readonly BotPatterns _bots;
    private readonly ClockCache<UserAgentInfo> _cache;

    /// <summary>Loads the data files shipped in the Api's output folder (data/).</summary>
    public UserAgentParser()
        : this(
            Path.Combine(AppContext.BaseDirectory, "data", "uap-regexes.yaml"),
            Path.Combine(AppContext.BaseDirectory, "data", "crawler-user-agents.json"))
    {
    }

    public UserAgentParser(string uapRegexesPath, string crawlerUserAgentsPath, int cacheEntries = MaxCacheEntries)
    {
        _cache = new ClockCache<UserAgentInfo>(cacheEntries);
        _uap = UapRules.Load(uapRegexesPath);
        _bots = BotPatterns.Load(crawlerUserAgentsPath);
    }

    /// <summary>uap-core regexes .NET could not compile and left out.</summary>
    public int SkippedUapRegexes => _uap.Skipped;

    /// <summary>Crawler patterns NonBacktracking could not compile and left out.</summary>
    public int SkippedBotPatterns => _bots.Skipped;

    public UserAgentInfo Parse(string? userAgent)
    {
        if (string.IsNullOrWhiteSpace(userAgent))
        {
            return NoUserAgent;
        }

        var key = userAgent.Length > MaxUserAgentLength ? userAgent[..MaxUserAgentLength] : userAgent;
        return _cache.GetOrAdd(key, ParseUncached);
    }

    /// <summary>Whether this User-Agent's result is cached now (for tests and diagnostics).</summary>
    internal bool IsCached(string userAgent) =>
        _cache.Contains(userAgent.Length > MaxUserAgentLength ? userAgent[..MaxUserAgentLength] : userAgent);

    internal int CachedCount => _cache.Count;

    private UserAgentInfo ParseUncached(string userAgent)
    {
        var (browser, browserVersion) = UapRules.FamilyAndVersion(_uap.UserAgent, userAgent);
        var (os, osVersion) = UapRules.FamilyAndVersion(_uap.Os, userAgent);
        var (device, _) = UapRules.FamilyAndVersion(_uap.Device, userAgent);

        var isSpider = device == "Spider";
        var botName = isSpider && browser != "Other" ? browser : _bots.Match(userAgent);
        if (botName is null && isSpider)
        {
            botName = "Spider";
        }

        botName = botName?[..Math.Min(botName.Length, BotPatterns.MaxNameLength)];
        return new UserAgentInfo(browser, browserVersion, os, osVersion, device, botName is not null, botName);
    }
}
