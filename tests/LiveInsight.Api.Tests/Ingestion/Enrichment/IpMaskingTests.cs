using System.Net;
using LiveInsight.Core.Privacy;

namespace LiveInsight.Api.Tests.Ingestion.Enrichment;

public sealed class IpMaskingTests
{
    [Theory]
    [InlineData("203.0.113.77", "203.0.113.0")]
    [InlineData("8.8.8.8", "8.8.8.0")]
    [InlineData("203.0.113.0", "203.0.113.0")]
    [InlineData("2001:db8:abcd:1234:5678:9abc:def0:1234", "2001:db8:abcd::")]
    [InlineData("2001:db8:abcd::", "2001:db8:abcd::")]
    [InlineData("::1", "::")]
    [InlineData("fe80::1%2", "fe80::")]
    [InlineData("::ffff:203.0.113.77", "203.0.113.0")]
    public void Masks_to_the_network_prefix(string ip, string expected)
    {
        Assert.Equal(IPAddress.Parse(expected), IpMasking.Mask(IPAddress.Parse(ip)));
    }
}
