using System.Net;

namespace LiveInsight.Api.Ingestion;

/// <summary>
/// One <c>POST /api/events</c> as ingestion needs it, built by <see cref="Apis.IngestApi"/> from the HTTP request (the
/// parsed batch, the key from the body or header, the <c>Origin</c> header or "", the resolved client address, the
/// User-Agent and whether DNT or GPC asked not to be tracked). <see cref="EventIngestor"/> never sees HTTP.
/// The compatibility endpoints (<c>Apis/CompatApi</c>) send no key: they name the <see cref="Site"/> they found (by
/// Plausible domain or Umami website id), and, as those trackers keep no session, ask for
/// <see cref="SessionPerVisitorDay"/>: each event without a session id gets one derived from its visitor id.
/// </summary>
public sealed record IngestRequest(IncomingBatch Batch, string Key, string Origin, IPAddress? ClientIp, string UserAgent, bool DoNotTrack)
{
    public Core.Sites.Site? Site { get; init; }

    public bool SessionPerVisitorDay { get; init; }
}
