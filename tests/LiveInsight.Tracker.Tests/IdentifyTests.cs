using System.Text.Json;
using LiveInsight.Core.Sites;
using LiveInsight.Tracker.Tests.Infrastructure;

namespace LiveInsight.Tracker.Tests;

/// <summary><c>liveinsight.identify(userId)</c>: later events of the page carry the id, the Api keeps only its keyed
/// hash, nothing of it is stored in the browser, and DNT/GPC make it a no-op.</summary>
[Collection(nameof(TrackerCollection))]
public sealed class IdentifyTests(TrackerFixture fixture)
{
    private const string Stub =
        "<script>window.liveinsight=window.liveinsight||{q:[],track:function(){liveinsight.q.push(arguments)},identify:function(u){liveinsight.u=u}}</script>";

    private static string? Hash(JsonElement e) => e.TryGetProperty("user_hash", out var h) ? h.GetString() : null;

    [Fact]
    public async Task An_id_given_before_the_script_loaded_tags_the_page_view_and_null_clears_it()
    {
        await using var tracked = await TrackedPage.OpenAsync(fixture, new PageSetup
        {
            IdentifyEnabled = true,
            Head = Stub + "<script>liveinsight.identify('user-42')</script>",
        });
        await tracked.WaitForEventsAsync(e => e.OfType("page_view").Any());

        await tracked.TrackAsync("Still in");
        await tracked.WaitForEventsAsync(e => e.Named("Still in").Any());
        await tracked.Page.EvaluateAsync("() => liveinsight.identify(null)");
        await tracked.TrackAsync("Logged out");
        await tracked.Page.EvaluateAsync("() => liveinsight.identify(7)");
        await tracked.TrackAsync("Other user");

        var events = await tracked.WaitForEventsAsync(e => e.Named("Other user").Any() && e.Named("Logged out").Any());
        var secret = await fixture.IdentifySecretAsync(tracked.SiteId);
        Assert.Equal(Identify.Hash(secret, "user-42"), Hash(events.OfType("page_view").Single()));
        Assert.Equal(Identify.Hash(secret, "user-42"), Hash(events.Named("Still in").Single()));
        Assert.Null(Hash(events.Named("Logged out").Single()));
        Assert.Equal(Identify.Hash(secret, "7"), Hash(events.Named("Other user").Single()));
        Assert.Contains(tracked.Requests, r => r.PostData!.Contains("\"uid\":\"user-42\"", StringComparison.Ordinal));
        Assert.Empty(tracked.PageErrors);
    }

    [Fact]
    public async Task Events_waiting_in_the_offline_queue_never_hold_the_id()
    {
        await using var tracked = await TrackedPage.OpenAsync(fixture, new PageSetup { IdentifyEnabled = true },
            // Only the identified batch fails: were the page view cut too, the tracker would be backing off when
            // "Queued" is tracked and would store it without ever sending it (so no request would carry the id).
            context => context.RouteAsync("**/api/events", route =>
                route.Request.PostData?.Contains("Queued", StringComparison.Ordinal) == true ? route.AbortAsync() : route.ContinueAsync()));

        await tracked.WaitForEventsAsync(e => e.OfType("page_view").Any());
        await tracked.Page.EvaluateAsync("() => liveinsight.identify('secret-user-9')");
        await tracked.TrackAsync("Queued");
        await TrackedPage.WaitUntilAsync(async () => (await tracked.StoredAsync()).Any(e => e.Str("name") == "Queued"), "the offline queue");

        var storage = await tracked.Page.EvaluateAsync<string>("() => JSON.stringify(localStorage) + JSON.stringify(sessionStorage) + document.cookie");
        Assert.DoesNotContain("secret-user-9", storage, StringComparison.Ordinal);
        Assert.All(await tracked.StoredAsync(), e => Assert.Null(e.Str("uid")));
        Assert.Contains(tracked.Requests, r => r.PostData!.Contains("secret-user-9", StringComparison.Ordinal));
    }

    [Fact]
    public async Task On_a_site_without_identify_the_id_is_sent_but_nothing_of_it_is_kept()
    {
        await using var tracked = await TrackedPage.OpenAsync(fixture, new PageSetup
        {
            Head = Stub + "<script>liveinsight.identify('user-42')</script>",
        });

        var events = await tracked.WaitForEventsAsync(e => e.OfType("page_view").Any());

        Assert.All(events, e => Assert.Null(Hash(e)));
    }

    [Theory]
    [InlineData("Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' })")]
    [InlineData("Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })")]
    public async Task With_do_not_track_or_gpc_identify_is_a_harmless_no_op(string signal)
    {
        await using var tracked = await TrackedPage.OpenAsync(fixture, new PageSetup { IdentifyEnabled = true, FlushMs = 100 },
            context => context.AddInitScriptAsync(signal));

        await tracked.Page.EvaluateAsync("() => { liveinsight.identify('user-42'); liveinsight.track('Signup'); }");
        await tracked.Page.WaitForTimeoutAsync(500); // nothing may happen: give the flush timer several turns

        Assert.Empty(tracked.Requests);
        Assert.Empty(await tracked.EventsAsync());
        Assert.Empty(tracked.PageErrors);
    }
}
