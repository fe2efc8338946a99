using System.Net;
using LiveInsight.Api.Ingestion.Enrichment;

namespace LiveInsight.Api.Tests.Ingestion.Enrichment;

// One reader for the class: opening the file is the expensive part, and Country is thread-safe.
public sealed class CountryLookupTests : IClassFixture<CountryLookupTests.Lookup>
{
    private readonly CountryLookup _lookup;

    public CountryLookupTests(Lookup lookup) => _lookup = lookup.Value;

    // Expected countries were read from the bundled file, not assumed (1.1.1.1 is registered to APNIC in AU).
    [Theory]
    [InlineData("8.8.8.8", "US")]
    [InlineData("1.1.1.1", "AU")]
    [InlineData("193.99.144.80", "DE")]
    [InlineData("2001:4860:4860::8888", "US")]
    [InlineData("::ffff:8.8.8.8", "US")]
    [InlineData("127.0.0.1", null)]
    [InlineData("10.0.0.1", null)]
    [InlineData("192.168.1.1", null)]
    [InlineData("::1", null)]
    [InlineData("fe80::1", null)]
    [InlineData("fd00::1", null)]
    [InlineData("::ffff:10.0.0.1", null)]
    public void Country_of_an_address(string ip, string? expected)
    {
        Assert.Equal(expected, _lookup.Country(IPAddress.Parse(ip)));
    }

    [Fact]
    public void Default_constructor_reads_the_file_shipped_next_to_the_assembly()
    {
        using var lookup = new CountryLookup();

        Assert.Equal("US", lookup.Country(IPAddress.Parse("8.8.8.8")));
    }

    public sealed class Lookup : IDisposable
    {
        public CountryLookup Value { get; } = new(Path.Combine(AppContext.BaseDirectory, "data", "country.mmdb"));

        public void Dispose() => Value.Dispose();
    }
}
