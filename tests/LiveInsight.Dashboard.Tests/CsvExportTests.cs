using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

/// <summary>Issue 23: every widget downloads what it shows as CSV, built in the browser; visitor text that a spreadsheet
/// would run as a formula (= + - @) is prefixed with '.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class CsvExportTests(DashboardFixture fixture)
{
    [Fact]
    public async Task A_widget_downloads_exactly_its_rows_with_formulas_neutralised()
    {
        var site = await fixture.CreateSiteAsync("CSV " + Guid.NewGuid().ToString("N")[..6]);
        await Rollups.WaitForFreshDayAsync(); // seeded as today, read as range=today on the Api's clock
        var rollups = new Rollups(fixture, site.SiteId);
        await rollups.SummaryAsync(pageviews: 4, sessions: 2, bounces: 1, durationMs: 60_000, "a", "b");
        await rollups.EventAsync("=HYPERLINK(\"http://evil.example\",\"x\")", 1234);
        await rollups.EventAsync("@SUM(1,2)", 3);
        await rollups.EventAsync("Signup, \"pro\"", 2);

        var page = await fixture.SignedInPageAsync(path: $"/?site={site.SiteId}&range=today");
        await page.WaitForSelectorAsync("body[data-ready=true]");
        var events = page.Locator("#events");
        await Assertions.Expect(events.Locator("tbody tr")).ToHaveCountAsync(3);

        var download = await page.RunAndWaitForDownloadAsync(() => events.GetByRole(AriaRole.Button, new() { Name = "Download Custom events as CSV" }).ClickAsync());
        var text = await File.ReadAllTextAsync((await download.PathAsync())!);

        Assert.Equal($"{site.SiteId}-events-today.csv", download.SuggestedFilename);
        var shown = await events.Locator("tbody tr").EvaluateAllAsync<string[][]>("rows => rows.map(r => [...r.cells].map(c => c.textContent))");
        Assert.Equal("1,234", shown[0][1]); // on screen; the file has the number
        string Visitors(int row) => shown[row][2].Replace(",", "", StringComparison.Ordinal);
        Assert.Equal(
            "Event,Count,Visitors\r\n" +
            $"\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",1234,{Visitors(0)}\r\n" +
            $"\"'@SUM(1,2)\",3,{Visitors(1)}\r\n" +
            $"\"Signup, \"\"pro\"\"\",2,{Visitors(2)}\r\n",
            text);

        // A chart's series and the totals download the same way.
        var daily = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download Daily visitors as CSV" }).ClickAsync());
        var dailyRows = (await File.ReadAllTextAsync((await daily.PathAsync())!)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("Date,", dailyRows[0], StringComparison.Ordinal);
        Assert.Contains(dailyRows, row => row.StartsWith(Rollups.Today.ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture) + ",2", StringComparison.Ordinal));
        var totals = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Button, new() { Name = "Download Totals as CSV" }).ClickAsync());
        var totalRows = (await File.ReadAllTextAsync((await totals.PathAsync())!)).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("Metric,Value,Change", totalRows[0]);
        Assert.Contains(totalRows, row => row.StartsWith("Pageviews,4,", StringComparison.Ordinal));
        await page.Context.CloseAsync();
    }
}
