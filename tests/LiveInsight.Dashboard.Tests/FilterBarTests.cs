using System.Text.Json;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

/// <summary>
/// The filter bar (issue 17): known events through the real ingest path, the real aggregator writing rollups and the
/// lake, and the dashboard in Chromium. Unfiltered the widgets read the rollups; with filters every widget reads
/// /api/v2/query with the filters combined, and shows the numbers the events make.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class FilterBarTests(DashboardFixture fixture)
{
    private const string Google = "https://www.google.com/";
    private const string Hostile = "/<img src=x onerror=alert(1)>";

    /// <summary>
    /// Five visitors today, one session each:
    /// v1 Google /pricing, then Signup {plan: pro} 20 s later (not a bounce, 20 s);
    /// v2 Google /pricing (a bounce); v3 direct /pricing; v4 Google /about; v5 Google on the hostile path.
    /// Source Google and page /pricing together: v1 and v2 only.
    /// </summary>
    private async Task<(string SiteId, string PublicKey)> SeedAsync(string domain)
    {
        var site = await fixture.CreateSiteAsync(domain: domain);
        var sinceMidnight = DateTimeOffset.UtcNow.TimeOfDay;
        if (sinceMidnight < TimeSpan.FromMinutes(3))
        {
            await Task.Delay(TimeSpan.FromMinutes(3) - sinceMidnight); // every event "today" in UTC, the site's zone
        }

        var start = DateTimeOffset.UtcNow.AddMinutes(-2);
        var url = $"https://{domain}";
        await fixture.PostPageViewAsync(site.PublicKey, $"{url}/pricing", referrer: Google, visitor: "81", sessionId: "v1", at: start);
        await fixture.PostCustomEventAsync(site.PublicKey, $"{url}/pricing", "Signup", new() { ["plan"] = "pro" }, visitor: "81", sessionId: "v1", at: start.AddSeconds(20));
        await fixture.PostPageViewAsync(site.PublicKey, $"{url}/pricing", referrer: Google, visitor: "82", sessionId: "v2", at: start);
        await fixture.PostPageViewAsync(site.PublicKey, $"{url}/pricing", visitor: "83", sessionId: "v3", at: start);
        await fixture.PostPageViewAsync(site.PublicKey, $"{url}/about", referrer: Google, visitor: "84", sessionId: "v4", at: start);
        await fixture.PostPageViewAsync(site.PublicKey, url + Uri.EscapeDataString(Hostile).Replace("%2F", "/"), referrer: Google, visitor: "85", sessionId: "v5", at: start);

        _ = fixture.Aggregator;
        await RunningAggregator.DrainedAsync(fixture.Redis, TimeSpan.FromSeconds(30));
        await fixture.LakeHasAsync(site.SiteId, events: 6, TimeSpan.FromSeconds(60));
        return site;
    }

    private static ILocator Metric(IPage page, string key) => page.Locator($"[data-metric={key}] [data-value]");

    private static ILocator Row(IPage page, string widget, string label) =>
        page.Locator($"#{widget} tbody tr").Filter(new() { Has = page.Locator("td").First.GetByText(label, new() { Exact = true }) });

    private static async Task<JsonElement> SeriesAsync(IPage page, string canvas) =>
        JsonDocument.Parse(await page.Locator($"#{canvas}").GetAttributeAsync("data-series") ?? "{}").RootElement;

    private static long Sum(JsonElement series, int dataset) =>
        series.GetProperty("datasets")[dataset].GetProperty("data").EnumerateArray().Sum(v => v.ValueKind == JsonValueKind.Number ? v.GetInt64() : 0);

    [Fact]
    public async Task Two_filters_change_every_widget_to_the_numbers_of_the_events_and_the_view_survives_reload_and_back()
    {
        var site = await SeedAsync("filters.test");
        var page = await fixture.SignedInPageAsync(path: $"/?site={site.SiteId}&range=today");
        await page.WaitForSelectorAsync("body[data-ready=true]");
        await Assertions.Expect(Metric(page, "visitors")).ToHaveTextAsync("5");
        await Assertions.Expect(page.Locator("#filter-bar")).ToBeHiddenAsync();

        await page.Locator("#sources").GetByRole(AriaRole.Button, new() { Name = "Google", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#filter-chips li")).ToHaveTextAsync(["Source is Google×"]);
        await Assertions.Expect(Metric(page, "visitors")).ToHaveTextAsync("4");

        await page.Locator("#pages").GetByRole(AriaRole.Button, new() { Name = "/pricing", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#filter-chips li")).ToHaveTextAsync(["Source is Google×", "Page is /pricing×"]);
        Assert.Contains("f=source%3AGoogle&f=page%3A%2Fpricing", page.Url);

        await ExpectGooglePricingAsync(page);

        // The URL holds the view: a reload shows the same two filters and numbers.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#filter-chips li")).ToHaveCountAsync(2);
        await ExpectGooglePricingAsync(page);

        // Back returns to the view before the second filter.
        await page.GoBackAsync();
        await Assertions.Expect(page.Locator("#filter-chips li")).ToHaveTextAsync(["Source is Google×"]);
        await Assertions.Expect(Metric(page, "visitors")).ToHaveTextAsync("4");
        await page.GoForwardAsync();
        await Assertions.Expect(page.Locator("#filter-chips li")).ToHaveCountAsync(2);
        await Assertions.Expect(Metric(page, "visitors")).ToHaveTextAsync("2");

        // Chips are removed from the keyboard: a chip's button, Enter; focus moves on to the next chip.
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove filter Source is Google" }).FocusAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#filter-chips li")).ToHaveTextAsync(["Page is /pricing×"]);
        await Assertions.Expect(Metric(page, "visitors")).ToHaveTextAsync("3"); // v1, v2, v3
        Assert.DoesNotContain("source", page.Url);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Remove filter Page is /pricing" })).ToBeFocusedAsync();
        await page.Keyboard.PressAsync("Enter");
        await Assertions.Expect(page.Locator("#filter-bar")).ToBeHiddenAsync();
        await Assertions.Expect(Metric(page, "visitors")).ToHaveTextAsync("5"); // the rollups again
        Assert.DoesNotContain("f=", page.Url);
        await page.Context.CloseAsync();
    }

    private static async Task ExpectGooglePricingAsync(IPage page)
    {
        // Summary: v1 and v2, one page view each; v2 bounced, v1 stayed 20 s (its Signup): 50 %, 10 s a visit.
        await Assertions.Expect(Metric(page, "visitors")).ToHaveTextAsync("2");
        await Assertions.Expect(Metric(page, "pageviews")).ToHaveTextAsync("2");
        await Assertions.Expect(Metric(page, "sessions")).ToHaveTextAsync("2");
        await Assertions.Expect(Metric(page, "views_per_visit")).ToHaveTextAsync("1");
        await Assertions.Expect(Metric(page, "bounce_rate")).ToHaveTextAsync("50%");
        await Assertions.Expect(Metric(page, "avg_duration_seconds")).ToHaveTextAsync("10s");
        await Assertions.Expect(Metric(page, "time_on_page_seconds")).ToHaveTextAsync("–"); // not in /api/v2/query yet

        // Breakdowns: one row each.
        await Assertions.Expect(page.Locator("#pages tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(Row(page, "pages", "/pricing").Locator("td")).ToHaveTextAsync(["/pricing", "2", "2", "–", "–"]);
        await Assertions.Expect(page.Locator("#sources tbody tr td")).ToHaveTextAsync(["Google", "2", "2"]);
        await Assertions.Expect(page.Locator("#entry-pages tbody tr td")).ToHaveTextAsync(["/pricing", "2"]);
        await Assertions.Expect(page.Locator("#exit-pages tbody tr td")).ToHaveTextAsync(["/pricing", "2"]);
        await Assertions.Expect(page.Locator("#browsers tbody tr td")).ToHaveTextAsync(["Chrome", "2", "2"]);
        await Assertions.Expect(page.Locator("#devices tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#devices tbody tr td").Nth(1)).ToHaveTextAsync("2");
        await Assertions.Expect(page.Locator("#os tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#countries tbody tr td").Nth(1)).ToHaveTextAsync("2");
        await Assertions.Expect(page.Locator("#events tbody tr td")).ToHaveTextAsync(["Signup", "1", "1"]);

        // Charts: today's hours hold the two page views and two visitors; the daily chart one day of two visitors.
        await Assertions.Expect(page.Locator("[data-widget=timeseries]")).ToHaveAttributeAsync("data-status", "ready");
        await page.WaitForFunctionAsync("() => JSON.parse(document.querySelector('#daily-chart').dataset.series || '{}').datasets?.[0]?.data?.[0] === 2");
        var series = await SeriesAsync(page, "timeseries-chart");
        Assert.Equal(24, series.GetProperty("labels").GetArrayLength());
        Assert.Equal(2, Sum(series, 1)); // page views
        var daily = await SeriesAsync(page, "daily-chart");
        Assert.Equal(1, daily.GetProperty("labels").GetArrayLength());
        Assert.Equal(2, Sum(daily, 0));
    }

    [Fact]
    public async Task A_hostile_page_is_a_chip_of_text_and_never_runs()
    {
        var site = await SeedAsync("hostile-filter.test");
        var page = await fixture.SignedInPageAsync(path: $"/?site={site.SiteId}&range=today");
        var dialogs = 0;
        page.Dialog += async (_, dialog) => { dialogs++; await dialog.DismissAsync(); };
        await page.WaitForSelectorAsync("body[data-ready=true]");

        await page.Locator("#pages").GetByRole(AriaRole.Button, new() { Name = Hostile, Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#filter-chips li")).ToHaveTextAsync([$"Page is {Hostile}×"]);
        await Assertions.Expect(Metric(page, "visitors")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#pages tbody tr td").First).ToHaveTextAsync(Hostile);

        // The same from a shared URL: read back as text.
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#filter-chips li")).ToHaveTextAsync([$"Page is {Hostile}×"]);
        await Assertions.Expect(Metric(page, "visitors")).ToHaveTextAsync("1");
        Assert.Equal(0, await page.Locator("main img, main script").CountAsync());

        // A URL's filters are read only for known dimensions, with a value of at most 2,000 characters.
        var junk = string.Join("&", new[]
        {
            "f=evil:x", "f=__proto__:x", "f=constructor:x", "f=props::x", "f=page:", "f=page:" + new string('p', 2001), "f=page%3A%2Fabout",
            "compare=javascript:alert(1)", "range=%3Cscript%3E",
        });
        await page.GotoAsync($"/?site={site.SiteId}&{junk}");
        await Assertions.Expect(page.Locator("#filter-chips li")).ToHaveTextAsync(["Page is /about×"]);
        await Assertions.Expect(page.Locator("#compare")).ToHaveValueAsync("");
        await Assertions.Expect(page.Locator("#range")).ToHaveValueAsync("30d");
        Assert.Equal(0, dialogs);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_props_panel_breaks_an_event_down_by_a_prop_and_a_value_becomes_a_filter()
    {
        var site = await fixture.CreateSiteAsync(domain: "props.test");
        var hostile = "<img src=x onerror=alert(3)>";
        var at = DateTimeOffset.UtcNow.AddMinutes(-1);
        await fixture.PostCustomEventAsync(site.PublicKey, "https://props.test/", "Signup", new() { ["plan"] = "pro" }, visitor: "91", sessionId: "p1", at: at);
        await fixture.PostCustomEventAsync(site.PublicKey, "https://props.test/", "Signup", new() { ["plan"] = "pro" }, visitor: "92", sessionId: "p2", at: at);
        await fixture.PostCustomEventAsync(site.PublicKey, "https://props.test/", "Signup", new() { ["plan"] = "pro" }, visitor: "92", sessionId: "p2", at: at.AddSeconds(5));
        await fixture.PostCustomEventAsync(site.PublicKey, "https://props.test/", "Signup", new() { ["plan"] = hostile }, visitor: "93", sessionId: "p3", at: at);
        await fixture.PostCustomEventAsync(site.PublicKey, "https://props.test/", "Download", new() { ["plan"] = "enterprise" }, visitor: "94", sessionId: "p4", at: at);
        _ = fixture.Aggregator;
        await RunningAggregator.DrainedAsync(fixture.Redis, TimeSpan.FromSeconds(30));
        await fixture.LakeHasAsync(site.SiteId, events: 5, TimeSpan.FromSeconds(60));

        var page = await fixture.SignedInPageAsync(path: $"/?site={site.SiteId}&range=today");
        var dialogs = 0;
        page.Dialog += async (_, dialog) => { dialogs++; await dialog.DismissAsync(); };
        await page.WaitForSelectorAsync("body[data-ready=true]");
        await Assertions.Expect(page.Locator("#events tbody tr td")).ToHaveTextAsync(["Signup", "4", "3", "Download", "1", "1"]);

        // Picking the event in the panel (no filter yet).
        await page.Locator("#props-event").SelectOptionAsync("Signup");
        var panel = page.Locator("#props-panel");
        await Assertions.Expect(panel).ToHaveAttributeAsync("data-status", "ready");
        await Assertions.Expect(page.Locator("#props-key")).ToHaveValueAsync("plan");
        await Assertions.Expect(panel.Locator("tbody tr").Nth(0).Locator("td")).ToHaveTextAsync(["pro", "3", "2"]);
        await Assertions.Expect(panel.Locator("tbody tr").Nth(1).Locator("td")).ToHaveTextAsync([hostile, "1", "1"]);
        await Assertions.Expect(panel).Not.ToContainTextAsync("enterprise");
        Assert.Contains("props_event=Signup", page.Url);

        // A value becomes a filter; the whole view follows it.
        await panel.GetByRole(AriaRole.Button, new() { Name = "pro", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#filter-chips li")).ToHaveTextAsync(["Prop plan is pro×"]);
        await Assertions.Expect(page.Locator("#events tbody tr td")).ToHaveTextAsync(["Signup", "3", "2"]);
        await Assertions.Expect(Metric(page, "visitors")).ToHaveTextAsync("2");

        // A custom event's row is a filter too, and opens its props.
        await page.Locator("#filter-chips").GetByRole(AriaRole.Button).ClickAsync();
        await page.Locator("#events").GetByRole(AriaRole.Button, new() { Name = "Download", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#filter-chips li")).ToHaveTextAsync(["Event is Download×"]);
        await Assertions.Expect(page.Locator("#props-event")).ToHaveValueAsync("Download");
        await Assertions.Expect(panel.Locator("tbody tr td")).ToHaveTextAsync(["enterprise", "1", "1"]);
        Assert.Equal(0, await page.Locator("main img").CountAsync());
        Assert.Equal(0, dialogs);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_comparison_overlays_the_main_chart_or_says_why_it_cannot()
    {
        var site = await SeedAsync("compare.test");
        var page = await fixture.SignedInPageAsync(path: $"/?site={site.SiteId}&range=today");
        await page.WaitForSelectorAsync("body[data-ready=true]");
        await page.Locator("#compare").SelectOptionAsync("previous_period");
        Assert.Contains("compare=previous_period", page.Url);
        await page.WaitForFunctionAsync("() => (document.querySelector('#timeseries-chart').dataset.series || '').includes('previous period')");

        // The period's own series is there either way: six events, five page views.
        await Assertions.Expect(page.Locator("[data-widget=timeseries]")).ToHaveAttributeAsync("data-status", "ready");
        var series = await SeriesAsync(page, "timeseries-chart");
        Assert.Equal(5, Sum(series, 1));
        // Yesterday (the previous period of today) had nothing: the overlay is there, all zeros.
        Assert.False(await page.Locator("#compare-note").IsVisibleAsync());
        var labels = series.GetProperty("datasets").EnumerateArray().Select(d => d.GetProperty("label").GetString()).ToList();
        Assert.Equal(["Visitors", "Pageviews", "Visitors (previous period)", "Pageviews (previous period)"], labels);
        Assert.Equal(0, Sum(series, 3));

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#compare")).ToHaveValueAsync("previous_period");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_shared_dashboard_filters_through_its_link_for_its_site_only()
    {
        var site = await SeedAsync("shared-filters.test");
        var token = await new Sharing.ShareSteps(fixture).CreateLinkAsync(site.SiteId);
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.DashboardUrl });
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/share/{token}?range=today&f=source:Google&f=page:/pricing");
        await page.WaitForSelectorAsync("body[data-ready=true]");
        await Assertions.Expect(page.Locator("#filter-chips li")).ToHaveTextAsync(["Source is Google×", "Page is /pricing×"]);
        await ExpectGooglePricingAsync(page);

        // The link reads its own site only: a query naming another site is 404, sent from the page itself.
        var other = await fixture.CreateSiteAsync(domain: "other-shared.test");
        var status = await page.EvaluateAsync<int>(
            "async (site) => (await fetch(location.pathname + '/api/v2/query', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ site_id: site, metrics: ['visitors'], date_range: 'day' }) })).status",
            other.SiteId);
        Assert.Equal(404, status);
        await context.CloseAsync();
    }

    [Fact]
    public async Task Adds_two_filters_and_a_goal()
    {
        var site = await SeedAsync("goal-filters.test");
        var page = await fixture.SignedInPageAsync(path: $"/?site={site.SiteId}&range=today");
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync(); // the delete confirmation
        await page.WaitForSelectorAsync("body[data-ready=true]");

        // An administrator adds an event goal in the site's settings.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sites" }).ClickAsync();
        var editor = page.Locator("details").Filter(new() { HasText = "goal-filters.test" });
        await editor.Locator("summary").ClickAsync();
        var form = editor.GetByRole(AriaRole.Form, new() { Name = "Add a goal to Shop" });
        await form.GetByLabel("Goal type").SelectOptionAsync("event");
        await form.GetByLabel("Event name").FillAsync("Signup");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add goal" }).ClickAsync();
        await Assertions.Expect(editor.Locator("[data-goals-status]")).ToHaveTextAsync("Goal “Signup” added.");
        await Assertions.Expect(editor.Locator("[data-goals] li")).ToHaveCountAsync(1);

        // The goal panel: v1 converted, of five visitors.
        await page.ReloadAsync();
        await Assertions.Expect(Row(page, "goals", "Signup").Locator("td")).ToHaveTextAsync(["Signup", "1", "1", "20%"]);

        await page.Locator("#sources").GetByRole(AriaRole.Button, new() { Name = "Google", Exact = true }).ClickAsync();
        await Assertions.Expect(Row(page, "goals", "Signup").Locator("td")).ToHaveTextAsync(["Signup", "1", "1", "25%"]);
        await page.Locator("#pages").GetByRole(AriaRole.Button, new() { Name = "/pricing", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#filter-chips li")).ToHaveCountAsync(2);
        await Assertions.Expect(Row(page, "goals", "Signup").Locator("td")).ToHaveTextAsync(["Signup", "1", "1", "50%"]);

        // The goal is a filter too: the visitors who converted.
        await page.Locator("#goals").GetByRole(AriaRole.Button, new() { Name = "Signup", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#filter-chips li")).ToHaveTextAsync(["Source is Google×", "Page is /pricing×", "Goal is Signup×"]);
        await Assertions.Expect(Metric(page, "visitors")).ToHaveTextAsync("1");

        // Deleted in the settings, it leaves the panel.
        await page.GetByRole(AriaRole.Button, new() { Name = "Clear filters" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sites" }).ClickAsync();
        await editor.Locator("summary").ClickAsync();
        await editor.GetByRole(AriaRole.Button, new() { Name = "Delete goal Signup" }).ClickAsync();
        await Assertions.Expect(editor.Locator("[data-goals-status]")).ToHaveTextAsync("Goal deleted.");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#goals [data-state]")).ToContainTextAsync("No goals yet");
        await page.Context.CloseAsync();
    }
}
