using LiveInsight.Api.Ingestion.Enrichment;

namespace LiveInsight.Api.Tests.Ingestion.Enrichment;

public sealed class ReferrerClassifierTests
{
    private const string Page = "example.com";

    [Theory]
    // No usable referrer.
    [InlineData(null, "Direct", "direct", null)]
    [InlineData("", "Direct", "direct", null)]
    [InlineData("not a url", "Direct", "direct", null)]
    [InlineData("/relative", "Direct", "direct", null)]
    [InlineData("about:blank", "Direct", "direct", null)]
    [InlineData("file:///C:/page.html", "Direct", "direct", null)]
    [InlineData("chrome-extension://abcdef/popup.html", "Direct", "direct", null)]
    // Navigation inside the site, with or without www.
    [InlineData("https://example.com/pricing", "Direct", "internal", null)]
    [InlineData("https://www.example.com/", "Direct", "internal", null)]
    [InlineData("http://EXAMPLE.com:8080/x", "Direct", "internal", null)]
    // Search engines, including per-country domains.
    [InlineData("https://www.google.com/", "Google", "search", "www.google.com")]
    [InlineData("https://www.google.de/", "Google", "search", "www.google.de")]
    [InlineData("https://google.co.uk/search?q=x", "Google", "search", "google.co.uk")]
    [InlineData("https://www.google.com.br/", "Google", "search", "www.google.com.br")]
    [InlineData("https://www.bing.com/search?q=x", "Bing", "search", "www.bing.com")]
    [InlineData("https://duckduckgo.com/", "DuckDuckGo", "search", "duckduckgo.com")]
    [InlineData("https://search.yahoo.com/", "Yahoo", "search", "search.yahoo.com")]
    [InlineData("https://search.yahoo.co.jp/", "Yahoo", "search", "search.yahoo.co.jp")]
    [InlineData("https://yandex.ru/", "Yandex", "search", "yandex.ru")]
    [InlineData("https://yandex.com/", "Yandex", "search", "yandex.com")]
    [InlineData("https://www.baidu.com/", "Baidu", "search", "www.baidu.com")]
    [InlineData("https://www.ecosia.org/", "Ecosia", "search", "www.ecosia.org")]
    [InlineData("https://search.brave.com/", "Brave", "search", "search.brave.com")]
    // Social networks and their link shorteners.
    [InlineData("https://l.facebook.com/l.php?u=x", "Facebook", "social", "l.facebook.com")]
    [InlineData("https://m.facebook.com/", "Facebook", "social", "m.facebook.com")]
    [InlineData("https://t.co/abc", "X", "social", "t.co")]
    [InlineData("https://x.com/someone", "X", "social", "x.com")]
    [InlineData("https://twitter.com/someone", "X", "social", "twitter.com")]
    [InlineData("https://news.ycombinator.com/item?id=1", "Hacker News", "social", "news.ycombinator.com")]
    [InlineData("https://old.reddit.com/r/dotnet", "Reddit", "social", "old.reddit.com")]
    [InlineData("https://www.linkedin.com/feed", "LinkedIn", "social", "www.linkedin.com")]
    [InlineData("https://lnkd.in/abc", "LinkedIn", "social", "lnkd.in")]
    [InlineData("https://www.youtube.com/watch?v=1", "YouTube", "social", "www.youtube.com")]
    [InlineData("https://www.instagram.com/", "Instagram", "social", "www.instagram.com")]
    [InlineData("https://www.pinterest.de/", "Pinterest", "social", "www.pinterest.de")]
    [InlineData("https://www.tiktok.com/", "TikTok", "social", "www.tiktok.com")]
    // AI assistants, even when they live under a search engine's domain.
    [InlineData("https://chatgpt.com/", "ChatGPT", "ai", "chatgpt.com")]
    [InlineData("https://chat.openai.com/", "ChatGPT", "ai", "chat.openai.com")]
    [InlineData("https://www.perplexity.ai/", "Perplexity", "ai", "www.perplexity.ai")]
    [InlineData("https://gemini.google.com/app", "Gemini", "ai", "gemini.google.com")]
    // Other known sites.
    [InlineData("https://github.com/org/repo", "GitHub", "referral", "github.com")]
    [InlineData("https://mail.google.com/", "Gmail", "email", "mail.google.com")]
    // Look-alikes are not the brand.
    [InlineData("https://notgoogle.com/", "notgoogle.com", "referral", "notgoogle.com")]
    [InlineData("https://google.evil.com/", "google.evil.com", "referral", "google.evil.com")]
    [InlineData("https://facebook.com.evil.io/", "facebook.com.evil.io", "referral", "facebook.com.evil.io")]
    [InlineData("https://myt.co/", "myt.co", "referral", "myt.co")]
    // Unknown sites keep their host, shown without www.
    [InlineData("https://www.some-blog.net/post/1", "some-blog.net", "referral", "www.some-blog.net")]
    [InlineData("https://blog.example.com/", "blog.example.com", "referral", "blog.example.com")]
    // Android apps send their package name.
    [InlineData("android-app://com.google.android.gm", "Gmail", "email", "com.google.android.gm")]
    [InlineData("android-app://com.google.android.googlequicksearchbox/https/www.google.com", "Google", "search", "com.google.android.googlequicksearchbox")]
    [InlineData("android-app://org.example.reader", "org.example.reader", "app", "org.example.reader")]
    public void Referrer_without_campaign(string? referrer, string source, string medium, string? referrerHost)
    {
        Assert.Equal(new TrafficSource(source, medium, referrerHost), ReferrerClassifier.Classify(referrer, Page, Utm.None));
    }

    [Theory]
    [InlineData("newsletter", null, "https://www.google.com/", "newsletter", "campaign", "www.google.com")]
    [InlineData("newsletter", "email", null, "newsletter", "email", null)]
    [InlineData("google", "cpc", "https://www.google.com/", "Google", "cpc", "www.google.com")]
    [InlineData("fb", "paid", null, "Facebook", "paid", null)]
    [InlineData("Facebook", null, null, "Facebook", "campaign", null)]
    [InlineData("HN", null, null, "Hacker News", "campaign", null)]
    [InlineData("m.facebook.com", null, null, "Facebook", "campaign", null)]
    [InlineData("partner", null, "https://example.com/landing", "partner", "campaign", null)]
    public void Campaign_overrides_the_referrer(string source, string? medium, string? referrer, string expectedSource, string expectedMedium, string? referrerHost)
    {
        var utm = new Utm(source, medium, null, null, null);

        Assert.Equal(new TrafficSource(expectedSource, expectedMedium, referrerHost), ReferrerClassifier.Classify(referrer, Page, utm));
    }

    [Fact]
    public void A_www_page_host_treats_the_bare_domain_as_internal()
    {
        Assert.Equal(TrafficSource.Internal, ReferrerClassifier.Classify("https://example.com/", "www.example.com", Utm.None));
    }
}
