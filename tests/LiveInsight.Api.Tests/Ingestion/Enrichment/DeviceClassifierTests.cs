using LiveInsight.Api.Ingestion.Enrichment;

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
}
