using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

/// <summary>
/// Funnels (issue 18) in Chromium on the real stack: an administrator builds a funnel in the site's settings, the
/// Funnels view shows each step's visitors, conversion, drop-off and median time for the events sent through ingestion
/// and the aggregator's lake, follows the filter bar, and the funnel is edited and deleted in the settings.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class FunnelViewTests(DashboardFixture fixture)
{
    private static ILocator Figures(IPage page, int step) => page.Locator($"#funnels [data-funnel-step='{step}'] [data-step-figures]");

    /// <summary>
    /// Four visitors today, a session each, the funnel "/" → "/pricing" → Signup (same session):
    /// v1 Google "/", "/pricing" 10 s later, Signup 30 s after that (all three); v2 Google "/", "/pricing" 20 s later;
    /// v3 direct "/" only; v4 direct "/pricing" then "/" (out of order: step 1 only).
    /// So 4 → 2 (median 15 s) → 1 (30 s); with source Google, 2 → 2 → 1.
    /// </summary>
    [Fact]
    public async Task A_funnel_built_in_settings_shows_each_steps_visitors_conversion_drop_off_and_follows_the_filter_bar()
    {
        const string Domain = "funnels.test";
        var site = await fixture.CreateSiteAsync(domain: Domain);
        var sinceMidnight = DateTimeOffset.UtcNow.TimeOfDay;
        if (sinceMidnight < TimeSpan.FromMinutes(3))
        {
            await Task.Delay(TimeSpan.FromMinutes(3) - sinceMidnight); // every event "today" in UTC, the site's zone
        }

        var start = DateTimeOffset.UtcNow.AddMinutes(-2);
        var url = $"https://{Domain}";
        const string Google = "https://www.google.com/";
        await fixture.PostPageViewAsync(site.PublicKey, $"{url}/", referrer: Google, visitor: "91", sessionId: "fv1", at: start);
        await fixture.PostPageViewAsync(site.PublicKey, $"{url}/pricing", visitor: "91", sessionId: "fv1", at: start.AddSeconds(10));
        await fixture.PostCustomEventAsync(site.PublicKey, $"{url}/pricing", "Signup", visitor: "91", sessionId: "fv1", at: start.AddSeconds(40));
        await fixture.PostPageViewAsync(site.PublicKey, $"{url}/", referrer: Google, visitor: "92", sessionId: "fv2", at: start);
        await fixture.PostPageViewAsync(site.PublicKey, $"{url}/pricing", visitor: "92", sessionId: "fv2", at: start.AddSeconds(20));
        await fixture.PostPageViewAsync(site.PublicKey, $"{url}/", visitor: "93", sessionId: "fv3", at: start);
        await fixture.PostPageViewAsync(site.PublicKey, $"{url}/pricing", visitor: "94", sessionId: "fv4", at: start);
        await fixture.PostPageViewAsync(site.PublicKey, $"{url}/", visitor: "94", sessionId: "fv4", at: start.AddSeconds(5));
        _ = fixture.Aggregator;
        await RunningAggregator.DrainedAsync(fixture.Redis, TimeSpan.FromSeconds(30));
        await fixture.LakeHasAsync(site.SiteId, events: 8, TimeSpan.FromSeconds(60));

        var page = await fixture.SignedInPageAsync(path: $"/?site={site.SiteId}&range=today");
        page.Dialog += async (_, dialog) => await dialog.AcceptAsync(); // the delete confirmation
        await page.WaitForSelectorAsync("body[data-ready=true]");
        await Assertions.Expect(page.Locator("#funnels [data-state]")).ToContainTextAsync("No funnels yet");

        // The settings: a name, and three steps (two page rows are there; the third is added and made an event).
        await page.GetByRole(AriaRole.Button, new() { Name = "Sites" }).ClickAsync();
        var editor = page.Locator("details").Filter(new() { HasText = Domain });
        await editor.Locator("summary").ClickAsync();
        var form = editor.GetByRole(AriaRole.Form, new() { Name = "Add a funnel to Shop" });
        await form.GetByLabel("Funnel name").FillAsync("Signup funnel");
        var rows = form.Locator("[data-funnel-step-row]");
        await rows.Nth(0).GetByLabel("Page path or event name").FillAsync("/");
        await rows.Nth(1).GetByLabel("Page path or event name").FillAsync("/pricing");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add step" }).ClickAsync();
        await rows.Nth(2).GetByLabel("Step type").SelectOptionAsync("event");
        await rows.Nth(2).GetByLabel("Page path or event name").FillAsync("Signup");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add funnel" }).ClickAsync();
        await Assertions.Expect(editor.Locator("[data-funnels-status]")).ToHaveTextAsync("Funnel “Signup funnel” added.");
        await Assertions.Expect(editor.Locator("[data-funnels] li")).ToHaveTextAsync([new System.Text.RegularExpressions.Regex("Signup funnel.*3 steps · Same session")]);

        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#funnels [data-step-label]")).ToHaveTextAsync(["Visit /", "Visit /pricing", "Signup"]);
        await Assertions.Expect(Figures(page, 1)).ToHaveTextAsync("4 visitors · 100% of step 1");
        await Assertions.Expect(Figures(page, 2)).ToHaveTextAsync("2 visitors · 50% of step 1 · 50% of step 1 · drop-off 2 (50%) · median 15s");
        await Assertions.Expect(Figures(page, 3)).ToHaveTextAsync("1 visitor · 25% of step 1 · 50% of step 2 · drop-off 1 (50%) · median 30s");
        await Assertions.Expect(page.Locator("#funnels [data-funnel-summary]")).ToHaveTextAsync("4 of 4 visitors entered the funnel; 1 completed it (25%).");
        // The bars are as wide as each step's share of step 1.
        var widths = await page.Locator("#funnels [data-bar]").EvaluateAllAsync<string[]>("bars => bars.map(b => b.style.width)");
        Assert.Equal(["100%", "50%", "25%"], widths);

        // The filter bar applies: only Google's two visitors.
        await page.Locator("#sources").GetByRole(AriaRole.Button, new() { Name = "Google", Exact = true }).ClickAsync();
        await Assertions.Expect(page.Locator("#filter-chips li")).ToHaveTextAsync(["Source is Google×"]);
        await Assertions.Expect(Figures(page, 1)).ToHaveTextAsync("2 visitors · 100% of step 1");
        await Assertions.Expect(Figures(page, 2)).ToHaveTextAsync("2 visitors · 100% of step 1 · 100% of step 1 · drop-off 0 (0%) · median 15s");
        await Assertions.Expect(Figures(page, 3)).ToHaveTextAsync("1 visitor · 50% of step 1 · 50% of step 2 · drop-off 1 (50%) · median 30s");

        // A public link shows the same funnel read-only, through the link's forwarder (no cookie, no proxy), and its
        // cohort grid answers too (this site has no identify: the grid says so).
        var token = await new Sharing.ShareSteps(fixture).CreateLinkAsync(site.SiteId);
        var shared = await fixture.Browser.NewContextAsync();
        var paths = new System.Collections.Concurrent.ConcurrentQueue<string>();
        shared.Request += (_, request) => paths.Enqueue(new Uri(request.Url).AbsolutePath);
        var sharedPage = await shared.NewPageAsync();
        await sharedPage.GotoAsync($"{fixture.DashboardUrl}/share/{token}?range=today");
        await sharedPage.WaitForSelectorAsync("body[data-ready=true]");
        await Assertions.Expect(sharedPage.Locator("#funnels [data-step-label]")).ToHaveTextAsync(["Visit /", "Visit /pricing", "Signup"]);
        await Assertions.Expect(Figures(sharedPage, 3)).ToHaveTextAsync("1 visitor · 25% of step 1 · 50% of step 2 · drop-off 1 (50%) · median 30s");
        await Assertions.Expect(sharedPage.Locator("#cohorts")).ToHaveAttributeAsync("data-status", "off");
        Assert.Contains(paths, p => p.StartsWith("/share/", StringComparison.Ordinal) && p.EndsWith("/query", StringComparison.Ordinal) && p.Contains("/funnels/", StringComparison.Ordinal));
        Assert.Contains(paths, p => p.StartsWith("/share/", StringComparison.Ordinal) && p.EndsWith("/cohorts/query", StringComparison.Ordinal));
        Assert.DoesNotContain(paths, p => p.StartsWith("/proxy", StringComparison.Ordinal) || p.StartsWith("/account", StringComparison.Ordinal));
        Assert.Empty(await shared.CookiesAsync());
        await shared.CloseAsync();

        // Edited in the settings: without its last step the funnel ends at /pricing.
        await page.GetByRole(AriaRole.Button, new() { Name = "Clear filters" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sites" }).ClickAsync();
        await editor.Locator("summary").ClickAsync();
        await editor.GetByRole(AriaRole.Button, new() { Name = "Edit funnel Signup funnel" }).ClickAsync();
        await rows.Nth(2).GetByRole(AriaRole.Button, new() { Name = "Remove step" }).ClickAsync();
        await form.GetByRole(AriaRole.Button, new() { Name = "Save funnel" }).ClickAsync();
        await Assertions.Expect(editor.Locator("[data-funnels-status]")).ToHaveTextAsync("Funnel “Signup funnel” saved.");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#funnels [data-step-label]")).ToHaveTextAsync(["Visit /", "Visit /pricing"]);
        await Assertions.Expect(page.Locator("#funnels [data-funnel-summary]")).ToHaveTextAsync("4 of 4 visitors entered the funnel; 2 completed it (50%).");

        // A bad step is refused with the step named; deleting the funnel empties the view.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sites" }).ClickAsync();
        await editor.Locator("summary").ClickAsync();
        await form.GetByLabel("Funnel name").FillAsync("Broken");
        await rows.Nth(0).GetByLabel("Page path or event name").FillAsync("pricing");
        await rows.Nth(1).GetByLabel("Page path or event name").FillAsync("/b");
        await form.GetByRole(AriaRole.Button, new() { Name = "Add funnel" }).ClickAsync();
        await Assertions.Expect(editor.Locator("[data-funnels-status]")).ToContainTextAsync("Funnel not added: step 1 path:");
        await editor.GetByRole(AriaRole.Button, new() { Name = "Delete funnel Signup funnel" }).ClickAsync();
        await Assertions.Expect(editor.Locator("[data-funnels-status]")).ToHaveTextAsync("Funnel deleted.");
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#funnels [data-state]")).ToContainTextAsync("No funnels yet");
        await page.Context.CloseAsync();
    }
}
