using System.Net;
using System.Text;
using LiveInsight.Api.Tests.Infrastructure;
using static LiveInsight.Api.Tests.Ingestion.EventPosting;

namespace LiveInsight.Api.Tests.Ingestion;

/// <summary>
/// Issue 14: every value that becomes a rollup value is cut at ingestion so its Stats sort key (<c>{bucket}#{value}</c>)
/// fits DynamoDB's 1,024 bytes; a 2,000-character path of emoji was 8 KB and made the aggregator's flush fail.
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class LongValueTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_long_path_and_campaign_are_cut_to_1000_utf8_bytes_without_cutting_a_character()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();
        var emoji = string.Concat(Enumerable.Repeat("🎉", 600)); // 1,200 characters, 2,400 bytes of UTF-8
        var view = PageView($"https://example.com/{emoji}?utm_campaign=launch");

        var response = await client.SendAsync(Request(Batch(site.PublicKey, view)));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var stored = Assert.Single(await fixture.StreamEventsAsync(site.SiteId));
        var path = stored.GetProperty("path").GetString()!;
        Assert.Equal("/" + string.Concat(Enumerable.Repeat("🎉", 249)), path); // 997 bytes: a 250th would make 1,001
        Assert.Equal("launch", stored.GetProperty("utm_campaign").GetString());
    }
}
