using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using LiveInsight.Core.Alerts;
using Microsoft.Extensions.Options;

namespace LiveInsight.Aggregator.Alerts;

/// <summary>
/// Posts alert bodies to webhooks: signed (<c>X-LiveInsight-Signature: sha256=</c> HMAC-SHA256 of
/// <c>{X-LiveInsight-Timestamp}.{body}</c> under the rule's secret), tried <see cref="AlertsOptions.WebhookAttempts"/>
/// times with doubling waits, every attempt written to the delivery log. Its own HttpClient, not the factory's: the
/// standard resilience handler would retry unseen and unlogged, and service discovery must not resolve an owner's URL.
/// Private, loopback and link-local addresses are refused at connect time (after DNS) unless
/// <see cref="AlertsOptions.AllowPrivateWebhookTargets"/> is set, so a rule cannot reach the installation's own network.
/// </summary>
public sealed partial class WebhookSender : IDisposable
{
    public const string SignatureHeader = "X-LiveInsight-Signature";
    public const string TimestampHeader = "X-LiveInsight-Timestamp";
    public const string DeliveryHeader = "X-LiveInsight-Delivery";

    private readonly HttpClient _http;
    private readonly AlertRepository _log;
    private readonly IOptions<AlertsOptions> _options;
    private readonly TimeProvider _time;
    private readonly ILogger<WebhookSender> _logger;

    public WebhookSender(AlertRepository log, IOptions<AlertsOptions> options, TimeProvider time, ILogger<WebhookSender> logger)
    {
        (_log, _options, _time, _logger) = (log, options, time, logger);
        var allowPrivate = options.Value.AllowPrivateWebhookTargets;
        _http = new HttpClient(new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            ConnectTimeout = TimeSpan.FromMilliseconds(options.Value.WebhookTimeoutMs),
            ConnectCallback = (context, cancellationToken) => ConnectAsync(context, allowPrivate, cancellationToken),
        })
        {
            Timeout = TimeSpan.FromMilliseconds(options.Value.WebhookTimeoutMs),
        };
    }

    /// <returns>Whether one attempt got a 2xx answer.</returns>
    public async Task<bool> DeliverAsync(string siteId, Webhook webhook, string secret, string deliveryId, string subject, string body, CancellationToken cancellationToken)
    {
        var o = _options.Value;
        var wait = TimeSpan.FromMilliseconds(o.WebhookFirstBackoffMs);
        for (var attempt = 1; attempt <= o.WebhookAttempts; attempt++)
        {
            int? status = null;
            string? error = null;
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, webhook.Url) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                var timestamp = _time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
                request.Headers.Add(TimestampHeader, timestamp);
                request.Headers.Add(SignatureHeader, "sha256=" + Sign(secret, timestamp, body));
                request.Headers.Add(DeliveryHeader, deliveryId);
                request.Headers.UserAgent.ParseAdd("LiveInsight-Alerts/1");
                using var response = await _http.SendAsync(request, cancellationToken);
                status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    await _log.LogDeliveryAsync(siteId, new Delivery(_time.GetUtcNow(), "webhook", webhook.Url, subject, DeliveryOutcomes.Sent, attempt, status, null), cancellationToken);
                    return true;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                error = e.Message;
            }

            var last = attempt == o.WebhookAttempts;
            await _log.LogDeliveryAsync(siteId, new Delivery(
                _time.GetUtcNow(), "webhook", webhook.Url, subject, last ? DeliveryOutcomes.Failed : DeliveryOutcomes.Retrying, attempt, status, error), cancellationToken);
            if (last)
            {
                LogGaveUp(siteId, attempt);
                return false;
            }

            await Task.Delay(wait, cancellationToken);
            wait *= 2;
        }

        return false;
    }

    public static string Sign(string secret, string timestamp, string body) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}")));

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivate, CancellationToken cancellationToken)
    {
        var addresses = await Dns.GetHostAddressesAsync(context.DnsEndPoint.Host, cancellationToken);
        var allowed = addresses.Where(a => allowPrivate || IsPublic(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new HttpRequestException($"Webhook host '{context.DnsEndPoint.Host}' resolves to no public address.");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static bool IsPublic(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal || address.IsIPv6Multicast)
        {
            return false;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return !(b[0] is 0 or 10 or 127 or >= 224 || (b[0] == 169 && b[1] == 254) || (b[0] == 172 && b[1] is >= 16 and <= 31)
                || (b[0] == 192 && b[1] == 168) || (b[0] == 100 && b[1] is >= 64 and <= 127));
        }

        return !address.Equals(IPAddress.IPv6Any);
    }

    public void Dispose() => _http.Dispose();

    [LoggerMessage(Level = LogLevel.Warning, Message = "A webhook of site {SiteId} failed {Attempts} times; giving up on this message")]
    private partial void LogGaveUp(string siteId, int attempts);
}
