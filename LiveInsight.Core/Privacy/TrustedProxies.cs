using System.Net;

namespace LiveInsight.Core.Privacy;

/// <summary>The networks whose X-Forwarded-For entries are believed, parsed once from configuration.</summary>
public sealed class TrustedProxies
{
    private readonly IPNetwork[] _networks;

    /// <param name="cidrs">"10.0.0.0/8", "::1/128"; a bare address means that one host.</param>
    /// <exception cref="ArgumentException">An entry is not a CIDR or has bits set beyond its prefix.</exception>
    public TrustedProxies(IReadOnlyList<string> cidrs)
    {
        _networks = new IPNetwork[cidrs.Count];
        for (var i = 0; i < cidrs.Count; i++)
        {
            var entry = cidrs[i]?.Trim() ?? "";
            if (entry.Contains('/') && IPNetwork.TryParse(entry, out var network) && HasNoHostBits(entry, network))
            {
                _networks[i] = network;
            }
            else if (IPAddress.TryParse(entry, out var host) && !entry.Contains('/'))
            {
                _networks[i] = new IPNetwork(host, host.GetAddressBytes().Length * 8);
            }
            else
            {
                throw new ArgumentException(
                    $"Trusted proxy entry '{entry}' is not a CIDR such as 10.0.0.0/8 or ::1/128 (host bits must be zero).",
                    nameof(cidrs));
            }
        }
    }

    // IPNetwork silently masks "10.0.0.1/8" to 10.0.0.0/8; such an entry is more likely a typo for /32 than intended.
    private static bool HasNoHostBits(string entry, IPNetwork network) =>
        IPAddress.TryParse(entry.AsSpan(0, entry.IndexOf('/')), out var written) && written.Equals(network.BaseAddress);

    public bool Contains(IPAddress address) => Array.Exists(_networks, network => network.Contains(address));
}
