using LiveInsight.Core.Sites;

namespace LiveInsight.Core.Tests.Sites;

public sealed class BearerTokensTests
{
    [Fact]
    public void New_tokens_are_43_url_safe_characters_and_never_repeat()
    {
        var tokens = Enumerable.Range(0, 1000).Select(_ => BearerTokens.New()).ToList();

        Assert.All(tokens, t => Assert.True(BearerTokens.IsWellFormed(t), t));
        Assert.Equal(1000, tokens.Distinct().Count());
    }

    [Theory]
    [InlineData("short")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=")]
    [InlineData(null)]
    public void Anything_else_is_not_well_formed(string? token) => Assert.False(BearerTokens.IsWellFormed(token));

    [Fact]
    public void The_stored_form_is_the_sha256_hex_that_existing_keys_were_stored_with() =>
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", BearerTokens.Hash("abc"));
}
