using System.Net;
using System.Text.Json;
using LiveInsight.Api.Ingestion;
using LiveInsight.Api.Ingestion.Enrichment;
using LiveInsight.Api.Ingestion.Pipeline;
using LiveInsight.Core.Sites;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LiveInsight.Api.Tests.Ingestion;

/// <summary>The ingestion pipeline without HTTP or Redis: one case per drop reason and per enrichment.</summary>
public sealed class PipelineTests
{
    private const string Chrome = EventPosting.ChromeOnWindows;
    private const string IPhone =
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1";
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private static readonly UserAgentParser Parser = new();
    private static readonly CountryLookup Countries = new();

    // The order the Api runs, from the one list (IngestPipeline.Order), with the enrichment data loaded once.
    private static readonly IngestPipeline Pipeline = IngestPipeline.AddTo(
        new ServiceCollection().AddSingleton(Parser).AddSingleton(Countries)).BuildServiceProvider().GetRequiredService<IngestPipeline>();

    private static readonly Site TestSite = new("site1", "Test", ["example.com"], "pk_x", "hash", "UTC", true, Now)
    {
        ExcludedPaths = ["/admin/**", "/preview/*"],
        ExcludedIpRanges = ["203.0.113.0/24", "2001:db8::/32"],
    };

    private static (IngestContext Request, IngestEvent Event) Run(
        Action<IncomingEvent>? edit = null, string userAgent = Chrome, string ip = "8.8.8.8", bool dnt = false,
        bool hashRouting = false, Site? site = null)
    {
        var raw = new IncomingEvent
        {
            Id = "0b4e7c8e-5a7e-4f55-9d2c-3f1f0f6b2a11",
            EventType = "page_view",
            PageUrl = "https://example.com/docs/",
            SessionId = "sess1",
            Timestamp = Now.ToUnixTimeMilliseconds(),
        };
        edit?.Invoke(raw);
        var salts = new Dictionary<DateOnly, byte[]>
        {
            [DateOnly.FromDateTime(Now.UtcDateTime)] = new byte[16],
            [DateOnly.FromDateTime(Now.UtcDateTime).AddDays(-1)] = Enumerable.Repeat((byte)1, 16).ToArray(),
        };
        var request = new IngestContext(site ?? TestSite, Now, IPAddress.Parse(ip), userAgent, dnt, hashRouting, salts);
        var e = new IngestEvent(raw);
        Pipeline.Run(request, [e]);
        return (request, e);
    }

    public static TheoryData<string, DropReason> Drops => new()
    {
        { "googlebot", DropReason.Bot },
        { "headless", DropReason.Bot },
        { "curl", DropReason.Bot },
        { "no user agent", DropReason.Bot },
        { "dnt", DropReason.DoNotTrack },
        { "excluded ipv4", DropReason.ExcludedIp },
        { "excluded ipv6", DropReason.ExcludedIp },
        { "unknown type", DropReason.UnknownEventType },
        { "missing type", DropReason.UnknownEventType },
        { "custom without name", DropReason.InvalidEvent },
        { "bad id", DropReason.InvalidEvent },
        { "stale", DropReason.StaleTimestamp },
        { "javascript url", DropReason.InvalidUrl },
        { "relative url", DropReason.InvalidUrl },
        { "missing url", DropReason.InvalidUrl },
        { "excluded deep path", DropReason.ExcludedPath },
        { "excluded one segment", DropReason.ExcludedPath },
        { "foreign host", DropReason.ForeignHost },
        { "subdomain not allowed", DropReason.ForeignHost },
        { "lookalike host", DropReason.ForeignHost },
    };

