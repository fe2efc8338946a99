using System.Diagnostics.CodeAnalysis;

namespace LiveInsight.Api.Ingestion.Enrichment;

/// <summary>A page view's URL reduced to what is counted: the host, a normalised path and the campaign.</summary>
/// <param name="Host">Lower case, without port or user info, IDN in punycode (as browsers send it in Origin).</param>
/// <param name="Path">Never empty, no query, no trailing slash except "/", readable but free of control characters.</param>
public sealed record PageUrl(string Host, string Path, Utm Utm)
{
    /// <param name="hashRouting">
    /// For single-page apps that route in the fragment: "#/users/7" and "#!/users/7" become part of the path as
    /// "/base/#/users/7" (the fragment's own query is dropped). Other fragments (anchors) are always ignored.
    /// </param>
    public static bool TryParse(string? pageUrl, bool hashRouting, [NotNullWhen(true)] out PageUrl? result)
    {
        result = null;
        if (string.IsNullOrWhiteSpace(pageUrl)
            || !Uri.TryCreate(pageUrl.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            return false;
        }

        var path = TrimTrailingSlashes(PathDecoding.Decode(uri.AbsolutePath));
        if (hashRouting && HashRoute(uri.Fragment) is { } route)
        {
            path = (path == "/" ? "" : path) + "/#" + route;
        }

        result = new PageUrl(uri.IdnHost.ToLowerInvariant(), path, Utm.FromQuery(uri.Query));
        return true;
    }

    private static string? HashRoute(string fragment)
    {
        var route = fragment.StartsWith("#/", StringComparison.Ordinal) ? fragment[1..]
            : fragment.StartsWith("#!/", StringComparison.Ordinal) ? fragment[2..]
            : null;
        if (route is null)
        {
            return null;
        }

        var query = route.IndexOf('?');
        route = TrimTrailingSlashes(PathDecoding.Decode(query < 0 ? route : route[..query]));
        // "#/" is the app's home, the same page as no route at all.
        return route == "/" ? null : route;
    }

    private static string TrimTrailingSlashes(string path) => path.TrimEnd('/') is { Length: > 0 } trimmed ? trimmed : "/";
}
