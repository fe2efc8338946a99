using System.Diagnostics;
using System.Text.Json;
using LiveInsight.Api.Ingestion.Enrichment;

namespace LiveInsight.Api.Tests.Ingestion.Enrichment;

public sealed class UserAgentParserTests
{
    private static UserAgentParser Parser => SharedParser.Instance;

    [Theory]
    // Chrome on Windows
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Chrome", "124", "Windows", DeviceClass.Desktop, false)]
    // Firefox on Linux
    [InlineData("Mozilla/5.0 (X11; Linux x86_64; rv:125.0) Gecko/20100101 Firefox/125.0",
        "Firefox", "125", "Linux", DeviceClass.Desktop, false)]
    // Safari on macOS
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
        "Safari", "17", "Mac OS X", DeviceClass.Desktop, false)]
    // Mobile Safari on iPhone
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
        "Mobile Safari", "17", "iOS", DeviceClass.Mobile, false)]
    // Chrome on an Android phone (the reduced UA Chrome sends today)
    [InlineData("Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Mobile Safari/537.36",
        "Chrome Mobile", "124", "Android", DeviceClass.Mobile, false)]
    // Samsung Internet
    [InlineData("Mozilla/5.0 (Linux; Android 13; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/24.0 Chrome/117.0.0.0 Mobile Safari/537.36",
        "Samsung Internet", "24", "Android", DeviceClass.Mobile, false)]
    // Edge on Windows
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36 Edg/124.0.2478.51",
        "Edge", "124", "Windows", DeviceClass.Desktop, false)]
    // iPad
    [InlineData("Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
        "Mobile Safari", "16", "iOS", DeviceClass.Tablet, false)]
    // Android tablet: Chrome leaves out "Mobile"
    [InlineData("Mozilla/5.0 (Linux; Android 13; SM-X200) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "Chrome", "124", "Android", DeviceClass.Tablet, false)]
    // Firefox on an Android tablet says "Tablet"
    [InlineData("Mozilla/5.0 (Android 13; Tablet; rv:125.0) Gecko/125.0 Firefox/125.0",
        "Firefox Mobile", "125", "Android", DeviceClass.Tablet, false)]
    // Old desktop IE announcing "Tablet PC" is still a desktop
    [InlineData("Mozilla/5.0 (compatible; MSIE 10.0; Windows NT 6.1; WOW64; Trident/6.0; SLCC2; .NET CLR 2.0.50727; Tablet PC 2.0)",
        "IE", "10", "Windows", DeviceClass.Desktop, false)]
    [InlineData("Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Googlebot", "2", "Other", DeviceClass.Desktop, true)]
    [InlineData("Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
        "bingbot", "2", "Other", DeviceClass.Desktop, true)]
    [InlineData("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/124.0.6367.60 Safari/537.36",
        "HeadlessChrome", "124", "Linux", DeviceClass.Desktop, true)]
    [InlineData("curl/8.5.0", "curl", "8", "Other", DeviceClass.Desktop, true)]
    [InlineData("python-requests/2.31.0", "Python Requests", "2", "Other", DeviceClass.Desktop, true)]
    [InlineData("", "Other", "", "Other", DeviceClass.Desktop, true)]
    [InlineData(null, "Other", "", "Other", DeviceClass.Desktop, true)]
    public void Real_user_agents(string? userAgent, string browser, string major, string os, DeviceClass device, bool isBot)
    {
        var ua = Parser.Parse(userAgent);

        Assert.Equal(browser, ua.Browser);
        Assert.Equal(major, ua.BrowserVersion.Split('.')[0]);
        Assert.Equal(os, ua.Os);
        Assert.Equal(device, DeviceClassifier.Classify(userAgent, ua, screenWidth: null));
        Assert.Equal(isBot, ua.IsBot);
        Assert.Equal(isBot, ua.BotName is not null);
        Assert.True(ua.BotName is null or { Length: > 0 and <= 50 });
    }

    [Theory]
    [InlineData("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Safari/605.1.15",
        "17.4", "10.15", "Mac")]
    [InlineData("Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1",
        "17.4", "17.4", "iPhone")]
    [InlineData("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
        "124.0", "10", "Other")]
    public void Versions_are_major_dot_minor_and_devices_are_uap_families(string userAgent, string browserVersion, string osVersion, string deviceFamily)
    {
        var ua = Parser.Parse(userAgent);

        Assert.Equal(browserVersion, ua.BrowserVersion);
        Assert.Equal(osVersion, ua.OsVersion);
        Assert.Equal(deviceFamily, ua.DeviceFamily);
    }

    [Fact]
    public void Almost_every_regex_compiles_in_dotnet()
    {
        Assert.True(Parser.SkippedUapRegexes < 5, $"{Parser.SkippedUapRegexes} uap-core regexes skipped");
        Assert.True(Parser.SkippedBotPatterns < 5, $"{Parser.SkippedBotPatterns} crawler patterns skipped");
    }

    [Fact]
    public void The_same_user_agent_is_parsed_once()
    {
        var userAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:126.0) Gecko/20100101 Firefox/126.0";

        Assert.Same(Parser.Parse(userAgent), Parser.Parse(new string(userAgent.AsSpan())));
    }

    [Fact]
    public void A_huge_user_agent_is_cut_before_matching()
    {
        var huge = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/124.0.0.0 " + new string('a', 100 * 1024) + " Safari/537.36";
        _ = Parser.Parse("warm up");

        var watch = Stopwatch.StartNew();
        var ua = Parser.Parse(huge);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        Assert.Equal("Chrome", ua.Browser);
    }

    [Fact]
    public void Every_example_in_crawler_user_agents_is_a_bot()
    {
        // The list's own examples: proves the split alternations together still cover every pattern.
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "data", "crawler-user-agents.json")));
        var missed = json.RootElement.EnumerateArray()
            .SelectMany(e => e.TryGetProperty("instances", out var i) ? i.EnumerateArray().Select(x => x.GetString() ?? "") : [])
            .Where(ua => ua.Length > 0 && !Parser.Parse(ua).IsBot)
            .ToList();

        Assert.Empty(missed);
    }
}
