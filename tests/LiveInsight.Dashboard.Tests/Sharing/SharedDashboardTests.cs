using System.Globalization;
using System.Net;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests.Sharing;

/// <summary>Public links in headless Chromium: made and managed in the site settings, opened by someone without an account.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class SharedDashboardTests(DashboardFixture fixture)
{
    private readonly ShareSteps _steps = new(fixture);

    [Fact]
    public async Task A_link_made_in_the_site_settings_opens_that_sites_dashboard_read_only_without_signing_in()
    {
        var name = ShareSteps.Unique("Shared shop");
        var site = await fixture.CreateSiteAsync(name);
        await Rollups.WaitForFreshDayAsync(); // seeded as today, read as range=today on the Api's clock
        var rollups = new Rollups(fixture, site.SiteId);
        await rollups.SummaryAsync(pageviews: 7, sessions: 3, bounces: 1, durationMs: 90_000, "a", "b", "c");
        await rollups.PageAsync("/shared", pageviews: 7, entries: 3, exits: 3, "a", "b", "c");
        await fixture.PostPageViewAsync(site.PublicKey, "http://shop.test/live-shared", visitor: "21");
        var other = await fixture.CreateSiteAsync(ShareSteps.Unique("Private shop"));
        await new Rollups(fixture, other.SiteId).PageAsync("/secret-page", pageviews: 50, entries: 5, exits: 5, "z");

        var admin = await fixture.SignedInPageAsync();
        admin.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Sites" }).ClickAsync();
        var editor = admin.Locator("details").Filter(new() { HasText = name });
        await editor.Locator("summary").ClickAsync();
        var control = editor.Locator($"[data-share='{site.SiteId}']");
        await Assertions.Expect(control.Locator("[data-share-status]")).ToHaveTextAsync("No public link.");
        await control.GetByRole(AriaRole.Button, new() { Name = "Create public link" }).ClickAsync();
        var urlBox = control.GetByLabel("Public link", new() { Exact = true });
        await Assertions.Expect(urlBox).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("/share/[A-Za-z0-9_-]{43}$"));
        await Assertions.Expect(control.Locator("[data-share-status]")).ToContainTextAsync(DashboardFixture.AdminEmail);
        var url = await urlBox.InputValueAsync();
        Directory.CreateDirectory(DashboardFixture.ScreenshotDirectory);
        await control.ScreenshotAsync(new() { Path = Path.Combine(DashboardFixture.ScreenshotDirectory, "share-link-control.png") });
        await admin.Context.CloseAsync();

        var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var requests = new System.Collections.Concurrent.ConcurrentQueue<string>();
        context.Request += (_, request) => requests.Enqueue(new Uri(request.Url).AbsolutePath);
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(url + "?range=today");
        Assert.Equal(200, response!.Status);
        await page.WaitForSelectorAsync("body[data-ready=true]");

        var summary = await fixture.ApiJsonAsync($"/api/stats/summary?site_id={site.SiteId}&range=today");
        foreach (var metric in new[] { "visitors", "pageviews", "sessions" })
        {
            var expected = ((long)summary.GetProperty(metric).GetProperty("value").GetDouble()).ToString("N0", CultureInfo.InvariantCulture);
            Assert.Equal(expected, await page.Locator($"[data-metric={metric}] [data-value]").TextContentAsync());
        }

        await Assertions.Expect(page.Locator("#pages tbody")).ToContainTextAsync("/shared");
        await Assertions.Expect(page.Locator("#pages tbody")).Not.ToContainTextAsync("/secret-page");
        await Assertions.Expect(page.Locator("#current-visitors")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-mode", "push");
        await Assertions.Expect(page.Locator("#shared-site")).ToHaveTextAsync(name);
        foreach (var hidden in new[] { "#site", "#manage-sites", "#logout", "#user" })
        {
            Assert.False(await page.Locator(hidden).IsVisibleAsync(), hidden + " is visible");
        }

        Assert.Empty(await context.CookiesAsync());
        Assert.DoesNotContain(requests, path => path.StartsWith("/account", StringComparison.Ordinal) || path.StartsWith("/proxy", StringComparison.Ordinal));
        Assert.Contains(requests, path => path.EndsWith("/api/stats/summary", StringComparison.Ordinal) && path.StartsWith("/share/", StringComparison.Ordinal));
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardFixture.ScreenshotDirectory, "dashboard-shared.png"), FullPage = true });

        // Charts resize on a later frame: wait for the layout to settle rather than measuring the old one.
        await page.SetViewportSizeAsync(360, 780);
        await page.WaitForFunctionAsync("() => document.documentElement.scrollWidth <= 360", null, new() { Timeout = 5_000 });
        await context.CloseAsync();
    }

    [Fact]
    public async Task Replace_and_revoke_in_the_site_settings_kill_the_old_links_at_once()
    {
        var name = ShareSteps.Unique("Settings shop");
        var site = await fixture.CreateSiteAsync(name);
        var first = await _steps.CreateLinkAsync(site.SiteId);
        using var anonymous = fixture.NewHttpClient();
        var page = await fixture.SignedInPageAsync();
        var dialogs = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Dialog += async (_, dialog) => { dialogs.Enqueue(dialog.Message); await dialog.AcceptAsync(); };
        await page.GetByRole(AriaRole.Button, new() { Name = "Sites" }).ClickAsync();
        var editor = page.Locator("details").Filter(new() { HasText = name });
        await editor.Locator("summary").ClickAsync();
        var control = editor.Locator($"[data-share='{site.SiteId}']");
        await Assertions.Expect(control.Locator("[data-share-status]")).ToContainTextAsync("A public link is active");

        await control.GetByRole(AriaRole.Button, new() { Name = "Replace link…" }).ClickAsync();
        var urlBox = control.GetByLabel("Public link", new() { Exact = true });
        await Assertions.Expect(urlBox).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("/share/[A-Za-z0-9_-]{43}$"));
        var second = (await urlBox.InputValueAsync()).Split("/share/")[1];
        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/share/{first}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/share/{second}")).StatusCode);

        await control.GetByRole(AriaRole.Button, new() { Name = "Revoke link" }).ClickAsync();
        await Assertions.Expect(control.Locator("[data-share-status]")).ToHaveTextAsync("No public link.");
        await Assertions.Expect(urlBox).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/share/{second}")).StatusCode);
        Assert.Equal(2, dialogs.Count); // both ask first: each cuts off whoever holds the current link
        await page.Context.CloseAsync();
    }
}
