using LiveInsight.Core.Privacy;

namespace LiveInsight.Dashboard.Sharing;

/// <summary>The client's address as the audit log keeps it: masked, never raw. For now the connection address; this is
/// the one place to swap for the Dashboard's trusted-proxy resolver when it exists (behind the load balancer the
/// connection address is the balancer's).</summary>
public static class ClientAddress
{
    public static string Masked(HttpContext context) => IpMasking.MaskedText(context.Connection.RemoteIpAddress);
}
