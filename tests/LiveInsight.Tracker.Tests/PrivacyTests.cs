using LiveInsight.Tracker.Tests.Infrastructure;

namespace LiveInsight.Tracker.Tests;

[Collection(nameof(TrackerCollection))]
public sealed class PrivacyTests(TrackerFixture fixture)
{
    private const string LeavePage = "() => { dispatchEvent(new PageTransitionEvent('pagehide')); }";

    [Theory]
    [InlineData("Object.defineProperty(Navigator.prototype, 'doNotTrack', { get: () => '1' })")]
    [InlineData("Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true })")]
    public async Task With_do_not_track_or_gpc_nothing_is_sent(string signal)
    {
        await using var tracked = await TrackedPage.OpenAsync(fixture, new PageSetup { FlushMs = 100 },
            context => context.AddInitScriptAsync(signal));

        await tracked.TrackAsync("Signup");
        await tracked.Page.EvaluateAsync(LeavePage);
        // Nothing to poll for when nothing may happen: give the flush timer several turns.
        await tracked.Page.WaitForTimeoutAsync(500);

        Assert.Empty(tracked.Requests);
        Assert.Empty(await tracked.EventsAsync());
        Assert.Empty(await tracked.StoredAsync());
        Assert.Empty(tracked.PageErrors);
        Assert.Empty(await tracked.Context.CookiesAsync());
    }

    [Fact]
    public async Task On_a_domain_not_registered_for_the_key_the_api_refuses_and_the_page_is_unharmed()
    {
        await using var tracked = await TrackedPage.OpenAsync(fixture, new PageSetup
        {
            Host = "other.test",
            Body = "<button id=\"go\" onclick=\"this.textContent = 'clicked'\">go</button>",
        });

        // Read from the Api's side: a browser may report a response its CORS check blocked as a failed request instead.
        await tracked.WaitForApiRequestAsync(r => r.Status == 403, "the Api's 403");
        await tracked.TrackAsync("Signup");
        await tracked.Page.EvaluateAsync(LeavePage);
        await tracked.Page.ClickAsync("#go");
        await tracked.Page.WaitForTimeoutAsync(500); // several flush intervals: the tracker has stopped

        Assert.Equal("clicked", await tracked.Page.TextContentAsync("#go"));
        Assert.Single(tracked.Requests);
        Assert.Empty(await tracked.StoredAsync());
        Assert.Empty(await tracked.EventsAsync());
        Assert.Empty(tracked.PageErrors);
    }

    [Fact]
    public async Task Nothing_is_sent_from_localhost_unless_allowed()
    {
        await using var tracked = await TrackedPage.OpenAsync(fixture, new PageSetup { Host = "localhost", FlushMs = 100 });

        await tracked.TrackAsync("Signup");
        await tracked.Page.EvaluateAsync(LeavePage);
        await tracked.Page.WaitForTimeoutAsync(500);

        Assert.Empty(tracked.Requests);
        Assert.Empty(tracked.PageErrors);
    }
}
