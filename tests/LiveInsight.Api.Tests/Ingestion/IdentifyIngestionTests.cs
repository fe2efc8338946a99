using System.Net;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Sites;
using static LiveInsight.Api.Tests.Ingestion.EventPosting;

namespace LiveInsight.Api.Tests.Ingestion;

/// <summary><c>uid</c> (liveinsight.identify): only a keyed hash reaches the stream, only on a site with identify
/// enabled, never for a DNT/GPC request, never the clear id.</summary>
[Collection(nameof(ApiCollection))]
public sealed class IdentifyIngestionTests(ApiFixture fixture)
{
    private const string UserId = "user-4711@example.com";

    private static System.Text.Json.Nodes.JsonObject Identified(string userId = UserId)
    {
        var view = PageView();
        view["uid"] = userId;
        return view;
    }

    [Fact]
    public async Task On_a_site_with_identify_the_stream_holds_the_keyed_hash_and_never_the_id()
    {
        var site = await fixture.CreateAsync(identifyEnabled: true);
        using var client = fixture.CreateClient();

        var response = await client.SendAsync(Request(Batch(site.PublicKey, Identified(), PageView())));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var events = await fixture.StreamEventsAsync(site.SiteId);
        Assert.Equal(2, events.Count);
        var expected = Identify.Hash(await SecretAsync(site.SiteId), UserId);
        Assert.Equal([expected, null], events.Select(e => e.TryGetProperty("user_hash", out var h) ? h.GetString() : null).OrderBy(h => h is null));
        Assert.DoesNotContain("user-4711", await fixture.RawStreamTextAsync(site.SiteId), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Without_the_setting_an_identified_event_counts_and_stores_nothing_of_the_id()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();

        var response = await client.SendAsync(Request(Batch(site.PublicKey, Identified())));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(await fixture.StreamEventsAsync(site.SiteId));
        var raw = await fixture.RawStreamTextAsync(site.SiteId);
        Assert.DoesNotContain("user_hash", raw, StringComparison.Ordinal);
        Assert.DoesNotContain("user-4711", raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Identify.Hash(await SecretAsync(site.SiteId), UserId), raw, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("DNT")]
    [InlineData("Sec-GPC")]
    public async Task A_visitor_who_asked_not_to_be_tracked_is_never_identified_even_where_the_site_counts_them(string header)
    {
        var site = await fixture.CreateAsync(identifyEnabled: true, honorDnt: false);
        using var client = fixture.CreateClient();

        var response = await client.SendAsync(Request(Batch(site.PublicKey, Identified()), headers: (header, "1")));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Single(await fixture.StreamEventsAsync(site.SiteId));
        Assert.DoesNotContain("user_hash", await fixture.RawStreamTextAsync(site.SiteId), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_id_over_256_characters_is_ignored_not_cut_and_the_event_still_counts()
    {
        var site = await fixture.CreateAsync(identifyEnabled: true);
        using var client = fixture.CreateClient();
        var longest = new string('a', Identify.MaxUserIdLength);

        await client.SendAsync(Request(Batch(site.PublicKey, Identified(longest + "b"), Identified(longest))));

        var hashes = (await fixture.StreamEventsAsync(site.SiteId))
            .Select(e => e.TryGetProperty("user_hash", out var h) ? h.GetString() : null).ToList();
        Assert.Equal(2, hashes.Count);
        Assert.Equal([Identify.Hash(await SecretAsync(site.SiteId), longest)], hashes.OfType<string>());
    }

    [Theory]
    [InlineData("12")]
    [InlineData("{}")]
    [InlineData("[\"a\"]")]
    public async Task A_uid_that_is_not_a_string_refuses_the_batch_as_bad_json(string json)
    {
        var site = await fixture.CreateAsync(identifyEnabled: true);
        using var client = fixture.CreateClient();
        var body = Batch(site.PublicKey, PageView());
        body["events"]![0]!["uid"] = System.Text.Json.Nodes.JsonNode.Parse(json);

        var response = await client.SendAsync(Request(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    private async Task<byte[]> SecretAsync(string siteId) =>
        (await fixture.Dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = fixture.TablePrefix + "Sites",
            Key = new() { ["site_id"] = new AttributeValue { S = siteId } },
        })).Item["identify_secret"].B.ToArray();
}
