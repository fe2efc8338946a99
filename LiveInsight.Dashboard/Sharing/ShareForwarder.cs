using LiveInsight.Dashboard.Extensions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Forwarder;

namespace LiveInsight.Dashboard.Sharing;

/// <summary>
/// Forwards a shared dashboard's data call to the Api through the YARP cluster <c>ApiProxy</c> declares (its resolved
/// destination and HTTP client, so service discovery, the activity timeout and streaming behave as for <c>/proxy</c>).
/// A long answer (the realtime stream) is cut when the link dies: at once when this replica replaced or revoked it,
/// otherwise at the next check, every <see cref="ShareLinks.CacheFor"/>.
/// </summary>
public sealed class ShareForwarder(
    ShareLinks links, IHttpForwarder forwarder, IProxyStateLookup proxy, IOptions<DashboardOptions> options, TimeProvider time,
    ILogger<ShareForwarder> logger)
{
    private const string ApiCluster = "api";

    /// <returns>False when the Api has no destination to send to.</returns>
    public async Task<bool> ForwardAsync(HttpContext context, string token, string siteId, string apiPath, QueryString query, CancellationToken ct)
    {
        if (!proxy.TryGetCluster(ApiCluster, out var cluster)
            || cluster.DestinationsState.AvailableDestinations is not { Count: > 0 } destinations)
        {
            return false;
        }

        var destination = destinations[Random.Shared.Next(destinations.Count)];
        using var cut = CancellationTokenSource.CreateLinkedTokenSource(ct, links.RevokedSignal(token));
        var watch = WatchAsync(token, siteId, cut);
        try
        {
            var error = await forwarder.SendAsync(context, destination.Model.Config.Address, cluster.Model.HttpClient,
                cluster.Model.Config.HttpRequest ?? ForwarderRequestConfig.Empty,
                new ShareTransformer(apiPath, query, options.Value.AdminToken), cut.Token);
            if (error is not (ForwarderError.None or ForwarderError.RequestCanceled or ForwarderError.ResponseBodyCanceled))
            {
                logger.LogWarning("Shared dashboard call {ApiPath} failed: {Error}", apiPath, error);
            }
        }
        finally
        {
            await cut.CancelAsync();
            await watch;
        }

        return true;
    }

    /// <summary>Re-checks the link while the answer is running and cuts it once the link no longer opens the site.</summary>
    private async Task WatchAsync(string token, string siteId, CancellationTokenSource cut)
    {
        try
        {
            while (true)
            {
                await Task.Delay(ShareLinks.CacheFor, time, cut.Token);
                if (await links.FindSiteAsync(token, requester: null, cut.Token) != siteId)
                {
                    await cut.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The answer ended, or the link died.
        }
        catch (Exception e)
        {
            // Fail closed: a link that cannot be checked does not keep streaming.
            logger.LogWarning(e, "Could not re-check a share link; ending its answer");
            await cut.CancelAsync();
        }
    }
}
