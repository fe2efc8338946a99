using LiveInsight.Api.Ingestion.Enrichment;

namespace LiveInsight.Api.Tests.Ingestion.Enrichment;

public sealed class UtmTests
{
    private static readonly string Long = new('a', 150);

    [Theory]
    [InlineData(null, null)]
    [InlineData("", null)]
    [InlineData("?", null)]
    [InlineData("?x=1", null)]
    [InlineData("?utm_source=google", "google")]
    [InlineData("utm_source=google", "google")]
    [InlineData("?UTM_SOURCE=google", "google")]
    [InlineData("?utm_source=%20%20google%20", "google")]
    [InlineData("?utm_source=", null)]
    [InlineData("?utm_source=+++", null)]
    [InlineData("?ref=producthunt", "producthunt")]
    [InlineData("?source=hn", "hn")]
    [InlineData("?ref=a&source=b", "a")]
    [InlineData("?utm_source=x&ref=a", "x")]
    [InlineData("?utm_source=&ref=a", "a")]
    [InlineData("?utm_source=a%0Ab%00", "ab")]
    [InlineData("?utm_source=%C3%A9t%C3%A9", "été")]
    public void Source(string? query, string? source)
    {
        Assert.Equal(source, Utm.FromQuery(query).Source);
    }

    [Fact]
    public void Every_field_is_capped()
    {
        var utm = Utm.FromQuery($"?utm_source={Long}&utm_medium={Long}&utm_campaign={Long}&utm_term={Long}&utm_content={Long}");

        Assert.All([utm.Source, utm.Medium, utm.Campaign, utm.Term, utm.Content], value => Assert.Equal(Utm.MaxLength, value!.Length));
    }

    [Fact]
    public void The_cap_never_splits_a_surrogate_pair()
    {
        var utm = Utm.FromQuery("?utm_campaign=" + new string('a', Utm.MaxLength - 1) + Uri.EscapeDataString("😀"));

        Assert.Equal(new string('a', Utm.MaxLength - 1), utm.Campaign);
    }
}