    [Theory]
    [MemberData(nameof(Drops))]
    public void Each_drop_reason(string scenario, DropReason expected)
    {
        var (_, e) = scenario switch
        {
            "googlebot" => Run(userAgent: "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"),
            "headless" => Run(userAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.0.0 Safari/537.36"),
            "curl" => Run(userAgent: "curl/8.5.0"),
            "no user agent" => Run(userAgent: ""),
            "dnt" => Run(dnt: true),
            "excluded ipv4" => Run(ip: "203.0.113.9"),
            "excluded ipv6" => Run(ip: "2001:db8::1"),
            "unknown type" => Run(r => r.EventType = "purchase"),
            "missing type" => Run(r => r.EventType = null),
            "custom without name" => Run(r => r.EventType = "custom"),
            "bad id" => Run(r => r.Id = "<script>"),
            "stale" => Run(r => r.Timestamp = Now.AddHours(-25).ToUnixTimeMilliseconds()),
            "javascript url" => Run(r => r.PageUrl = "javascript:alert(1)"),
            "relative url" => Run(r => r.PageUrl = "/docs"),
            "missing url" => Run(r => r.PageUrl = null),
            "excluded deep path" => Run(r => r.PageUrl = "https://example.com/admin/users/7/edit"),
            "excluded one segment" => Run(r => r.PageUrl = "https://example.com/preview/draft-1"),
            "foreign host" => Run(r => r.PageUrl = "https://attacker.example/forged"),
            "subdomain not allowed" => Run(r => r.PageUrl = "https://blog.example.com/"),
            "lookalike host" => Run(r => r.PageUrl = "https://evilexample.com/"),
            _ => throw new ArgumentOutOfRangeException(nameof(scenario)),
        };

        Assert.Equal(expected, e.Dropped);
    }

    [Fact]
    public void A_site_that_does_not_honour_dnt_keeps_the_event()
    {
        var (_, e) = Run(dnt: true, site: TestSite with { HonorDoNotTrack = false });

        Assert.Null(e.Dropped);
    }

    [Theory]
    [InlineData("https://example.com/", false)]
    [InlineData("https://WWW.Example.com:8443/", false)]
    [InlineData("https://blog.example.com/", true)]
    [InlineData("https://a.b.example.com/", true)]
    public void Pages_on_the_sites_domains_are_kept_with_www_and_with_subdomains_when_allowed(string url, bool allowSubdomains)
    {
        var (_, e) = Run(r => r.PageUrl = url, site: TestSite with { AllowSubdomains = allowSubdomains });

        Assert.Null(e.Dropped);
    }

    [Fact]
    public void The_registered_pipeline_checks_the_page_host_right_after_reading_the_page()
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddIngestion();
        var names = builder.Services.BuildServiceProvider().GetRequiredService<IngestPipeline>().Steps.Select(s => s.GetType().Name).ToList();

        Assert.Equal(IngestPipeline.Order.Select(t => t.Name), names);
        Assert.Equal(names.IndexOf(nameof(PutPage)) + 1, names.IndexOf(nameof(DropForeignHost)));
    }

    [Fact]
    public void Request_wide_steps_run_once_per_request_and_drop_the_whole_batch()
    {
        var request = new IngestContext(TestSite, Now, IPAddress.Parse("8.8.8.8"), "Googlebot/2.1 (+http://www.google.com/bot.html)", false, false,
            new Dictionary<DateOnly, byte[]> { [DateOnly.FromDateTime(Now.UtcDateTime)] = new byte[16] });
        var events = Enumerable.Range(0, 3).Select(_ => new IngestEvent(new IncomingEvent { EventType = "page_view", PageUrl = "https://example.com/" })).ToList();

        Pipeline.Run(request, events);

        Assert.All(events, e => Assert.Equal(DropReason.Bot, e.Dropped));
        Assert.Throws<ArgumentException>(() => new IngestPipeline([new PutPage(), new DropDoNotTrack()]));
    }

    [Fact]
    public void The_last_step_clamps_numbers_and_caps_rollup_values()
    {
        var (_, e) = Run(r => { r.ScreenWidth = 1_000_000; r.ScrollDepth = 250; r.EngagedMs = -5; r.PageUrl = "https://example.com/" + new string('é', 2000); });

        Assert.Equal((IngestionLimits.MaxScreenWidth, 100, 0L), (e.ScreenWidth, e.ScrollDepth, e.EngagedMs));
        Assert.True(System.Text.Encoding.UTF8.GetByteCount(e.Page!.Path) <= Core.Stats.RollupLayout.MaxValueBytes);
    }

    [Fact]
    public void A_deeper_path_below_a_one_segment_pattern_is_not_excluded()
    {
        var (_, e) = Run(r => r.PageUrl = "https://example.com/preview/draft-1/comments");

        Assert.Null(e.Dropped);
    }

