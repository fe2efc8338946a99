using System.Globalization;
using LiveInsight.Core.Stats;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

[Collection(nameof(DashboardCollection))]
public sealed class DashboardTests(DashboardFixture fixture)
{
    private static readonly string N0 = "N0";

    private static string Format(long n) => n.ToString(N0, CultureInfo.InvariantCulture);

    /// <summary>A site with known rollups for today: 4 visitors, 9 pageviews, 5 sessions, 2 bounces. Google has more
    /// sessions (3, one visitor) and Direct more visitors (2 sessions, 2 visitors), so Direct ranks first.</summary>
    private async Task<(string SiteId, string PublicKey)> SeededSiteAsync()
    {
        await Rollups.WaitForFreshDayAsync(); // seeded as today, read as range=today on the Api's clock
        var site = await fixture.CreateSiteAsync();
        var rollups = new Rollups(fixture, site.SiteId);
        await rollups.SummaryAsync(pageviews: 9, sessions: 5, bounces: 2, durationMs: 300_000, "a", "b", "c", "d");
        await rollups.PageAsync("/", pageviews: 5, entries: 4, exits: 2, "a", "b", "c");
        await rollups.PageAsync("/pricing", pageviews: 4, entries: 1, exits: 3, "a", "d");
        await rollups.SessionsAsync(RollupLayout.Source, "Google", 3, "a");
        await rollups.SessionsAsync(RollupLayout.Source, "Direct", 2, "b", "c");
        await rollups.SessionsAsync(RollupLayout.Country, "DE", 5, "a", "b", "c", "d");
        await rollups.SessionsAsync(RollupLayout.Device, "desktop", 5, "a", "b", "c", "d");
        await rollups.EventAsync("Signup", 2);
        return site;
    }

    private static async Task WaitForDataAsync(IPage page)
    {
        await page.WaitForSelectorAsync("body[data-ready=true]");
        await page.WaitForSelectorAsync("#live-status[data-mode]");
    }

