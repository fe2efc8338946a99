using LiveInsight.Core.Audit;
using LiveInsight.Core.Privacy;

namespace LiveInsight.Dashboard.Extensions;

/// <summary>Who is acting and from where, for the audit log and for the Api (the proxy passes both on). The address is
/// only ever kept masked; <c>X-Forwarded-For</c> counts only from <c>LiveInsight:Dashboard:TrustedProxies</c>.</summary>
public sealed partial class AuditTrail(AuditLog log, ClientIpResolver clientIps, TimeProvider time, ILogger<AuditTrail> logger)
{
    public static string Actor(HttpContext context) => context.User.Identity?.Name ?? "";

    public string MaskedIp(HttpContext context) =>
        IpMasking.MaskedText(clientIps.Resolve(context.Connection.RemoteIpAddress, context.Request.Headers["X-Forwarded-For"].ToString()));

    /// <summary>Records an entry before its change is made. When the log cannot be written this throws
    /// <see cref="AuditUnavailableException"/>, which <see cref="Problems"/> answers with 503 saying nothing was changed
    /// (as the Api's <c>AdminAudit</c> does), so a change is never made unrecorded.</summary>
    /// <param name="actor">Who acted, when it is not (yet) the signed-in user: someone joining through an invite.</param>
    public async Task WriteAsync(HttpContext context, string siteId, string action, string? target, string? details, string? actor = null)
    {
        try
        {
            await log.WriteAsync(new AuditEntry(siteId, time.GetUtcNow(), actor ?? Actor(context), action, target, details, MaskedIp(context)),
                // Not the request's token: the action has happened, so its record must not be dropped by a closed tab.
                CancellationToken.None);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogAuditFailed(e, action, siteId);
            throw new AuditUnavailableException(action, e);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Audit entry {Action} for site {SiteId} could not be written; the change was refused")]
    private partial void LogAuditFailed(Exception exception, string action, string siteId);
}

/// <summary>An audit entry could not be written, so its change was not made: 503 with Retry-After, not a bare 500.</summary>
public sealed class AuditUnavailableException(string action, Exception inner)
    : Exception($"The audit entry {action} could not be written; the change was refused.", inner)
{
    public const string Detail = "Nothing was changed: the change could not be recorded in the audit log. Try again in a moment.";

    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(30);
}
