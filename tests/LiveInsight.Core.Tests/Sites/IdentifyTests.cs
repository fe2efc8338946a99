using LiveInsight.Core.Sites;

namespace LiveInsight.Core.Tests.Sites;

public sealed class IdentifyTests
{
    private static readonly byte[] Secret = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();

    // Expected values computed outside .NET (Python's hmac module), so a change of form is caught.
    [Theory]
    [InlineData("user-42", "74ea6318fd907a367325175cdf62f55d")]
    [InlineData("Jörg@example.com", "45b5f3d98a85c25d63284fba0eb542ea")]
    public void The_hash_is_the_first_128_bits_of_hmac_sha256_in_lower_hex(string userId, string expected)
    {
        Assert.Equal(expected, Identify.Hash(Secret, userId));
        Assert.True(Identify.IsWellFormedHash(expected));
    }

    [Fact]
    public void Another_secret_gives_another_hash_so_replacing_it_unlinks()
    {
        var other = Identify.NewSecret();

        Assert.Equal(Identify.SecretBytes, other.Length);
        Assert.NotEqual(Identify.Hash(Secret, "user-42"), Identify.Hash(other, "user-42"));
        Assert.NotEqual(Convert.ToHexString(Identify.NewSecret()), Convert.ToHexString(other));
    }

    [Fact]
    public void An_empty_secret_is_refused() =>
        Assert.Throws<ArgumentException>(() => Identify.Hash([], "user-42"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("74EA6318FD907A367325175CDF62F55D")]
    [InlineData("74ea6318fd907a367325175cdf62f55")]
    [InlineData("74ea6318fd907a367325175cdf62f55d0")]
    [InlineData("74ea6318fd907a367325175cdf62f55g")]
    public void Anything_else_is_not_a_hash(string? hash) => Assert.False(Identify.IsWellFormedHash(hash));
}
