using System.Net;
using System.Net.Sockets;

namespace LiveInsight.Core.Privacy;

/// <summary>
/// The only form of an IP address that may be kept or logged: IPv4 keeps its /24, IPv6 its /48 (a site, not a host).
/// </summary>
public static class IpMasking
{
    private const int IPv4KeptBytes = 3;
    private const int IPv6KeptBytes = 6;

    public static IPAddress Mask(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6)
        {
            ip = ip.MapToIPv4();
        }

        Span<byte> bytes = stackalloc byte[16];
        ip.TryWriteBytes(bytes, out var length);
        var kept = ip.AddressFamily == AddressFamily.InterNetwork ? IPv4KeptBytes : IPv6KeptBytes;
        bytes[kept..length].Clear();
        // Built from bytes alone, so an IPv6 scope id (which can identify an interface) is dropped too.
        return new IPAddress(bytes[..length]);
    }

    /// <summary>The masked text form of a client address, or "unknown" when there is none (e.g. a test server).</summary>
    public static string MaskedText(IPAddress? ip) => ip is null ? "unknown" : Mask(ip).ToString();
}
