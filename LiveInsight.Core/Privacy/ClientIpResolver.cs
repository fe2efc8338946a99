using System.Net;

namespace LiveInsight.Core.Privacy;

/// <summary>
/// Finds the visitor's address. X-Forwarded-For is read only when the connection comes from a trusted proxy, and
/// only as far as the chain of trusted proxies goes: anything further left was written by the visitor and may be forged.
/// </summary>
public sealed class ClientIpResolver(IReadOnlyList<string> trustedProxyCidrs)
{
    private readonly TrustedProxies _trusted = new(trustedProxyCidrs);

    /// <returns>
    /// The right-most untrusted X-Forwarded-For entry; the left-most entry when every one is trusted; the remote
    /// address when the peer is untrusted, the header is absent, or an entry cannot be parsed (a trusted proxy that
    /// wrote garbage vouches for nobody, so we stop there rather than guess). IPv4-mapped IPv6 comes back as IPv4.
    /// </returns>
    public IPAddress? Resolve(IPAddress? remoteAddress, string? xForwardedFor)
    {
        if (remoteAddress is null)
        {
            return null;
        }

        var remote = Normalise(remoteAddress);
        if (string.IsNullOrWhiteSpace(xForwardedFor) || !_trusted.Contains(remote))
        {
            return remote;
        }

        var rest = xForwardedFor.AsSpan();
        var candidate = remote;
        while (!rest.IsEmpty)
        {
            var comma = rest.LastIndexOf(',');
            var entry = rest[(comma + 1)..].Trim();
            rest = comma < 0 ? [] : rest[..comma];
            if (!TryParseEntry(entry, out var hop))
            {
                return remote;
            }

            candidate = hop;
            if (!_trusted.Contains(hop))
            {
                return hop;
            }
        }

        return candidate;
    }

    // Some proxies append the port ("1.2.3.4:5678", "[2001:db8::1]:443"); IPEndPoint parsing accepts both forms.
    private static bool TryParseEntry(ReadOnlySpan<char> entry, out IPAddress address)
    {
        address = IPAddress.None;
        if (entry.IsEmpty || !IPEndPoint.TryParse(entry, out var endPoint))
        {
            return false;
        }

        address = Normalise(endPoint.Address);
        return true;
    }

    private static IPAddress Normalise(IPAddress address) => address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address;
}
