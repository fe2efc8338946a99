using System.Net;
using LiveInsight.Api.Ingestion;
using LiveInsight.Api.Ingestion.Enrichment;
using LiveInsight.Api.Ingestion.Pipeline;
using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Tests.Ingestion.Enrichment;

public sealed class DeviceClassifierTests
{
    private const string DesktopChrome = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36";
    private const string IPhone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4.1 Mobile/15E148 Safari/604.1";
    private const string KindleFire = "Mozilla/5.0 (Linux; Android 9; KFTRWI) AppleWebKit/537.36 (KHTML, like Gecko) Silk/124.2.1 like Chrome/124.0.6367.118 Safari/537.36";
    private const string WindowsPhone = "Mozilla/5.0 (Windows Phone 10.0; Android 6.0.1; Microsoft; Lumia 950) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/52.0.2743.116 Mobile Safari/537.36 Edge/15.15063";

    [Theory]
    [InlineData(DesktopChrome, null, DeviceClass.Desktop)]
    [InlineData(DesktopChrome, 1920, DeviceClass.Desktop)]
    [InlineData(DesktopChrome, 1024, DeviceClass.Desktop)]
    [InlineData(DesktopChrome, 1023, DeviceClass.Tablet)] // iPadOS Safari sends a Mac UA; only the width tells
    [InlineData(DesktopChrome, 767, DeviceClass.Mobile)]
    [InlineData(DesktopChrome, 0, DeviceClass.Desktop)] // nonsense width is ignored
    [InlineData(IPhone, 1920, DeviceClass.Mobile)] // the UA wins over the width
    [InlineData(KindleFire, null, DeviceClass.Tablet)]
    [InlineData(WindowsPhone, null, DeviceClass.Mobile)]
    public void User_agent_first_then_screen_width(string userAgent, int? screenWidth, DeviceClass expected)
    {
        var ua = SharedParser.Instance.Parse(userAgent);

        Assert.Equal(expected, DeviceClassifier.Classify(userAgent, ua, screenWidth));
    }

    [Theory]
    [InlineData(DesktopChrome, 767, "mobile")]
    [InlineData(DesktopChrome, null, "desktop")]
    [InlineData(IPhone, 1920, "mobile")]
    [InlineData(KindleFire, null, "tablet")]
    public void The_step_remembers_the_user_agent_verdict_per_user_agent_and_still_applies_the_width(
        string userAgent, int? screenWidth, string expected)
    {
        var step = new PutDevice();

        // The second request finds the User-Agent's verdict cached; the width is applied to each request anew.
        Assert.Equal(expected, Device(step, userAgent, screenWidth));
        Assert.Equal(expected, Device(step, userAgent, screenWidth));
        Assert.Equal(DeviceClassifier.Classify(userAgent, SharedParser.Instance.Parse(userAgent), 1920).ToString().ToLowerInvariant(),
            Device(step, userAgent, 1920));
    }

    [Fact]
    public void A_user_agent_longer_than_the_cache_key_is_classified_from_all_of_it()
    {
        // The parser keys its cache by the first 512 characters; the device tokens after them must still count.
        var padded = "Mozilla/5.0 (X11; Linux x86_64) " + new string('x', UserAgentParser.MaxUserAgentLength);
        var step = new PutDevice();

        Assert.Equal("desktop", Device(step, padded, null));
        Assert.Equal("mobile", Device(step, padded + " iPhone", null));
        Assert.Equal("tablet", Device(step, padded + " iPad", null));
    }

    private static string? Device(PutDevice step, string userAgent, int? screenWidth)
    {
        var site = new Site("site1", "Test", ["example.com"], "pk_x", "hash", "UTC", true, DateTimeOffset.UnixEpoch);
        var request = new IngestContext(site, DateTimeOffset.UnixEpoch, IPAddress.Loopback, userAgent, false, false,
            new Dictionary<DateOnly, byte[]>()) { UserAgentInfo = SharedParser.Instance.Parse(userAgent) };
        var e = new IngestEvent(new IncomingEvent { ScreenWidth = screenWidth });
        step.Run(request, e);
        return e.Device;
    }
}
