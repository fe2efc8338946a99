using System.Net.Http.Json;
using System.Text.Json;
using DuckDB.NET.Data;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

/// <summary>
/// The Funnels card's pick and comparison in Chromium, on a known lake (UTC site): the week 2026-11-16..22 has three
/// visitors who visit "/" and two who go on to "/pricing"; the week before (2026-11-09..15) four visit "/" and one goes
/// on. Two funnels: "Home to pricing" ("/" → "/pricing") and "Pricing only" ("/pricing" → "/").
/// </summary>
[Collection(nameof(DashboardCollection))]
public sealed class FunnelPickTests(DashboardFixture fixture)
{
    private const string View = "range=custom&from=2026-11-16&to=2026-11-22";

    private static ILocator Figures(IPage page, int step) => page.Locator($"#funnels [data-funnel-step='{step}'] [data-step-figures]");

    private static ILocator Compared(IPage page, int step) => page.Locator($"#funnels [data-funnel-step='{step}'] [data-step-comparison]");

    private async Task<(string SiteId, string Home, string Pricing)> SiteAsync()
    {
        const string Domain = "funnel-pick.test";
        var (siteId, _) = await fixture.CreateSiteAsync(domain: Domain);
        (string Visitor, int Day, string[] Paths)[] visits =
        [
            ("a", 18, ["/", "/pricing"]), ("b", 18, ["/", "/pricing"]), ("c", 19, ["/"]),
            ("d", 11, ["/", "/pricing"]), ("e", 11, ["/"]), ("f", 12, ["/"]), ("g", 12, ["/"]),
        ];
        using var duck = new DuckDBConnection("DataSource=:memory:");
        duck.Open();
        foreach (var day in visits.GroupBy(v => new DateOnly(2026, 11, v.Day)))
        {
            KnownLake.Stage(duck);
            foreach (var (visitor, _, paths) in day)
            {
                for (var i = 0; i < paths.Length; i++)
                {
                    var local = day.Key.ToDateTime(new TimeOnly(10, i));
                    KnownLake.Execute(duck, "INSERT INTO staged (event_id, ts, local_ts, visitor_id, session_id, type, hostname, path) " +
                                  "VALUES ($1, $2, $3, $4, $5, 'page_view', $6, $7)",
                        $"{visitor}{i}", new DateTimeOffset(local, TimeSpan.Zero).ToUnixTimeMilliseconds(), local, $"v{visitor}", $"s{visitor}", Domain, paths[i]);
                }
            }

            KnownLake.WriteDay(duck, fixture.LakePath, siteId, day.Key);
        }

        using var admin = new HttpClient { BaseAddress = new Uri(fixture.ApiUrl) };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", DashboardFixture.AdminToken);
        async Task<string> CreateAsync(string name, string first, string second)
        {
            var response = await admin.PostAsJsonAsync($"/api/sites/{siteId}/funnels",
                new { name, steps = new object[] { new { kind = "page", path = first }, new { kind = "page", path = second } } });
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        }

        return (siteId, await CreateAsync("Home to pricing", "/", "/pricing"), await CreateAsync("Pricing only", "/pricing", "/"));
    }

    [Fact]
    public async Task The_picked_funnel_is_kept_in_the_url_and_a_comparison_shows_each_steps_previous_visitors()
    {
        var (siteId, home, pricing) = await SiteAsync();
        var page = await fixture.SignedInPageAsync(path: $"/?site={siteId}&{View}");
        await page.WaitForSelectorAsync("body[data-ready=true]");

        await Assertions.Expect(page.Locator("#funnel-picker")).ToHaveValueAsync(home);
        await Assertions.Expect(Figures(page, 1)).ToHaveTextAsync("3 visitors · 100% of step 1");
        await Assertions.Expect(Compared(page, 1)).ToHaveCountAsync(0); // no comparison asked

        // Picking the other funnel puts it in the URL; a reload and a shared URL open it.
        await page.Locator("#funnel-picker").SelectOptionAsync(pricing);
        await Assertions.Expect(page.Locator("#funnels [data-step-label]")).ToHaveTextAsync(["Visit /pricing", "Visit /"]);
        await Assertions.Expect(Figures(page, 1)).ToHaveTextAsync("2 visitors · 100% of step 1");
        Assert.Contains($"funnel={pricing}", page.Url, StringComparison.Ordinal);
        await page.ReloadAsync();
        await Assertions.Expect(page.Locator("#funnel-picker")).ToHaveValueAsync(pricing);
        await Assertions.Expect(page.Locator("#funnels [data-step-label]")).ToHaveTextAsync(["Visit /pricing", "Visit /"]);

        // Back returns to the first funnel.
        await page.GoBackAsync();
        await Assertions.Expect(page.Locator("#funnel-picker")).ToHaveValueAsync(home);
        await Assertions.Expect(page.Locator("#funnels [data-step-label]")).ToHaveTextAsync(["Visit /", "Visit /pricing"]);

        // With the previous period compared, each step shows the week before's visitors beside this week's.
        await page.Locator("#compare").SelectOptionAsync("previous_period");
        await Assertions.Expect(Figures(page, 2)).ToHaveTextAsync("2 visitors · 66.7% of step 1 · 66.7% of step 1 · drop-off 1 (33.3%) · median 1m 00s");
        await Assertions.Expect(Compared(page, 1)).ToHaveTextAsync("previous period: 4 visitors");
        await Assertions.Expect(Compared(page, 2)).ToHaveTextAsync("previous period: 1 visitor (25% of step 1)");

        // A funnel id in the URL that is not this site's falls back to the first funnel; one that is not an id is ignored.
        var other = await fixture.SignedInPageAsync(path: $"/?site={siteId}&{View}&funnel=f_zzzzzzzz");
        await Assertions.Expect(other.Locator("#funnel-picker")).ToHaveValueAsync(home);
        await other.GotoAsync($"{fixture.DashboardUrl}/?site={siteId}&{View}&funnel=%3Cimg%20src%3Dx%3E");
        await Assertions.Expect(other.Locator("#funnel-picker")).ToHaveValueAsync(home);
        Assert.DoesNotContain("funnel=", new Uri(other.Url).Query, StringComparison.Ordinal);
        await other.Context.CloseAsync();
        await page.Context.CloseAsync();
    }
}
