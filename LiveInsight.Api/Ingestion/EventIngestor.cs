using LiveInsight.Api.Auth;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using LiveInsight.Api.Apis;
using LiveInsight.Api.Ingestion.Enrichment;
using LiveInsight.Api.Ingestion.Pipeline;
using LiveInsight.Core.Events;
using LiveInsight.Core.Privacy;
using LiveInsight.Core.Stats;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Api.Ingestion;

public sealed record IngestFailure(int Status, string Title, string Detail, int? RetryAfterSeconds = null);

public sealed record IngestOutcome(int Accepted, int Dropped, IReadOnlyDictionary<DropReason, int> DroppedByReason, IngestFailure? Error = null)
{
    public static IngestOutcome Failed(IngestFailure error) => new(0, 0, new Dictionary<DropReason, int>(), error);
}

/// <summary>
/// <c>POST /api/events</c> end to end: parse → site and origin → pipeline → one Redis round trip. A 202 is only
/// answered once Redis has taken the events; when it cannot, the answer is 503 with Retry-After, never 202.
/// </summary>
public sealed partial class EventIngestor(
    SiteCache sites,
    DailySalts salts,
    IngestPipeline pipeline,
    EventWriter writer,
    ClientIpResolver clientIps,
    Sites.KeyUsage keyUsage,
    IOptions<IngestionOptions> options,
    LiveInsightMetrics metrics,
    TimeProvider time,
    ILogger<EventIngestor> logger)
{
    private const int RetryAfterSeconds = 5;
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new();

    public async Task<IngestOutcome> IngestAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            var outcome = await IngestCoreAsync(context, cancellationToken);
            Record(outcome);
            return outcome;
        }
        catch (Exception e) when (e is RedisException or TimeoutException or Amazon.Runtime.AmazonServiceException or System.Net.Http.HttpRequestException)
        {
            LogStoreUnavailable(e.GetType().Name, e.Message);
            return IngestOutcome.Failed(new IngestFailure(StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable",
                "The event store cannot take events right now; nothing from this batch was kept. Retry later.", RetryAfterSeconds));
        }
        finally
        {
            metrics.IngestDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    private async Task<IngestOutcome> IngestCoreAsync(HttpContext context, CancellationToken cancellationToken)
    {
        var request = context.Request;
        var (batch, parseError) = await EventBatchReader.ReadAsync(request, cancellationToken);
        if (parseError is not null)
        {
            return IngestOutcome.Failed(new IngestFailure(parseError.Status, parseError.Title, parseError.Detail));
        }

        var clientIp = clientIps.Resolve(context.Connection.RemoteIpAddress, request.Headers["X-Forwarded-For"].ToString());
        var key = batch!.Key ?? request.Headers[IngestApi.KeyHeader].ToString();
        if (string.IsNullOrEmpty(key))
        {
            return IngestOutcome.Failed(new IngestFailure(StatusCodes.Status401Unauthorized, "Missing key",
                $"Send the site's public key as \"key\" in the body or in the {IngestApi.KeyHeader} header."));
        }

        // A malformed key is refused for free; a well-formed one reaches DynamoDB only on a cache miss, and then only
        // within the client network's lookup limit.
        if (!Core.Sites.SiteKeys.IsWellFormedPublicKey(key))
        {
            return IngestOutcome.Failed(new IngestFailure(StatusCodes.Status401Unauthorized, "Malformed key",
                $"A public key is \"{Core.Sites.SiteKeys.PublicPrefix}\" followed by 24 letters, digits, '-' or '_'; this is not one."));
        }

        Core.Sites.Site? site;
        try
        {
            site = await sites.FindByPublicKeyAsync(key, clientIp, cancellationToken);
        }
        catch (LookupLimitedException limited)
        {
            return IngestOutcome.Failed(new IngestFailure(StatusCodes.Status429TooManyRequests, "Too many requests",
                "Too many requests with unknown keys from this network; retry later.", limited.RetryAfterSeconds));
        }

        if (site is null)
        {
            return IngestOutcome.Failed(new IngestFailure(StatusCodes.Status401Unauthorized, "Unknown key",
                "This key does not belong to any site (or was revoked)."));
        }

        // No Origin at all is a server-side sender: accepted, and like every request its events must be on the site's
        // pages (DropForeignHost). "null" is what any page can make its requests say (a sandboxed iframe), so only a
        // site that opts in takes it.
        var origin = request.Headers.Origin.ToString();
        if (origin == "null" && !site.AllowNullOrigin)
        {
            return IngestOutcome.Failed(new IngestFailure(StatusCodes.Status403Forbidden, "Origin not allowed",
                "Requests with 'Origin: null' (sandboxed iframes, file:// pages) are refused unless the site sets allow_null_origin."));
        }

        if (origin.Length > 0)
        {
            var host = OriginRules.OriginHost(origin);
            if (origin != "null" && (host is null || !site.Domains.Any(d => OriginRules.HostMatches(host, d, site.AllowSubdomains))))
            {
                return IngestOutcome.Failed(new IngestFailure(StatusCodes.Status403Forbidden, "Origin not allowed",
                    "The page's origin is not one of this site's domains; add it to the site's domains."));
            }

            context.Response.Headers.AccessControlAllowOrigin = origin;
            context.Response.Headers.AccessControlExposeHeaders = IngestApi.DroppedHeader;
            context.Response.Headers.Vary = "Origin";
        }

        var ingest = new IngestRequest(
            site,
            time.GetUtcNow(),
            clientIp,
            request.Headers.UserAgent.ToString(),
            request.Headers["DNT"] == "1" || request.Headers["Sec-GPC"] == "1",
            batch.HashRouting,
            await salts.CurrentAsync());
        var events = batch.Events!.Select(raw => new IngestEvent(raw)).ToList();
        pipeline.Run(ingest, events);

        var kept = events.Where(e => e.Dropped is null).ToList();
        // A batch whose events were all dropped (bots, opted-out visitors) is still written as an empty batch: it
        // counts against the site's request quota (one round trip, as for any batch), so a key cannot be hammered
        // for free by sending only what gets dropped.
        var zone = Zones.GetOrAdd(site.TimeZone, TimeZoneInfo.FindSystemTimeZoneById);
        var quota = Quota(site.RateLimitPerMinute);
        var written = await writer.WriteAsync(
            site.SiteId, zone, quota, kept.Select(e => ToStreamEvent(ingest, e)).ToList(), keyUsage.PublicFieldToRecord(key));
        if (written.Exceeded is { } limit)
        {
            // Nothing of this batch was kept; other sites are unaffected (the counters are per site).
            return IngestOutcome.Failed(new IngestFailure(StatusCodes.Status429TooManyRequests, "Rate limit reached",
                $"This site may send {Describe(limit, quota)} a minute; nothing from this batch was kept. Retry later.",
                UnauthenticatedLimiter.SecondsToNextMinute(time.GetUtcNow())));
        }

        foreach (var index in written.Duplicates)
        {
            kept[index].Drop(DropReason.Duplicate);
        }

        var dropped = events.Where(e => e.Dropped is not null).GroupBy(e => e.Dropped!.Value).ToDictionary(g => g.Key, g => g.Count());
        var droppedCount = dropped.Values.Sum();
        return new IngestOutcome(events.Count - droppedCount, droppedCount, dropped);
    }

    /// <summary>The site's quotas: its own request limit or the default, and events and bytes in proportion.</summary>
    private IngestQuota Quota(int siteRequestsPerMinute)
    {
        var o = options.Value;
        var requests = siteRequestsPerMinute > 0 ? siteRequestsPerMinute : o.RequestsPerMinute;
        return new IngestQuota(requests, (long)requests * o.EventsPerRequestOfLimit, (long)requests * o.BytesPerRequestOfLimit);
    }

    private static string Describe(QuotaLimit limit, IngestQuota quota) => limit switch
    {
        QuotaLimit.Events => $"{quota.EventsPerMinute.ToString("N0", CultureInfo.InvariantCulture)} events",
        QuotaLimit.Bytes => $"{quota.BytesPerMinute.ToString("N0", CultureInfo.InvariantCulture)} bytes of events",
        _ => $"{UnauthenticatedLimiter.Describe(quota.RequestsPerMinute)} requests",
    };

    private static StreamEvent ToStreamEvent(IngestRequest request, IngestEvent e) => new()
    {
        SiteId = request.Site.SiteId,
        EventId = e.EventId,
        EventType = e.EventType,
        Name = Capped(e.Name),
        Ts = e.Timestamp.ToUnixTimeMilliseconds(),
        SessionId = e.SessionId,
        VisitorId = e.VisitorId,
        Host = e.Page?.Host,
        Path = Capped(e.Page?.Path),
        Title = e.Title,
        ReferrerHost = Capped(e.Source?.ReferrerHost),
        Source = Capped(e.Source?.Source),
        Medium = Capped(e.Source?.Medium),
        UtmSource = Capped(e.Page?.Utm.Source),
        UtmMedium = Capped(e.Page?.Utm.Medium),
        UtmCampaign = Capped(e.Page?.Utm.Campaign),
        UtmTerm = e.Page?.Utm.Term,
        UtmContent = e.Page?.Utm.Content,
        Browser = Capped(request.UserAgentInfo?.Browser),
        BrowserVersion = request.UserAgentInfo?.BrowserVersion,
        Os = Capped(request.UserAgentInfo?.Os),
        OsVersion = request.UserAgentInfo?.OsVersion,
        Device = Capped(e.Device),
        Country = Capped(request.Country),
        ScreenWidth = e.Raw.ScreenWidth is { } w ? Math.Clamp(w, 0, IngestionLimits.MaxScreenWidth) : null,
        Props = e.Props,
        EngagedMs = e.Raw.EngagedMs is { } ms ? Math.Clamp(ms, 0, IngestionLimits.MaxEngagedMs) : null,
        ScrollDepth = e.Raw.ScrollDepth is { } depth ? Math.Clamp(depth, 0, 100) : null,
    };

    /// <summary>Values that become rollup values (a Stats sort key): a 2,000-character path of CJK text is 6 KB.</summary>
    private static string? Capped(string? value) => value is null ? null : RollupLayout.CapValue(value);

    private void Record(IngestOutcome outcome)
    {
        if (outcome.Accepted > 0)
        {
            metrics.EventsAccepted.Add(outcome.Accepted);
        }

        foreach (var (reason, count) in outcome.DroppedByReason)
        {
            metrics.EventsDropped.Add(count, new KeyValuePair<string, object?>("reason", reason.WireName()));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Ingestion refused with 503: {ErrorType}: {Error}")]
    private partial void LogStoreUnavailable(string errorType, string error);
}
