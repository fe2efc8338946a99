using System.Net;

namespace LiveInsight.Api.Ingestion;

/// <summary>
/// One <c>POST /api/events</c> as ingestion needs it, built by <see cref="Apis.IngestApi"/> from the HTTP request (the
/// parsed batch, the key from the body or header, the <c>Origin</c> header or "", the resolved client address, the
/// User-Agent and whether DNT or GPC asked not to be tracked). <see cref="EventIngestor"/> never sees HTTP.
/// </summary>
public sealed record IngestRequest(IncomingBatch Batch, string Key, string Origin, IPAddress? ClientIp, string UserAgent, bool DoNotTrack);
