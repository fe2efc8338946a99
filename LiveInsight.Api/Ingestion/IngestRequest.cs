using System.Net;

namespace LiveInsight.Api.Ingestion;

/// <summary>
/// One <c>POST /api/events</c> as ingestion needs it, built by <see cref="Apis.IngestApi"/> from the HTTP request (the
/// parsed batch, the key from the body or header, the <c>Origin</c> header or "", the resolved client address, the
/// User-Agent and whether DNT or GPC asked not to be tracked). <see cref="EventIngestor"/> never sees HTTP.
/// The compatibility endpoints (<c>Apis/CompatApi</c>) send no key: they name the <see cref="Site"/> they found (by
/// Plausible domain or Umami website id), and, as those trackers keep no session, ask for
/// <see cref="DeriveSessions"/>: each event without a session id gets its visitor's current session (<see cref="DerivedSessions"/>:
/// a new one after 30 minutes idle).
/// </summary>
public sealed record IngestRequest(IncomingBatch Batch, string Key, string Origin, IPAddress? ClientIp, string UserAgent, bool DoNotTrack)
{
    public Core.Sites.Site? Site { get; init; }

    public bool DeriveSessions { get; init; }
}
