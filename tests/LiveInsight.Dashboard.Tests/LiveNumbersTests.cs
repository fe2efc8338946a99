using System.Globalization;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

/// <summary>From ingestion through the real aggregator to the dashboard, with no session ended: the numbers that depend
/// on a whole visit (bounce rate, visit duration) are right while the visits are still open (issue 16).</summary>
[Collection(nameof(DashboardCollection))]
public sealed class LiveNumbersTests(DashboardFixture fixture)
{
    [Fact]
    public async Task A_bounce_and_a_two_page_visit_show_a_fifty_percent_bounce_rate_at_once()
    {
        var site = await fixture.CreateSiteAsync(domain: "live.test");
        // The visits happened in the last three minutes, all of them "today" in UTC (the site's zone).
        // And today still when the range=today reads come, after up to 30 s of aggregation: a midnight in between had
        // them read the next day (0 sessions).
        await Rollups.WaitForFreshDayAsync();
        var sinceMidnight = DateTimeOffset.UtcNow.TimeOfDay;
        if (sinceMidnight < TimeSpan.FromMinutes(4))
        {
            await Task.Delay(TimeSpan.FromMinutes(4) - sinceMidnight);
        }

        var start = DateTimeOffset.UtcNow.AddMinutes(-3);
        await fixture.PostPageViewAsync(site.PublicKey, "https://live.test/", visitor: "71", sessionId: "bounce", at: start);
        await fixture.PostPageViewAsync(site.PublicKey, "https://live.test/", visitor: "72", sessionId: "two-pages", at: start);
        await fixture.PostPageViewAsync(site.PublicKey, "https://live.test/pricing", visitor: "72", sessionId: "two-pages", at: start.AddSeconds(90));

        _ = fixture.Aggregator;
        await RunningAggregator.DrainedAsync(fixture.Redis, TimeSpan.FromSeconds(30));

        // Neither session has ended (they end after 30 idle minutes), yet both are booked whole.
        var summary = await fixture.ApiJsonAsync($"/api/stats/summary?site_id={site.SiteId}&range=today");
        Assert.Equal(2, summary.GetProperty("sessions").GetProperty("value").GetDouble());
        Assert.Equal(0.5, summary.GetProperty("bounce_rate").GetProperty("value").GetDouble());
        Assert.Equal(45, summary.GetProperty("avg_duration_seconds").GetProperty("value").GetDouble());

        var page = await fixture.SignedInPageAsync(path: $"/?site={site.SiteId}&range=today");
        await page.WaitForSelectorAsync("body[data-ready=true]");
        await Assertions.Expect(page.Locator("[data-metric=bounce_rate] [data-value]")).ToHaveTextAsync("50%");
        await Assertions.Expect(page.Locator("[data-metric=sessions] [data-value]")).ToHaveTextAsync("2");
        await Assertions.Expect(page.Locator("[data-metric=avg_duration_seconds] [data-value]")).ToHaveTextAsync("45s");
        var exits = await fixture.ApiJsonAsync($"/api/stats/exit-pages?site_id={site.SiteId}&range=today");
        var exitRows = exits.GetProperty("rows").EnumerateArray()
            .ToDictionary(r => r.GetProperty("value").GetString()!, r => r.GetProperty("exits").GetInt64().ToString(CultureInfo.InvariantCulture));
        Assert.Equal(new Dictionary<string, string> { ["/"] = "1", ["/pricing"] = "1" }, exitRows);
        await page.Context.CloseAsync();
    }
}
