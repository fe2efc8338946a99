using System.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.Hosting;

/// <summary>Paths whose next segment is a credential (an invite or share-link token): spans show <c>{token}</c> instead.</summary>
public sealed class TracePrivacyOptions
{
    public List<string> TokenPathPrefixes { get; } = [];
}

/// <summary>
/// What server spans may not carry, for every service: no client address (newer ASP.NET Core versions add the peer
/// address, a visitor's raw IP when no proxy is in front, and exported spans are a log like any other), and no token
/// that sits in a path. The one enricher of the ASP.NET Core instrumentation: services add token paths through
/// <see cref="TracePrivacyOptions"/> rather than replacing it.
/// </summary>
public static class TracePrivacy
{
    public static IServiceCollection AddTokenPathPrefix(this IServiceCollection services, string prefix) =>
        services.Configure<TracePrivacyOptions>(options => options.TokenPathPrefixes.Add(prefix));

    public static void Scrub(Activity activity, HttpRequest request)
    {
        activity.SetTag("client.address", null);
        activity.SetTag("network.peer.address", null);
        activity.SetTag("network.peer.port", null);
        var prefixes = request.HttpContext.RequestServices.GetService<IOptions<TracePrivacyOptions>>()?.Value.TokenPathPrefixes ?? [];
        foreach (var prefix in prefixes)
        {
            if (request.Path.StartsWithSegments(prefix, out var rest))
            {
                // "/share/abc…/api/stats/pages" → "/share/{token}/api/stats/pages".
                var afterToken = rest.Value is { Length: > 1 } r && r.IndexOf('/', 1) is var slash and > 0 ? r[slash..] : "";
                activity.SetTag("url.path", prefix + "/{token}" + afterToken);
                return;
            }
        }
    }
}
