using LiveInsight.Tracker.Tests.Infrastructure;

namespace LiveInsight.Tracker.Tests;

[Collection(nameof(TrackerCollection))]
public sealed class PageViewTests(TrackerFixture fixture)
{
    [Fact]
    public async Task A_page_with_the_script_tag_sends_its_page_view_with_the_right_fields()
    {
        await using var tracked = await TrackedPage.OpenAsync(fixture, new PageSetup
        {
            Title = "Welcome",
            Path = "welcome?utm_source=newsletter",
        });

        var events = await tracked.WaitForEventsAsync(e => e.OfType("page_view").Any() && e.OfType("session_start").Any());

        var view = Assert.Single(events.OfType("page_view"));
        var start = Assert.Single(events.OfType("session_start"));
        Assert.Equal("shop.test", view.Str("host"));
        Assert.Equal($"/{tracked.PageId}/welcome", view.Str("path"));
        Assert.Equal("Welcome", view.Str("title"));
        Assert.Equal("newsletter", view.Str("utm_source"));
        Assert.Equal("Chrome", view.Str("browser"));
        Assert.True(view.GetProperty("screen_width").GetInt32() > 0);
        Assert.Matches("^[A-Za-z0-9_-]{16,64}$", view.Str("event_id"));
        Assert.False(string.IsNullOrEmpty(view.Str("session_id")));
        Assert.Equal(view.Str("session_id"), start.Str("session_id"));
        Assert.NotEqual(view.Str("event_id"), start.Str("event_id"));
        Assert.Empty(tracked.PageErrors);
    }

    [Fact]
    public async Task An_spa_navigation_gives_a_second_page_view_and_the_same_url_none()
    {
        await using var tracked = await TrackedPage.OpenAsync(fixture);
        await tracked.WaitForEventsAsync(e => e.OfType("page_view").Any());

        await tracked.Page.EvaluateAsync("() => history.pushState({}, '', 'pricing')");
        await tracked.Page.EvaluateAsync("() => history.replaceState({ again: true }, '', location.href)");
        await tracked.Page.EvaluateAsync("() => history.pushState({}, '', location.pathname + '#section')");
        await tracked.Page.EvaluateAsync("() => new Promise(resolve => { addEventListener('popstate', resolve, { once: true }); history.go(-2); })");
        await tracked.TrackAsync("done");

        var events = await tracked.WaitForEventsAsync(e => e.Named("done").Any());
        var paths = events.OfType("page_view").Select(e => e.Str("path")).ToList();
        Assert.Equal([$"/{tracked.PageId}", $"/{tracked.PageId}/pricing", $"/{tracked.PageId}"], paths);
        Assert.Single(events.OfType("session_start"));
        Assert.All(events, e => Assert.Equal(events[0].Str("session_id"), e.Str("session_id")));

        // Leaving /pricing ended its page view: its engagement belongs to it, not to the next page.
        var engagement = events.OfType("engagement").Select(e => e.Str("path")).ToList();
        Assert.Contains($"/{tracked.PageId}", engagement);
        Assert.Contains($"/{tracked.PageId}/pricing", engagement);
    }

    [Fact]
    public async Task With_hash_routing_a_hash_change_is_a_page_view()
    {
        await using var tracked = await TrackedPage.OpenAsync(fixture, new PageSetup { Attributes = "data-hash" });
        await tracked.WaitForEventsAsync(e => e.OfType("page_view").Any());

        await tracked.Page.EvaluateAsync("() => new Promise(resolve => { addEventListener('hashchange', resolve, { once: true }); location.hash = '#/cart'; })");

        var events = await tracked.WaitForEventsAsync(e => e.OfType("page_view").Count() >= 2);
        Assert.Contains("cart", events.OfType("page_view").Last().Str("path"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Excluded_paths_send_no_page_view_and_outbound_clicks_are_custom_events()
    {
        await using var tracked = await TrackedPage.OpenAsync(fixture, new PageSetup
        {
            Attributes = "data-exclude=\"*/admin/*\" data-outbound-links",
            Body = "<a id=\"out\" href=\"https://elsewhere.example/docs\">docs</a>",
        });
        await tracked.WaitForEventsAsync(e => e.OfType("page_view").Any());

        await tracked.Page.EvaluateAsync("() => history.pushState({}, '', 'admin/users')");
        await tracked.Page.EvaluateAsync("() => document.getElementById('out').addEventListener('click', e => e.preventDefault())");
        await tracked.Page.ClickAsync("#out");

        var events = await tracked.WaitForEventsAsync(e => e.Named("Outbound Link: Click").Any());
        Assert.Single(events.OfType("page_view"));
        var click = Assert.Single(events.Named("Outbound Link: Click"));
        Assert.Equal("https://elsewhere.example/docs", click.GetProperty("props").GetProperty("url").GetString());
    }
}
