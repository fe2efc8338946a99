namespace LiveInsight.Api.Ingestion.Enrichment;

/// <summary>Turns a page view's referrer and campaign parameters into one traffic source.</summary>
public static class ReferrerClassifier
{
    private const string AndroidAppScheme = "android-app";

    /// <param name="pageHost">The host of the page being viewed (see <see cref="PageUrl.Host"/>).</param>
    public static TrafficSource Classify(string? referrer, string pageHost, Utm utm)
    {
        var (host, isApp) = Parse(referrer);
        var isInternal = host is not null && !isApp && SameSite(host, pageHost);
        var externalHost = isInternal ? null : host;

        // A tagged link names its source explicitly; that beats whatever page the click came from.
        if (utm.Source is { } source)
        {
            return new TrafficSource(KnownSources.NameOf(source), utm.Medium ?? "campaign", externalHost);
        }

        if (host is null)
        {
            return TrafficSource.Direct;
        }

        if (isApp)
        {
            return KnownSources.FindAndroidApp(host) is { } app
                ? new TrafficSource(app.Name, app.Medium, host)
                : new TrafficSource(host, "app", host);
        }

        if (isInternal)
        {
            return TrafficSource.Internal;
        }

        return KnownSources.FindHost(host) is { } known
            ? new TrafficSource(known.Name, known.Medium, host)
            : new TrafficSource(WithoutWww(host), "referral", host);
    }

    // Only web pages and Android apps (which send "android-app://package") say where a visitor came from;
    // about:, file:, chrome-extension: and garbage count as no referrer.
    private static (string? Host, bool IsApp) Parse(string? referrer)
    {
        if (string.IsNullOrWhiteSpace(referrer)
            || !Uri.TryCreate(referrer.Trim(), UriKind.Absolute, out var uri)
            || string.IsNullOrEmpty(uri.Host))
        {
            return (null, false);
        }

        var isWeb = uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps;
        var isApp = uri.Scheme == AndroidAppScheme;
        return isWeb || isApp ? (uri.IdnHost.ToLowerInvariant(), isApp) : (null, false);
    }

    private static bool SameSite(string referrerHost, string pageHost) =>
        string.Equals(WithoutWww(referrerHost), WithoutWww(pageHost), StringComparison.OrdinalIgnoreCase);

    private static string WithoutWww(string host) => host.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? host[4..] : host;
}
