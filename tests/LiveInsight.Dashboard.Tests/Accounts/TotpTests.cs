using System.Text;
using LiveInsight.Dashboard.Auth;

namespace LiveInsight.Dashboard.Tests.Accounts;

/// <summary>RFC 6238 as implemented in <see cref="Totp"/>, against the RFC's own test vectors (appendix B, SHA-1).</summary>
public sealed class TotpTests
{
    private static readonly byte[] RfcSecret = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void Codes_match_the_RFC_6238_test_vectors(long unixSeconds, string expected)
    {
        var step = Totp.StepOf(DateTimeOffset.FromUnixTimeSeconds(unixSeconds));

        Assert.Equal(expected, Totp.Code(RfcSecret, step, digits: 8));
        Assert.Equal(expected[2..], Totp.Code(RfcSecret, step));
    }

    [Fact]
    public void A_code_is_accepted_one_step_either_side_and_not_two()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var step = Totp.StepOf(now);

        Assert.Equal(step - 1, Totp.Match(RfcSecret, Totp.Code(RfcSecret, step - 1), now));
        Assert.Equal(step, Totp.Match(RfcSecret, Totp.Code(RfcSecret, step), now));
        Assert.Equal(step + 1, Totp.Match(RfcSecret, Totp.Code(RfcSecret, step + 1), now));
        Assert.Null(Totp.Match(RfcSecret, Totp.Code(RfcSecret, step - 2), now));
        Assert.Null(Totp.Match(RfcSecret, Totp.Code(RfcSecret, step + 2), now));
        Assert.Null(Totp.Match(RfcSecret, "12345", now));
        Assert.Null(Totp.Match(RfcSecret, "１２３４５６", now)); // full-width digits are not ASCII digits
        Assert.Null(Totp.Match(RfcSecret, null, now));
    }

    [Fact]
    public void Base32_is_RFC_4648_and_round_trips()
    {
        Assert.Equal("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Totp.Base32(RfcSecret));
        Assert.Equal(RfcSecret, Totp.FromBase32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"));
        Assert.Null(Totp.FromBase32("GEZ1")); // 1 is not in the alphabet
        var secret = Totp.NewSecret();
        Assert.Equal(secret, Totp.FromBase32(Totp.Base32(secret)));
        Assert.StartsWith("otpauth://totp/LiveInsight:a%40example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=LiveInsight", Totp.Uri("LiveInsight", "a@example.com", RfcSecret));
    }
}
