using LiveInsight.Core.Audit;
using LiveInsight.Core.Privacy;

namespace LiveInsight.Dashboard.Extensions;

/// <summary>Who is acting and from where, for the audit log and for the Api (the proxy passes both on). The address is
/// only ever kept masked; <c>X-Forwarded-For</c> counts only from <c>LiveInsight:Dashboard:TrustedProxies</c>.</summary>
public sealed class AuditTrail(AuditLog log, ClientIpResolver clientIps, TimeProvider time)
{
    public static string Actor(HttpContext context) => context.User.Identity?.Name ?? "";

    public string MaskedIp(HttpContext context) =>
        IpMasking.MaskedText(clientIps.Resolve(context.Connection.RemoteIpAddress, context.Request.Headers["X-Forwarded-For"].ToString()));

    /// <param name="actor">Who acted, when it is not (yet) the signed-in user: someone joining through an invite.</param>
    public Task WriteAsync(HttpContext context, string siteId, string action, string? target, string? details, string? actor = null) =>
        log.WriteAsync(new AuditEntry(siteId, time.GetUtcNow(), actor ?? Actor(context), action, target, details, MaskedIp(context)),
            // Not the request's token: the action has happened, so its record must not be dropped by a closed tab.
            CancellationToken.None);
}
