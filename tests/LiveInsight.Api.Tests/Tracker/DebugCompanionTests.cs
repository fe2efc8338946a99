using System.Net;
using LiveInsight.Api.Tests.Infrastructure;

namespace LiveInsight.Api.Tests.Tracker;

/// <summary><c>data-debug</c>'s companion (issue 23): the tracker imports <c>/liveinsight.js?debug</c> as a module from the
/// customer's page, so it must be cross-origin readable JavaScript; the tracker itself keeps its own cache and bytes.</summary>
[Collection(nameof(ApiCollection))]
public sealed class DebugCompanionTests(ApiFixture fixture)
{
    [Fact]
    public async Task The_debug_companion_is_served_beside_the_tracker_for_any_origin()
    {
        using var client = fixture.CreateClient();

        var companion = await client.GetAsync("/liveinsight.js?debug");
        var tracker = await client.GetAsync("/liveinsight.js");
        var companionText = await companion.Content.ReadAsStringAsync();
        var trackerText = await tracker.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, companion.StatusCode);
        Assert.Equal("text/javascript", companion.Content.Headers.ContentType?.MediaType);
        Assert.Equal("*", companion.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("public, max-age=300", companion.Headers.CacheControl?.ToString());
        Assert.Contains("X-LiveInsight-Dropped", companionText, StringComparison.Ordinal);
        Assert.Contains("data-allow-localhost", companionText, StringComparison.Ordinal);
        Assert.Contains("?debug", trackerText, StringComparison.Ordinal); // the tracker's one line that loads it
        Assert.DoesNotContain("X-LiveInsight-Dropped", trackerText, StringComparison.Ordinal);
        Assert.Equal("public, max-age=86400, stale-while-revalidate=604800", tracker.Headers.CacheControl?.ToString());
    }
}
