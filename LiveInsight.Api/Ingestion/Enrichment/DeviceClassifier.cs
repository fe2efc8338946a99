namespace LiveInsight.Api.Ingestion.Enrichment;

/// <summary>
/// Desktop, mobile or tablet, from the strongest signal available:
/// 1. Tablet when the User-Agent says so: an iPad, Kindle/Silk, PlayBook, a "Tablet;" token (not
///    "Tablet PC", which old desktop IE sends), or Android WITHOUT
///    "Mobile" (Google's rule: Android phones send "Mobile", tablets do not). Checked first because iPad UAs also
///    contain "Mobile/".
/// 2. Mobile when it says so: iPhone/iPod, Windows Phone, BlackBerry, Opera Mini, or a "Mobi" token (MDN's advice).
/// 3. Otherwise the tracker's screen width, when sent: &lt; 768 → Mobile, &lt; 1024 → Tablet. This also catches
///    iPadOS, whose Safari sends a Mac desktop User-Agent.
/// 4. Otherwise Desktop.
/// </summary>
public static class DeviceClassifier
{
    public const int MobileBelowWidth = 768;
    public const int TabletBelowWidth = 1024;

    private static readonly string[] TabletTokens = ["iPad", "Kindle", "Silk/", "PlayBook", "Tablet;"];
    private static readonly string[] MobileTokens = ["iPhone", "iPod", "Windows Phone", "BlackBerry", "BB10", "Opera Mini", "Mobi"];
    private static readonly string[] TabletDevices = ["iPad", "Kindle"];
    private static readonly string[] MobileDevices = ["iPhone", "iPod"];

    public static DeviceClass Classify(string? userAgent, UserAgentInfo ua, int? screenWidth) =>
        FromUserAgent(userAgent, ua) ?? FromScreenWidth(screenWidth);

    /// <summary>Rules 1 and 2: what the User-Agent alone says (null: nothing, the screen width decides). A function of
    /// the User-Agent string only (<paramref name="ua"/> is its parse), so it can be cached per User-Agent.</summary>
    public static DeviceClass? FromUserAgent(string? userAgent, UserAgentInfo ua)
    {
        var raw = userAgent ?? "";
        if (TabletDevices.Any(d => ua.DeviceFamily.StartsWith(d, StringComparison.Ordinal))
            || TabletTokens.Any(t => raw.Contains(t, StringComparison.OrdinalIgnoreCase))
            || (IsAndroid(raw, ua) && !raw.Contains("Mobile", StringComparison.OrdinalIgnoreCase)))
        {
            return DeviceClass.Tablet;
        }

        if (MobileDevices.Any(d => ua.DeviceFamily.StartsWith(d, StringComparison.Ordinal))
            || ua.Os is "Windows Phone" or "BlackBerry OS"
            || MobileTokens.Any(t => raw.Contains(t, StringComparison.OrdinalIgnoreCase)))
        {
            return DeviceClass.Mobile;
        }

        return null;
    }

    /// <summary>Rules 3 and 4: the tracker's screen width, or Desktop.</summary>
    public static DeviceClass FromScreenWidth(int? screenWidth) => screenWidth switch
        {
            > 0 and < MobileBelowWidth => DeviceClass.Mobile,
            > 0 and < TabletBelowWidth => DeviceClass.Tablet,
            _ => DeviceClass.Desktop,
        };

    private static bool IsAndroid(string raw, UserAgentInfo ua) =>
        ua.Os == "Android" || raw.Contains("Android", StringComparison.OrdinalIgnoreCase);
}
