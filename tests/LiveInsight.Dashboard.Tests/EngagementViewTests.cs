using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;
using StackExchange.Redis;

namespace LiveInsight.Dashboard.Tests;

/// <summary>Time on page and scroll depth in the pages and summary widgets (issue 16); the props panel is in FilterBarTests.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class EngagementViewTests(DashboardFixture fixture)
{
    [Fact]
    public async Task Pages_show_time_on_page_and_scroll_depth()
    {
        var site = await fixture.CreateSiteAsync();
        await Rollups.WaitForFreshDayAsync(); // seeded as today, read as range=today on the Api's clock
        var rollups = new Rollups(fixture, site.SiteId);
        await rollups.SummaryAsync(pageviews: 4, sessions: 2, bounces: 1, durationMs: 60_000, "a", "b");
        await rollups.PageAsync("/a", pageviews: 3, entries: 2, exits: 1, "a", "b");
        await rollups.PageAsync("/b", pageviews: 1, entries: 0, exits: 1, "a");
        var db = fixture.Redis.GetDatabase();
        var day = RollupLayout.RedisHash(site.SiteId, Granularity.Day, RollupLayout.DayBucket(Rollups.Today));
        async Task Put(string dimension, string value, string metric, long n) =>
            await db.HashSetAsync(day, RollupLayout.Field(dimension, value, metric), n);

        // /a: 25 s over 2 reporting views = 12.5 s → "13s", scroll (80 + 31) / 2 = 55.5 %; /b reported nothing.
        await Put(RollupLayout.Page, "/a", RollupLayout.EngagedMs, 25_000);
        await Put(RollupLayout.Page, "/a", RollupLayout.EngagedViews, 2);
        await Put(RollupLayout.Page, "/a", RollupLayout.ScrollSum, 111);
        await Put(RollupLayout.Page, "/a", RollupLayout.ScrollViews, 2);
        await Put(RollupLayout.Summary, "", RollupLayout.EngagedMs, 90_000);
        await Put(RollupLayout.Summary, "", RollupLayout.EngagedViews, 2);

        var page = await fixture.SignedInPageAsync(path: $"/?site={site.SiteId}&range=today");
        var dialogs = 0;
        page.Dialog += async (_, dialog) => { dialogs++; await dialog.DismissAsync(); };
        await page.WaitForSelectorAsync("body[data-ready=true]");

        var pages = page.Locator("#pages");
        await Assertions.Expect(pages.Locator("thead th")).ToHaveTextAsync(["Page", "Visitors", "Views", "Time on page", "Scroll depth"]);
        await Assertions.Expect(pages.Locator("tbody tr").Filter(new() { HasText = "/a" }).Locator("td")).ToHaveTextAsync(["/a", "2", "3", "13s", "55.5%"]);
        await Assertions.Expect(pages.Locator("tbody tr").Filter(new() { HasText = "/b" }).Locator("td")).ToHaveTextAsync(["/b", "1", "1", "–", "–"]);
        await Assertions.Expect(page.Locator("[data-metric=time_on_page_seconds] [data-value]")).ToHaveTextAsync("45s");

        Assert.Equal(0, dialogs);
    }
}
