using System.Security.Cryptography;
using System.Text;
using LiveInsight.Api.Ingestion.Pipeline;

namespace LiveInsight.Api.Tests.Ingestion;

/// <summary>The visitor id keeps its definition, HMAC-SHA256(salt, "site \n ip \n user-agent") cut to 8 bytes, now that
/// each thread keeps its keyed HMAC between requests (issue 22): same ids for any input, and a new salt is a new key.</summary>
public sealed class VisitorIdTests
{
    private static string Reference(byte[] salt, string siteId, string? ip, string? userAgent) =>
        Convert.ToHexStringLower(HMACSHA256.HashData(salt, Encoding.UTF8.GetBytes($"{siteId}\n{ip}\n{userAgent}"))[..8]);

    public static TheoryData<string, string?, string?> Inputs => new()
    {
        { "site1", "203.0.113.9", "Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0" },
        { "site1", null, null },
        { "site1", "", "" },
        { "site2", "2001:db8::1", "Ünïcødé 🦊 \u202e agent\n with a newline" },
        { "site2", "198.51.100.1", "lone surrogate \ud800 here" },
        { "site3", "198.51.100.1", new string('x', 5000) + "é" },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void The_id_is_the_hmac_of_site_ip_and_user_agent_under_the_days_salt(string siteId, string? ip, string? userAgent)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        Assert.Equal(Reference(salt, siteId, ip, userAgent), PutVisitorId.Compute(salt, siteId, ip, userAgent));
        // A second time on the same thread, with the kept HMAC: the same id.
        Assert.Equal(Reference(salt, siteId, ip, userAgent), PutVisitorId.Compute(salt, siteId, ip, userAgent));
    }

    [Fact]
    public void Alternating_salts_give_each_salts_own_id_and_an_equal_salt_in_another_array_the_same()
    {
        var today = RandomNumberGenerator.GetBytes(16);
        var yesterday = RandomNumberGenerator.GetBytes(16);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(Reference(today, "s", "1.2.3.4", "ua"), PutVisitorId.Compute(today, "s", "1.2.3.4", "ua"));
            Assert.Equal(Reference(yesterday, "s", "1.2.3.4", "ua"), PutVisitorId.Compute(yesterday, "s", "1.2.3.4", "ua"));
        }

        Assert.NotEqual(PutVisitorId.Compute(today, "s", "1.2.3.4", "ua"), PutVisitorId.Compute(yesterday, "s", "1.2.3.4", "ua"));
        Assert.Equal(PutVisitorId.Compute(today, "s", "1.2.3.4", "ua"), PutVisitorId.Compute([.. today], "s", "1.2.3.4", "ua"));
    }
}
