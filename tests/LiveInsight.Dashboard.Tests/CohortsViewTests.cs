using System.Net.Http.Json;
using DuckDB.NET.Data;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

/// <summary>
/// The Cohorts view in Chromium on a known lake (UTC site, weeks from Monday 2026-10-26): A first seen in week 0 and back
/// in weeks 1 and 3, B in week 0 and back in week 2, C in week 1 and back in week 2, D in week 1 only, E in week 3 only.
/// Week 0: 2 users, 100 % / 50 % / 50 % / 50 %; week 1: 2 users, 100 % / 50 % / 0 %; week 2: none; week 3: 1 user, 100 %.
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class CohortsViewTests(DashboardFixture fixture)
{
    private const string View = "range=custom&from=2026-10-26&to=2026-11-22";

    private async Task<string> SiteAsync(bool identify, string domain)
    {
        var (siteId, _) = await fixture.CreateSiteAsync(domain: domain);
        if (identify)
        {
            using var admin = new HttpClient { BaseAddress = new Uri(fixture.ApiUrl) };
            admin.DefaultRequestHeaders.Authorization = new("Bearer", DashboardFixture.AdminToken);
            (await admin.PatchAsJsonAsync($"/api/sites/{siteId}", new { identify_enabled = true })).EnsureSuccessStatusCode();
        }

        (char User, int Month, int Day)[] seen =
        [
            ('a', 10, 28), ('a', 11, 5), ('a', 11, 18), ('b', 10, 27), ('b', 11, 10), ('c', 11, 3), ('c', 11, 12), ('d', 11, 4), ('e', 11, 17),
        ];
        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        foreach (var day in seen.GroupBy(s => new DateOnly(2026, s.Month, s.Day)))
        {
            KnownLake.Stage(duck);
            foreach (var (user, _, _) in day)
            {
                var local = day.Key.ToDateTime(new TimeOnly(10, 0));
                KnownLake.Execute(duck, "INSERT INTO staged (event_id, ts, local_ts, visitor_id, session_id, type, hostname, path, user_hash) " +
                              "VALUES ($1, $2, $3, $4, $5, 'page_view', $6, '/', $7)",
                    $"{user}{day.Key:MMdd}", new DateTimeOffset(local, TimeSpan.Zero).ToUnixTimeMilliseconds(), local, $"v{user}{day.Key:MMdd}", $"s{user}{day.Key:MMdd}",
                    domain, new string(user, 32));
            }

            KnownLake.WriteDay(duck, fixture.LakePath, siteId, day.Key);
        }

        return siteId;
    }

    private static ILocator Row(IPage page, string cohort) => page.Locator($"#cohorts tr[data-cohort='{cohort}']");

    [Fact]
    public async Task The_grid_shows_each_weeks_cohort_with_the_share_active_in_later_weeks_and_follows_the_period()
    {
        var siteId = await SiteAsync(identify: true, "cohorts.test");
        var page = await fixture.SignedInPageAsync(path: $"/?site={siteId}&{View}");

        await Assertions.Expect(page.Locator("#cohorts")).ToHaveAttributeAsync("data-status", "ready");
        await Assertions.Expect(page.Locator("#cohorts thead th")).ToHaveTextAsync(["Cohort", "Users", "Week 0", "Week 1", "Week 2", "Week 3"]);
        await Assertions.Expect(Row(page, "2026-10-26").Locator("td")).ToHaveTextAsync(["2", "100%", "50%", "50%", "50%"]);
        await Assertions.Expect(Row(page, "2026-11-02").Locator("td")).ToHaveTextAsync(["2", "100%", "50%", "0%", ""]);
        await Assertions.Expect(Row(page, "2026-11-09").Locator("td")).ToHaveTextAsync(["0", "–", "–", "", ""]);
        await Assertions.Expect(Row(page, "2026-11-16").Locator("td")).ToHaveTextAsync(["1", "100%", "", "", ""]);

        // Shaded by share: a full cell is darker than a half one.
        var full = await Row(page, "2026-10-26").Locator("td[data-percent='100']").EvaluateAsync<string>("td => getComputedStyle(td).backgroundColor");
        var half = await Row(page, "2026-10-26").Locator("td[data-percent='50']").First.EvaluateAsync<string>("td => getComputedStyle(td).backgroundColor");
        Assert.NotEqual(full, half);
        Assert.Contains("0.8", full, StringComparison.Ordinal);

        await page.Locator("#cohort-period").SelectOptionAsync("month");
        await Assertions.Expect(page.Locator("#cohorts thead th")).ToHaveTextAsync(["Cohort", "Users", "Month 0", "Month 1"]);
        await Assertions.Expect(Row(page, "2026-10-01").Locator("td")).ToHaveTextAsync(["2", "100%", "100%"]);
        await Assertions.Expect(Row(page, "2026-11-01").Locator("td")).ToHaveTextAsync(["3", "100%", ""]);

        // The period is part of the view: in the URL, kept on reload, undone by Back.
        Assert.Contains("cohort=month", page.Url, StringComparison.Ordinal);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#cohort-period")).ToHaveValueAsync("month");
        await Assertions.Expect(Row(page, "2026-11-01").Locator("td")).ToHaveTextAsync(["3", "100%", ""]);
        await page.GoBackAsync();
        await Assertions.Expect(page.Locator("#cohort-period")).ToHaveValueAsync("week");
        await Assertions.Expect(page.Locator("#cohorts thead th")).ToHaveTextAsync(["Cohort", "Users", "Week 0", "Week 1", "Week 2", "Week 3"]);

        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardFixture.ScreenshotDirectory, "cohorts.png"), FullPage = true });
    }

    [Fact]
    public async Task A_site_without_identify_says_cohorts_need_it_instead_of_a_grid()
    {
        var siteId = await SiteAsync(identify: false, "no-cohorts.test");
        var page = await fixture.SignedInPageAsync(path: $"/?site={siteId}&{View}");

        await Assertions.Expect(page.Locator("#cohorts")).ToHaveAttributeAsync("data-status", "off");
        await Assertions.Expect(page.Locator("#cohorts [data-state]")).ToContainTextAsync("identify_enabled");
        await Assertions.Expect(page.Locator("#cohorts table")).ToHaveCountAsync(0);
    }
}
