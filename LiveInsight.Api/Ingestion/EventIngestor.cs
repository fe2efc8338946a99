using System.Collections.Concurrent;
using System.Globalization;
using LiveInsight.Api.Apis;
using LiveInsight.Api.Auth;
using LiveInsight.Api.Ingestion.Enrichment;
using LiveInsight.Api.Ingestion.Pipeline;
using LiveInsight.Core.Events;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace LiveInsight.Api.Ingestion;

public sealed record IngestFailure(int Status, string Title, string Detail, int? RetryAfterSeconds = null);

public sealed record IngestOutcome(int Accepted, int Dropped, IReadOnlyDictionary<DropReason, int> DroppedByReason, IngestFailure? Error = null)
{
    public static IngestOutcome Failed(IngestFailure error) => new(0, 0, new Dictionary<DropReason, int>(), error);
}

/// <summary>
/// <c>POST /api/events</c> after parsing: key → site, origin → pipeline → one Redis round trip, and an outcome that
/// <see cref="IngestApi"/> turns into the answer and its headers. A 202 is only answered once Redis has taken the
/// events; when it cannot, the answer is 503 with Retry-After, never 202. No HTTP here: tests call it directly.
/// </summary>
public sealed partial class EventIngestor(
    SiteCache sites,
    DailySalts salts,
    IngestPipeline pipeline,
    EventWriter writer,
    DerivedSessions derivedSessions,
    Sites.KeyUsage keyUsage,
    IOptions<IngestionOptions> options,
    LiveInsightMetrics metrics,
    TimeProvider time,
    InstallationCheck installation,
    ILogger<EventIngestor> logger)
{
    private const int RetryAfterSeconds = 5;

    /// <summary>The 503 detail when the event store did not confirm a batch (bench/chaos.mjs reads it as an unknown outcome).</summary>
    public const string UnconfirmedDetail =
        "The event store did not confirm this batch: it may or may not have been kept. Retry with the same event ids (a repeated id is dropped).";
    private static readonly ConcurrentDictionary<string, TimeZoneInfo> Zones = new();

    public async Task<IngestOutcome> IngestAsync(IngestRequest request, CancellationToken cancellationToken)
    {
        try
        {
            var outcome = await IngestCoreAsync(request, cancellationToken);
            Record(outcome);
            return outcome;
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            // Redis may have run the script and lost only its answer (a timeout, a connection cut mid-reply, a server
            // killed after its AOF write): the outcome is unknown, and the client's retry with the same ids is safe.
            LogStoreUnavailable(e.GetType().Name, e.Message);
            return IngestOutcome.Failed(new IngestFailure(StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable",
                UnconfirmedDetail, RetryAfterSeconds));
        }
        catch (Exception e) when (e is Amazon.Runtime.AmazonServiceException or System.Net.Http.HttpRequestException)
        {
            LogStoreUnavailable(e.GetType().Name, e.Message);
            return IngestOutcome.Failed(new IngestFailure(StatusCodes.Status503ServiceUnavailable, "Temporarily unavailable",
                "The site cannot be looked up right now; nothing from this batch was kept. Retry later.", RetryAfterSeconds));
        }
    }

    private async Task<IngestOutcome> IngestCoreAsync(IngestRequest request, CancellationToken cancellationToken)
    {
        var (batch, key, clientIp) = (request.Batch, request.Key, request.ClientIp);
        var (site, refused) = request.Site is { } named ? (named, null) : await FindSiteAsync(key, clientIp, cancellationToken);
        if (site is null)
        {
            return refused!;
        }

        // No Origin at all is a server-side sender: accepted, and like every request its events must be on the site's
        // pages (DropForeignHost). "null" is what any page can make its requests say (a sandboxed iframe), so only a
        // site that opts in takes it.
        var origin = request.Origin;
        if (origin == "null" && !site.AllowNullOrigin)
        {
            installation.RecordRefusal(site.SiteId, "null_origin", null);
            return IngestOutcome.Failed(new IngestFailure(StatusCodes.Status403Forbidden, "Origin not allowed",
                "Requests with 'Origin: null' (sandboxed iframes, file:// pages) are refused unless the site sets allow_null_origin."));
        }

        if (origin.Length > 0 && origin != "null"
            && (OriginRules.OriginHost(origin) is not { } host || !IsSiteHost(site, host)))
        {
            installation.RecordRefusal(site.SiteId, "origin_not_allowed", OriginRules.OriginHost(origin));
            return IngestOutcome.Failed(new IngestFailure(StatusCodes.Status403Forbidden, "Origin not allowed",
                "The page's origin is not one of this site's domains; add it to the site's domains."));
        }

        var ingest = new IngestContext(
            site, time.GetUtcNow(), clientIp, request.UserAgent, request.DoNotTrack, batch.HashRouting, await salts.CurrentAsync());
        // Plain loops on this path, no LINQ: each request would otherwise allocate its iterators and delegates (issue 22).
        var incoming = batch.Events!;
        var events = new List<IngestEvent>(incoming.Count);
        foreach (var raw in incoming)
        {
            events.Add(new IngestEvent(raw));
        }

        pipeline.Run(ingest, events);
        if (request.DeriveSessions)
        {
            await derivedSessions.AssignAsync(site.SiteId, events);
        }

        var kept = new List<IngestEvent>(events.Count);
        var streamEvents = new List<StreamEvent>(events.Count);
        foreach (var e in events)
        {
            if (e.Dropped is null)
            {
                kept.Add(e);
                streamEvents.Add(ToStreamEvent(ingest, e));
            }
        }

        // A batch whose events were all dropped (bots, opted-out visitors) is still written as an empty batch: it
        // counts against the site's request quota (one round trip, as for any batch), so a key cannot be hammered
        // for free by sending only what gets dropped.
        var zone = Zones.GetOrAdd(site.TimeZone, TimeZoneInfo.FindSystemTimeZoneById);
        var quota = Quota(site.RateLimitPerMinute);
        var written = await writer.WriteAsync(
            site.SiteId, zone, quota, streamEvents,
            request.Site is null ? keyUsage.PublicFieldToRecord(key) : null);
        if (written.Exceeded is { } limit)
        {
            installation.RecordRefusal(site.SiteId, "rate_limited", null);
            // Nothing of this batch was kept; other sites are unaffected (the counters are per site).
            return IngestOutcome.Failed(new IngestFailure(StatusCodes.Status429TooManyRequests, "Rate limit reached",
                $"This site may send {Describe(limit, quota)} a minute; nothing from this batch was kept. Retry later.",
                UnauthenticatedLimiter.SecondsToNextMinute(time.GetUtcNow())));
        }

        foreach (var index in written.Duplicates)
        {
            kept[index].Drop(DropReason.Duplicate);
        }

        installation.RecordBatch(site.SiteId, events, request.UserAgent);
        // Reasons in the order they first occur, as the drop header lists them.
        Dictionary<DropReason, int>? dropped = null;
        var droppedCount = 0;
        foreach (var e in events)
        {
            if (e.Dropped is { } reason)
            {
                dropped ??= [];
                dropped[reason] = dropped.GetValueOrDefault(reason) + 1;
                droppedCount++;
            }
        }

        return new IngestOutcome(events.Count - droppedCount, droppedCount, dropped ?? NoneDropped);
    }

    private static readonly IReadOnlyDictionary<DropReason, int> NoneDropped = new Dictionary<DropReason, int>();

    private static bool IsSiteHost(Core.Sites.Site site, string host)
    {
        foreach (var domain in site.Domains)
        {
            if (OriginRules.HostMatches(host, domain, site.AllowSubdomains))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The site of a public key, or the refusal to answer (missing, malformed, unknown key; lookups limited).</summary>
    private async Task<(Core.Sites.Site? Site, IngestOutcome? Refused)> FindSiteAsync(
        string key, System.Net.IPAddress? clientIp, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(key))
        {
            return (null, IngestOutcome.Failed(new IngestFailure(StatusCodes.Status401Unauthorized, "Missing key",
                $"Send the site's public key as \"key\" in the body or in the {IngestApi.KeyHeader} header.")));
        }

        // A malformed key is refused for free; a well-formed one reaches DynamoDB only on a cache miss, and then only
        // within the client network's lookup limit.
        if (!Core.Sites.SiteKeys.IsWellFormedPublicKey(key))
        {
            return (null, IngestOutcome.Failed(new IngestFailure(StatusCodes.Status401Unauthorized, "Malformed key",
                $"A public key is \"{Core.Sites.SiteKeys.PublicPrefix}\" followed by 24 letters, digits, '-' or '_'; this is not one.")));
        }

        Core.Sites.Site? site;
        try
        {
            site = await sites.FindByPublicKeyAsync(key, clientIp, cancellationToken);
        }
        catch (LookupLimitedException limited)
        {
            return (null, IngestOutcome.Failed(new IngestFailure(StatusCodes.Status429TooManyRequests, "Too many requests",
                "Too many requests with unknown keys from this network; retry later.", limited.RetryAfterSeconds)));
        }

        if (site is null)
        {
            return (null, IngestOutcome.Failed(new IngestFailure(StatusCodes.Status401Unauthorized, "Unknown key",
                "This key does not belong to any site (or was revoked).")));
        }

        if (site.DeletingSince is not null)
        {
            return (null, IngestOutcome.Failed(new IngestFailure(StatusCodes.Status410Gone, "Site deleted",
                "This site is being deleted: its events are no longer kept. Remove the tracking snippet.")));
        }

        return (site, null);
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

    private static StreamEvent ToStreamEvent(IngestContext request, IngestEvent e) => new()
    {
        SiteId = request.Site.SiteId,
        EventId = e.EventId,
        EventType = e.EventType,
        Name = e.Name,
        Ts = e.Timestamp.ToUnixTimeMilliseconds(),
        SessionId = e.SessionId,
        VisitorId = e.VisitorId,
        Host = e.Page?.Host,
        Path = e.Page?.Path,
        Title = e.Title,
        ReferrerHost = e.Source?.ReferrerHost,
        Source = e.Source?.Source,
        Medium = e.Source?.Medium,
        UtmSource = e.Page?.Utm.Source,
        UtmMedium = e.Page?.Utm.Medium,
        UtmCampaign = e.Page?.Utm.Campaign,
        UtmTerm = e.Page?.Utm.Term,
        UtmContent = e.Page?.Utm.Content,
        Browser = request.UserAgentInfo?.Browser,
        BrowserVersion = request.UserAgentInfo?.BrowserVersion,
        Os = request.UserAgentInfo?.Os,
        OsVersion = request.UserAgentInfo?.OsVersion,
        Device = e.Device,
        Country = request.Country,
        ScreenWidth = e.ScreenWidth,
        Props = e.Props,
        EngagedMs = e.EngagedMs,
        ScrollDepth = e.ScrollDepth,
        PreviousScrollDepth = e.PreviousScrollDepth,
        NonInteractive = e.EventType == "custom" && e.Raw.Interactive == false ? true : null,
        UserHash = e.UserHash,
    };

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
