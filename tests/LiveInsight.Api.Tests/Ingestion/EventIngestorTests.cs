using System.Net;
using LiveInsight.Api.Ingestion;
using LiveInsight.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Api.Tests.Ingestion;

/// <summary>Ingestion without HTTP: the Api's own EventIngestor, real Redis and DynamoDB, and no HttpContext.</summary>
[Collection(nameof(ApiCollection))]
public sealed class EventIngestorTests(ApiFixture fixture)
{
    private EventIngestor Ingestor => fixture.Factory.Services.GetRequiredService<EventIngestor>();

    private static IngestRequest Request(string key, string origin = "", string userAgent = EventPosting.ChromeOnWindows, bool doNotTrack = false) =>
        new(
            new IncomingBatch
            {
                Events =
                [
                    new IncomingEvent { Id = Guid.NewGuid().ToString(), EventType = "page_view", PageUrl = "https://example.com/pricing" },
                    new IncomingEvent { Id = Guid.NewGuid().ToString(), EventType = "page_view", PageUrl = "https://elsewhere.example/" },
                ],
            },
            key, origin, IPAddress.Parse("8.8.8.8"), userAgent, doNotTrack);

    [Fact]
    public async Task A_request_is_taken_from_plain_values_and_its_outcome_says_what_was_kept_and_dropped()
    {
        var site = await fixture.CreateAsync();

        var outcome = await Ingestor.IngestAsync(Request(site.PublicKey, origin: "https://example.com"), CancellationToken.None);

        Assert.Null(outcome.Error);
        Assert.Equal((1, 1), (outcome.Accepted, outcome.Dropped));
        Assert.Equal(1, outcome.DroppedByReason[DropReason.ForeignHost]);
        Assert.Equal("/pricing", Assert.Single(await fixture.StreamEventsAsync(site.SiteId)).GetProperty("path").GetString());
    }

    [Theory]
    [InlineData("https://evil.example", 403)]
    [InlineData("null", 403)]
    public async Task A_refused_origin_is_an_outcome_with_a_status_not_an_http_answer(string origin, int status)
    {
        var site = await fixture.CreateAsync();

        var outcome = await Ingestor.IngestAsync(Request(site.PublicKey, origin), CancellationToken.None);

        Assert.Equal(status, outcome.Error?.Status);
        Assert.Empty(await fixture.StreamEventsAsync(site.SiteId));
    }

    [Fact]
    public async Task Do_not_track_drops_every_event_of_the_request_once()
    {
        var site = await fixture.CreateAsync();

        var outcome = await Ingestor.IngestAsync(Request(site.PublicKey, doNotTrack: true), CancellationToken.None);

        Assert.Equal((0, 2), (outcome.Accepted, outcome.Dropped));
        Assert.Equal(2, outcome.DroppedByReason[DropReason.DoNotTrack]);
    }
}
