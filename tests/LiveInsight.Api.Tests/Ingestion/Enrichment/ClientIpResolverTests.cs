using System.Net;
using LiveInsight.Api.Ingestion.Enrichment;
using LiveInsight.Core.Privacy;

namespace LiveInsight.Api.Tests.Ingestion.Enrichment;

public sealed class ClientIpResolverTests
{
    private static readonly ClientIpResolver Resolver = new(["10.0.0.0/8", "127.0.0.1/32", "::1/128", "2001:db8:f::/48"]);

    [Theory]
    // No proxy in front: the connection is the visitor, whatever the header says.
    [InlineData("203.0.113.9", null, "203.0.113.9")]
    [InlineData("203.0.113.9", "198.51.100.1", "203.0.113.9")]
    [InlineData("203.0.113.9", "10.0.0.1", "203.0.113.9")]
    // One trusted proxy.
    [InlineData("10.0.0.2", "198.51.100.1", "198.51.100.1")]
    [InlineData("10.0.0.2", null, "10.0.0.2")]
    [InlineData("10.0.0.2", "  ", "10.0.0.2")]
    [InlineData("127.0.0.1", "198.51.100.1", "198.51.100.1")]
    [InlineData("::1", "2001:db8::7", "2001:db8::7")]
    [InlineData("::ffff:10.0.0.2", "198.51.100.1", "198.51.100.1")]
    // The visitor's own (forged) entries sit left of the one our proxy appended: they are never reached.
    [InlineData("10.0.0.2", "1.2.3.4, 198.51.100.1", "198.51.100.1")]
    // Several proxies: skip every trusted hop, right to left.
    [InlineData("10.0.0.3", "198.51.100.1, 10.0.0.1, 10.0.0.2", "198.51.100.1")]
    [InlineData("10.0.0.3", "1.2.3.4,198.51.100.1,10.0.0.1", "198.51.100.1")]
    [InlineData("2001:db8:f::1", "198.51.100.1, 2001:db8:f::2", "198.51.100.1")]
    // Every hop trusted: the request started inside; report where.
    [InlineData("10.0.0.3", "10.0.0.1, 10.0.0.2", "10.0.0.1")]
    // Ports and mapped addresses as some proxies write them.
    [InlineData("10.0.0.2", "198.51.100.1:5678", "198.51.100.1")]
    [InlineData("10.0.0.2", "[2001:db8::7]:443", "2001:db8::7")]
    [InlineData("10.0.0.2", "::ffff:198.51.100.1", "198.51.100.1")]
    // Garbage from a trusted hop vouches for nobody: fall back to the connection address.
    [InlineData("10.0.0.2", "unknown", "10.0.0.2")]
    [InlineData("10.0.0.2", "198.51.100.1, not-an-ip", "10.0.0.2")]
    [InlineData("10.0.0.2", "198.51.100.1, , 10.0.0.1", "10.0.0.2")]
    public void Resolves_the_visitor_address(string remote, string? xForwardedFor, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), Resolver.Resolve(IPAddress.Parse(remote), xForwardedFor));
    }

    [Fact]
    public void No_connection_address_means_no_client_address()
    {
        Assert.Null(Resolver.Resolve(null, "198.51.100.1"));
    }

    [Fact]
    public void Without_trusted_proxies_the_header_is_ignored()
    {
        var resolver = new ClientIpResolver([]);

        Assert.Equal(IPAddress.Parse("10.0.0.2"), resolver.Resolve(IPAddress.Parse("10.0.0.2"), "198.51.100.1"));
    }

    [Theory]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.1/8")]
    [InlineData("banana")]
    [InlineData("")]
    [InlineData("::1/129")]
    public void Invalid_trusted_entries_are_refused_by_name(string cidr)
    {
        var error = Assert.Throws<ArgumentException>(() => new ClientIpResolver(["127.0.0.1/32", cidr]));

        Assert.Contains($"'{cidr}'", error.Message);
    }

    [Fact]
    public void A_bare_address_is_trusted_as_a_single_host()
    {
        var resolver = new ClientIpResolver(["10.0.0.2"]);

        Assert.Equal(IPAddress.Parse("198.51.100.1"), resolver.Resolve(IPAddress.Parse("10.0.0.2"), "198.51.100.1"));
        Assert.Equal(IPAddress.Parse("10.0.0.3"), resolver.Resolve(IPAddress.Parse("10.0.0.3"), "198.51.100.1"));
    }
}
