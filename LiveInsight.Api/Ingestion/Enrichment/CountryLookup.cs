using System.Net;
using MaxMind.Db;

namespace LiveInsight.Api.Ingestion.Enrichment;

/// <summary>
/// Country of an IP address from the bundled ip-location-db mmdb, whose records are <c>{"country_code": "US"}</c>.
/// <see cref="Reader.Find{T}(IPAddress, Injectables?)"/> is thread-safe, so one instance serves the whole process.
/// </summary>
public sealed class CountryLookup : IDisposable
{
    // The database has no records for these, but a newer or different file might: never report a country for them.
    private static readonly IPNetwork[] NonPublic =
    [
        IPNetwork.Parse("0.0.0.0/8"), IPNetwork.Parse("10.0.0.0/8"), IPNetwork.Parse("100.64.0.0/10"),
        IPNetwork.Parse("127.0.0.0/8"), IPNetwork.Parse("169.254.0.0/16"), IPNetwork.Parse("172.16.0.0/12"),
        IPNetwork.Parse("192.168.0.0/16"), IPNetwork.Parse("224.0.0.0/3"),
        IPNetwork.Parse("::/127"), IPNetwork.Parse("fc00::/7"), IPNetwork.Parse("fe80::/10"), IPNetwork.Parse("ff00::/8"),
    ];

    private readonly Reader _reader;

    public CountryLookup() : this(Path.Combine(AppContext.BaseDirectory, "data", "country.mmdb"))
    {
    }

    public CountryLookup(string path) => _reader = new Reader(path, FileAccessMode.MemoryMapped);

    /// <summary>ISO 3166-1 alpha-2 code in upper case, or null for private, loopback and unknown addresses.</summary>
    public string? Country(IPAddress ip)
    {
        if (ip.IsIPv4MappedToIPv6)
        {
            // The file stores IPv4 in the IPv4 subtree only: a mapped address would find nothing.
            ip = ip.MapToIPv4();
        }

        if (Array.Exists(NonPublic, network => network.Contains(ip)))
        {
            return null;
        }

        var code = _reader.Find<CountryRecord>(ip)?.CountryCode;
        return code is [var a, var b] && char.IsAsciiLetter(a) && char.IsAsciiLetter(b) ? code.ToUpperInvariant() : null;
    }

    public void Dispose() => _reader.Dispose();
}

/// <summary>One record of the country mmdb; internal (not private) so MaxMind.Db's source generator can build it.</summary>
internal sealed class CountryRecord
{
    [MapKey("country_code")]
    public string? CountryCode { get; init; }
}
