using System.Net;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Privacy;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace LiveInsight.Api.Sites;

/// <summary>
/// Records the admin API's site changes in Core's <see cref="AuditLog"/>, before the change is made: when the entry
/// cannot be written the caller gets a 503 and must not make the change, so the log has no silent gaps.
/// The actor headers are believed only when the request carries the admin token (the Dashboard's server-side proxy,
/// which sets them for its signed-in user); a call made with a site's secret key (goals) is recorded as
/// <see cref="AuditLog.SecretKeyActor"/>, whatever headers it sent.
/// </summary>
public sealed partial class AdminAudit(
    AuditLog log, ClientIpResolver clientIps, TimeProvider time, IOptions<Extensions.ApiOptions> options, ILogger<AdminAudit> logger)
{
    public const string ActorHeader = "X-LiveInsight-Actor";
    public const string ActorIpHeader = "X-LiveInsight-Actor-Ip";
    public const int MaxActorLength = 254;

    /// <returns>Null once the entry is written; otherwise the problem to answer instead of making the change.</returns>
    public async Task<ProblemHttpResult?> WriteAsync(
        HttpContext http, string siteId, string action, string? details, CancellationToken cancellationToken, string? target = null)
    {
        var (actor, maskedIp) = Actor(http);
        try
        {
            await log.WriteAsync(new AuditEntry(siteId, time.GetUtcNow(), actor, action, target, details, maskedIp), cancellationToken);
            return null;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogAuditFailed(e, action, siteId);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "Audit log unavailable",
                detail: "Nothing was changed: the change could not be recorded in the audit log. Retry later.");
        }
    }

    /// <summary>The dashboard user the proxy forwards (e-mail, and an address it already masked, masked again here so
    /// a raw address can never get through), else the admin token itself from this connection's masked address.</summary>
    private (string Actor, string MaskedIp) Actor(HttpContext http)
    {
        var request = http.Request;
        var clientIp = IpMasking.MaskedText(
            clientIps.Resolve(http.Connection.RemoteIpAddress, request.Headers["X-Forwarded-For"].ToString()));
        if (!Core.Sites.SiteKeys.SecretEquals(Auth.AdminTokenFilter.BearerToken(request) ?? "", options.Value.AdminToken))
        {
            return (AuditLog.SecretKeyActor, clientIp);
        }

        var forwarded = request.Headers[ActorHeader].ToString().Trim();
        if (forwarded.Length == 0 || forwarded.Any(char.IsControl))
        {
            return (AuditLog.AdminTokenActor, clientIp);
        }

        var actor = forwarded.Length <= MaxActorLength ? forwarded : forwarded[..MaxActorLength];
        var ip = IPAddress.TryParse(request.Headers[ActorIpHeader].ToString().Trim(), out var parsed)
            ? IpMasking.MaskedText(parsed)
            : clientIp;
        return (actor, ip);
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit entry {Action} for site {SiteId} could not be written; the change was refused")]
    private partial void LogAuditFailed(Exception exception, string action, string siteId);
}
