using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

/// <summary>Issue 23: <c>POST /api/demo</c> (what <c>./liveinsight demo</c> and the Aspire command call) fills a Demo
/// site through the import path and the real ingestion path, and every widget of the dashboard then shows numbers.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class DemoTests(DashboardFixture fixture)
{
    private async Task<JsonElement> LoadDemoAsync()
    {
        using var admin = new HttpClient { BaseAddress = new Uri(fixture.ApiUrl), Timeout = TimeSpan.FromMinutes(3) };
        admin.DefaultRequestHeaders.Authorization = new("Bearer", DashboardFixture.AdminToken);
        var response = await admin.PostAsync("/api/demo", content: null);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task The_demo_fills_every_widget_and_a_second_run_adds_nothing()
    {
        var first = await LoadDemoAsync();
        var siteId = first.GetProperty("site_id").GetString()!;
        Assert.Equal(88, first.GetProperty("history").GetProperty("days").GetInt32()); // 90 days: 88 imported, yesterday and today ingested
        Assert.True(first.GetProperty("events_accepted").GetInt32() > 500, first.ToString());

        _ = fixture.Aggregator;
        await RunningAggregator.DrainedAsync(fixture.Redis, TimeSpan.FromSeconds(60));
        var today = await fixture.ApiJsonAsync($"/api/stats/summary?site_id={siteId}&range=today");
        var month = await fixture.ApiJsonAsync($"/api/stats/summary?site_id={siteId}&range=30d");

        var again = await LoadDemoAsync();
        Assert.Equal(siteId, again.GetProperty("site_id").GetString());
        Assert.Equal(first.GetProperty("history").GetProperty("import_id").GetString(), again.GetProperty("history").GetProperty("import_id").GetString());
        Assert.Equal(0, again.GetProperty("events_accepted").GetInt32()); // today's events have fixed ids: duplicates
        await RunningAggregator.DrainedAsync(fixture.Redis, TimeSpan.FromSeconds(30));
        var todayAgain = await fixture.ApiJsonAsync($"/api/stats/summary?site_id={siteId}&range=today");
        Assert.Equal(today.GetProperty("pageviews").GetProperty("value").GetDouble(), todayAgain.GetProperty("pageviews").GetProperty("value").GetDouble());
        Assert.True(month.GetProperty("visitors").GetProperty("value").GetDouble() > 5_000, month.ToString());
        var goals = await fixture.ApiJsonAsync($"/api/sites/{siteId}/goals");
        Assert.Equal(["Signup", "Signup on Pro", "Visit /pricing"], goals.GetProperty("goals").EnumerateArray().Select(g => g.GetProperty("display_name").GetString()));
        var funnels = await fixture.ApiJsonAsync($"/api/sites/{siteId}/funnels");
        Assert.Equal(["Pricing to signup"], funnels.GetProperty("funnels").EnumerateArray().Select(f => f.GetProperty("name").GetString()));

        var page = await fixture.SignedInPageAsync(path: $"/?site={siteId}&range=30d");
        await page.WaitForSelectorAsync("body[data-ready=true]");
        foreach (var metric in new[] { "visitors", "pageviews", "sessions", "views_per_visit", "bounce_rate", "avg_duration_seconds", "time_on_page_seconds" })
        {
            var text = await page.Locator($"[data-metric={metric}] [data-value]").TextContentAsync();
            Assert.True(text is { Length: > 0 } && text.Any(c => c is >= '1' and <= '9'), $"{metric} shows '{text}'");
        }

        foreach (var widget in new[] { "pages", "sources", "campaigns", "entry-pages", "exit-pages", "countries", "devices", "browsers", "os", "events" })
        {
            await Assertions.Expect(page.Locator($"#{widget} tbody tr").First).ToBeVisibleAsync();
            Assert.True(await page.Locator($"#{widget} tbody tr").CountAsync() >= 2, $"{widget} has fewer than two rows");
        }

        await page.Context.CloseAsync();
    }
}