    [Fact]
    public void User_agent_enrichment()
    {
        var (desktop, desktopEvent) = Run();
        var (phone, phoneEvent) = Run(userAgent: IPhone, edit: r => r.ScreenWidth = 390);

        Assert.Equal(("Chrome", "Windows", "desktop"), (desktop.UserAgentInfo!.Browser, desktop.UserAgentInfo.Os, desktopEvent.Device));
        Assert.Equal(("Mobile Safari", "iOS", "mobile"), (phone.UserAgentInfo!.Browser, phone.UserAgentInfo.Os, phoneEvent.Device));
    }

    [Theory]
    [InlineData("https://www.google.com/search?q=x", "Google", "search")]
    [InlineData("https://t.co/abc", "X", "social")]
    [InlineData("", "Direct", "direct")]
    [InlineData("https://blog.other.org/post", "blog.other.org", "referral")]
    public void Referrer_source_enrichment(string referrer, string source, string medium)
    {
        var (_, e) = Run(r => r.Referrer = referrer);

        Assert.Equal((source, medium), (e.Source!.Source, e.Source.Medium));
    }

    [Fact]
    public void Utm_parameters_are_kept_and_win_over_the_referrer()
    {
        var (_, e) = Run(r =>
        {
            r.PageUrl = "https://example.com/landing?utm_source=newsletter&utm_medium=email&utm_campaign=spring&id=42";
            r.Referrer = "https://www.google.com/";
        });

        Assert.Equal("/landing", e.Page!.Path);
        Assert.Equal(("newsletter", "email", "spring"), (e.Page.Utm.Source, e.Page.Utm.Medium, e.Page.Utm.Campaign));
        Assert.Equal("newsletter", e.Source!.Source);
    }

    [Theory]
    [InlineData("https://example.com/docs/?page=2", false, "/docs")]
    [InlineData("https://example.com/", false, "/")]
    [InlineData("https://example.com/app/#/users/7", false, "/app")]
    [InlineData("https://example.com/app/#/users/7", true, "/app/#/users/7")]
    public void Path_normalisation(string url, bool hashRouting, string path)
    {
        var (_, e) = Run(r => r.PageUrl = url, hashRouting: hashRouting);

        Assert.Equal(path, e.Page!.Path);
    }

    [Theory]
    [InlineData("8.8.8.8", "US")]
    [InlineData("127.0.0.1", null)]
    public void Country_enrichment(string ip, string? country)
    {
        var (request, _) = Run(ip: ip);

        Assert.Equal(country, request.Country);
    }

    [Fact]
    public void A_timestamp_far_in_the_future_is_replaced_by_the_receive_time_and_a_recent_one_is_kept()
    {
        var (_, future) = Run(r => r.Timestamp = Now.AddHours(3).ToUnixTimeMilliseconds());
        var (_, offline) = Run(r => r.Timestamp = Now.AddHours(-20).ToUnixTimeMilliseconds());
        var (_, missing) = Run(r => r.Timestamp = null);

        Assert.Equal(Now, future.Timestamp);
        Assert.Equal(Now.AddHours(-20), offline.Timestamp);
        Assert.Equal(Now, missing.Timestamp);
    }

    [Fact]
    public void The_visitor_id_is_stable_within_a_day_and_differs_across_midnight_ip_and_user_agent()
    {
        var (_, first) = Run();
        var (_, again) = Run(r => r.Id = Guid.NewGuid().ToString());
        var (_, yesterday) = Run(r => r.Timestamp = Now.AddHours(-13).ToUnixTimeMilliseconds());
        var (_, otherIp) = Run(ip: "1.1.1.1");
        var (_, otherAgent) = Run(userAgent: IPhone);

        Assert.Equal(first.VisitorId, again.VisitorId);
        Assert.NotEqual(first.VisitorId, yesterday.VisitorId);
        Assert.NotEqual(first.VisitorId, otherIp.VisitorId);
        Assert.NotEqual(first.VisitorId, otherAgent.VisitorId);
    }

    [Fact]
    public void Props_are_capped_in_count_and_length()
    {
        var (_, e) = Run(r =>
        {
            r.EventType = "custom";
            r.Name = "Signup";
            r.Props = Enumerable.Range(0, 40).ToDictionary(
                i => $"key{i}" + new string('k', 60),
                i => JsonSerializer.SerializeToElement(new string('v', 600)));
        });

        Assert.Null(e.Dropped);
        Assert.Equal(30, e.Props!.Count);
        Assert.All(e.Props, p => Assert.True(p.Key.Length <= 50 && p.Value.Length <= 500));
    }
}
