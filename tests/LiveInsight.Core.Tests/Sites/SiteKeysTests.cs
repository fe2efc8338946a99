using System.Security.Cryptography;
using System.Text;
using LiveInsight.Core.Sites;

namespace LiveInsight.Core.Tests.Sites;

public sealed class SiteKeysTests
{
    [Fact]
    public void Keys_are_prefixed_url_safe_and_never_repeat()
    {
        var publicKeys = Enumerable.Range(0, 1000).Select(_ => SiteKeys.NewPublicKey()).ToList();
        var secretKeys = Enumerable.Range(0, 1000).Select(_ => SiteKeys.NewSecretKey()).ToList();

        Assert.All(publicKeys, k => Assert.Matches("^pk_[A-Za-z0-9_-]{24}$", k));
        Assert.All(secretKeys, k => Assert.Matches("^sk_[A-Za-z0-9_-]{43}$", k));
        Assert.Equal(publicKeys.Count, publicKeys.Distinct().Count());
        Assert.Equal(secretKeys.Count, secretKeys.Distinct().Count());
    }

    [Fact]
    public void Site_ids_are_short_lowercase_and_unambiguous()
    {
        Assert.All(Enumerable.Range(0, 200).Select(_ => SiteKeys.NewSiteId()), id => Assert.Matches("^[a-km-np-z2-9]{12}$", id));
    }

    [Fact]
    public void Every_generated_id_and_key_is_well_formed_and_each_checker_refuses_the_other_kinds()
    {
        var (id, pk, sk) = (SiteKeys.NewSiteId(), SiteKeys.NewPublicKey(), SiteKeys.NewSecretKey());

        Assert.True(SiteKeys.IsWellFormedSiteId(id));
        Assert.True(SiteKeys.IsWellFormedPublicKey(pk));
        Assert.True(SiteKeys.IsWellFormedSecretKey(sk));
        Assert.False(SiteKeys.IsWellFormedSiteId(pk));
        Assert.False(SiteKeys.IsWellFormedPublicKey(sk));
        Assert.False(SiteKeys.IsWellFormedSecretKey(pk));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("pk_guess1")]
    [InlineData("pk_aaaaaaaaaaaaaaaaaaaaaaa")] // 23
    [InlineData("pk_aaaaaaaaaaaaaaaaaaaaaaaaa")] // 25
    [InlineData("pk_aaaaaaaaaaaaaaaaaaaaaaa/")]
    [InlineData("pk_aaaaaaaaaaaaaaaaaaaaaaa=")]
    [InlineData("PK_aaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("xx_aaaaaaaaaaaaaaaaaaaaaaaa")]
    public void Malformed_public_keys_are_refused(string? key) => Assert.False(SiteKeys.IsWellFormedPublicKey(key));

    [Theory]
    [InlineData(null)]
    [InlineData("sk_")]
    [InlineData("sk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")] // 42
    [InlineData("sk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\u00e9")]
    [InlineData("sk_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa ")]
    public void Malformed_secret_keys_are_refused(string? key) => Assert.False(SiteKeys.IsWellFormedSecretKey(key));

    [Theory]
    [InlineData(null)]
    [InlineData("nosuchsite00")] // o and 0 are not in the alphabet
    [InlineData("abcdefghijk")]
    [InlineData("abcdefghijkmn")]
    [InlineData("ABCDEFGHIJKM")]
    [InlineData("abcdefghij#k")]
    public void Malformed_site_ids_are_refused(string? siteId) => Assert.False(SiteKeys.IsWellFormedSiteId(siteId));

    [Fact]
    public void A_three_kilobyte_key_is_refused_by_every_checker()
    {
        var huge = "sk_" + new string('a', 3000);

        Assert.False(SiteKeys.IsWellFormedSecretKey(huge));
        Assert.False(SiteKeys.IsWellFormedPublicKey("pk_" + huge));
        Assert.False(SiteKeys.IsWellFormedSiteId(huge));
    }

    [Fact]
    public void The_stored_hash_is_sha256_of_the_secret_and_does_not_contain_it()
    {
        var secret = SiteKeys.NewSecretKey();
        var hash = SiteKeys.HashSecret(secret);

        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret))), hash);
        Assert.DoesNotContain(secret[3..], hash);
    }

    [Theory]
    [InlineData("correct-token-1234", "correct-token-1234", true)]
    [InlineData("correct-token-123", "correct-token-1234", false)]
    [InlineData("", "correct-token-1234", false)]
    [InlineData(null, "correct-token-1234", false)]
    public void Secret_comparison(string? presented, string expected, bool equal)
    {
        Assert.Equal(equal, SiteKeys.SecretEquals(presented, expected));
    }
}