    [Fact]
    public async Task After_login_the_dashboard_shows_the_numbers_the_api_returns()
    {
        var site = await SeededSiteAsync();
        await fixture.PostPageViewAsync(site.PublicKey, "http://shop.test/live", visitor: "7");
        var page = await fixture.SignedInPageAsync(path: $"/?site={site.SiteId}&range=today");
        await WaitForDataAsync(page);

        var summary = await fixture.ApiJsonAsync($"/api/stats/summary?site_id={site.SiteId}&range=today");
        foreach (var metric in new[] { "visitors", "pageviews", "sessions" })
        {
            var expected = Format((long)summary.GetProperty(metric).GetProperty("value").GetDouble());
            Assert.Equal(expected, await page.Locator($"[data-metric={metric}] [data-value]").TextContentAsync());
        }

        var pages = await fixture.ApiJsonAsync($"/api/stats/pages?site_id={site.SiteId}&range=today&limit=10");
        var rows = page.Locator("#pages tbody tr");
        Assert.Equal(pages.GetProperty("pages").GetArrayLength(), await rows.CountAsync());
        var first = pages.GetProperty("pages")[0];
        Assert.Equal(first.GetProperty("path").GetString(), await rows.Nth(0).Locator("td").Nth(0).TextContentAsync());
        Assert.Equal(Format(first.GetProperty("visitors").GetInt64()), await rows.Nth(0).Locator("td").Nth(1).TextContentAsync());
        Assert.Equal(Format(first.GetProperty("pageviews").GetInt64()), await rows.Nth(0).Locator("td").Nth(2).TextContentAsync());

        // Breakdown rows of session dimensions: the value, its unique visitors and its visits, in the Api's order.
        var sources = (await fixture.ApiJsonAsync($"/api/stats/sources?site_id={site.SiteId}&range=today&limit=10")).GetProperty("rows");
        Assert.Equal(["Source", "Visitors", "Visits"], await page.Locator("#sources thead th").AllTextContentsAsync());
        Assert.Equal(["Direct", "Google"], sources.EnumerateArray().Select(r => r.GetProperty("value").GetString()));
        var sourceRows = page.Locator("#sources tbody tr");
        for (var i = 0; i < sources.GetArrayLength(); i++)
        {
            var expected = sources[i];
            Assert.Equal(
                [expected.GetProperty("value").GetString()!, Format(expected.GetProperty("visitors").GetInt64()), Format(expected.GetProperty("sessions").GetInt64())],
                await sourceRows.Nth(i).Locator("td").AllTextContentsAsync());
        }

        Assert.Equal(["DE", "4", "5"], await page.Locator("#countries tbody tr").First.Locator("td").AllTextContentsAsync());

        var realtime = await fixture.ApiJsonAsync($"/api/realtime/users?site_id={site.SiteId}");
        await Assertions.Expect(page.Locator("#current-visitors")).ToHaveTextAsync(Format(realtime.GetProperty("active_users").GetInt64()));
        await Assertions.Expect(page.Locator("#realtime-pages tbody")).ToContainTextAsync("/live");

        Directory.CreateDirectory(DashboardFixture.ScreenshotDirectory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardFixture.ScreenshotDirectory, "dashboard-desktop.png"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_new_event_raises_the_current_visitor_counter_without_a_reload()
    {
        var site = await fixture.CreateSiteAsync();
        await fixture.PostPageViewAsync(site.PublicKey, "http://shop.test/", visitor: "1");
        var page = await fixture.SignedInPageAsync(path: $"/?site={site.SiteId}");
        await Assertions.Expect(page.Locator("#current-visitors")).ToHaveTextAsync("1");
        Assert.Equal("push", await page.Locator("#live-status").GetAttributeAsync("data-mode"));
        var navigations = 0;
        page.FrameNavigated += (_, frame) => navigations += frame == page.MainFrame ? 1 : 0;

        await fixture.PostPageViewAsync(site.PublicKey, "http://shop.test/new", visitor: "2");

        await Assertions.Expect(page.Locator("#current-visitors")).ToHaveTextAsync("2", new() { Timeout = 15_000 });
        await Assertions.Expect(page.Locator("#realtime-pages tbody")).ToContainTextAsync("/new", new() { Timeout = 15_000 });
        Assert.Equal(0, navigations);
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Without_the_push_stream_the_counter_falls_back_to_polling()
    {
        var site = await fixture.CreateSiteAsync();
        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.DashboardUrl });
        await context.RouteAsync("**/realtime/stream**", route => route.AbortAsync());
        var page = await context.NewPageAsync();
        await page.GotoAsync($"/login?returnUrl={Uri.EscapeDataString($"/?site={site.SiteId}")}");
        await page.GetByLabel("E-mail").FillAsync(DashboardFixture.AdminEmail);
        await page.GetByLabel("Password").FillAsync(DashboardFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-mode", "polling");

        await fixture.PostPageViewAsync(site.PublicKey, "http://shop.test/", visitor: "3");

        await Assertions.Expect(page.Locator("#current-visitors")).ToHaveTextAsync("1", new() { Timeout = 15_000 });
        await context.CloseAsync();
    }

    [Fact]
    public async Task Visitor_supplied_strings_are_shown_as_text_and_never_run()
    {
        const string img = "<img src=x onerror=\"document.title='pwned'\">";
        const string bold = "<b id=injected>bold</b>";
        await Rollups.WaitForFreshDayAsync(); // seeded as today, read as range=today on the Api's clock
        var site = await fixture.CreateSiteAsync();
        var rollups = new Rollups(fixture, site.SiteId);
        await rollups.SummaryAsync(pageviews: 3, sessions: 3, bounces: 0, durationMs: 0, "a");
        await rollups.PageAsync("/" + img, pageviews: 2, entries: 1, exits: 1, "a");
        await rollups.SessionsAsync(RollupLayout.Source, img, 2);
        await rollups.SessionsAsync(RollupLayout.UtmCampaign, bold, 1);
        await rollups.EventAsync(img, 1);
        await fixture.PostPageViewAsync(site.PublicKey, "http://shop.test/<img src=x onerror=alert(1)>?q=<script>alert(2)</script>",
            title: img, referrer: "https://<img src=x onerror=alert(3)>.example/" + img);

        var context = await fixture.Browser.NewContextAsync(new() { BaseURL = fixture.DashboardUrl });
        var page = await context.NewPageAsync();
        var dialogs = 0;
        page.Dialog += async (_, dialog) => { dialogs++; await dialog.DismissAsync(); };
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") errors.Add(message.Text); };
        await page.GotoAsync($"/login?returnUrl={Uri.EscapeDataString($"/?site={site.SiteId}&range=today")}");
        await page.GetByLabel("E-mail").FillAsync(DashboardFixture.AdminEmail);
        await page.GetByLabel("Password").FillAsync(DashboardFixture.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await WaitForDataAsync(page);
        await Assertions.Expect(page.Locator("#realtime-pages tbody tr")).ToHaveCountAsync(1);

        Assert.Contains("/" + img, await page.Locator("#pages tbody").TextContentAsync());
        Assert.Contains(img, await page.Locator("#sources tbody").TextContentAsync());
        Assert.Contains(img, await page.Locator("#events tbody").TextContentAsync());
        Assert.Contains(bold, await page.Locator("#campaigns tbody").TextContentAsync());
        Assert.Equal(0, await page.Locator("#main img, #main b#injected, #main script").CountAsync());
        Assert.Equal(0, dialogs);
        Assert.NotEqual("pwned", await page.TitleAsync());
        Assert.DoesNotContain(errors, e => e.Contains("Content Security Policy", StringComparison.Ordinal));
        await context.CloseAsync();
    }

    [Fact]
    public async Task At_360_px_there_is_no_horizontal_scrolling()
    {
        var site = await SeededSiteAsync();
        await new Rollups(fixture, site.SiteId).PageAsync("/a/very/long/path/that/goes/on/and/on/" + new string('x', 120), 1, 0, 0, "z");
        var page = await fixture.SignedInPageAsync(width: 360, height: 780, path: $"/?site={site.SiteId}&range=today");
        await WaitForDataAsync(page);

        var widths = await page.EvaluateAsync<int[]>("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]");
        var (scrollWidth, clientWidth) = (widths[0], widths[1]);
        Assert.True(scrollWidth <= 360 && clientWidth <= 360, $"scrollWidth {scrollWidth}, clientWidth {clientWidth}");

        Directory.CreateDirectory(DashboardFixture.ScreenshotDirectory);
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardFixture.ScreenshotDirectory, "dashboard-mobile-360.png"), FullPage = true });
        await page.Context.CloseAsync();
    }
}
