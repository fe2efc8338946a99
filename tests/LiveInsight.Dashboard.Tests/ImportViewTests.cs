using System.Globalization;
using System.IO.Compression;
using System.Text;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

/// <summary>Issue 20: a site admin imports Plausible's export in site settings, sees the imported days in the
/// dashboard (hostile page names as text), and deletes the import again.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class ImportViewTests(DashboardFixture fixture)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    private static string D(int daysAgo) => Today.AddDays(-daysAgo).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static byte[] PlausibleZip()
    {
        var files = new Dictionary<string, string>
        {
            ["imported_visitors_20200101_20991231.csv"] =
                $"date,visitors,pageviews,bounces,visits,visit_duration\n{D(20)},30,70,10,40,2000\n{D(19)},20,50,5,25,1000\n",
            ["imported_pages_20200101_20991231.csv"] =
                $"date,hostname,page,visits,visitors,pageviews\n{D(20)},shop.test,/<img src=x onerror=alert(1)>,5,5,9\n{D(20)},shop.test,/,35,25,61\n",
        };
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in files)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
                writer.Write(text);
            }
        }

        return memory.ToArray();
    }

    [Fact]
    public async Task A_site_admin_imports_a_Plausible_export_sees_its_days_and_deletes_it()
    {
        var name = "Imported " + Guid.NewGuid().ToString("N")[..6];
        var site = await fixture.CreateSiteAsync(name);
        var page = await fixture.SignedInPageAsync();
        var dialogs = 0;
        page.Dialog += async (_, dialog) => { dialogs++; await dialog.AcceptAsync(); };
        await page.GetByRole(AriaRole.Button, new() { Name = "Sites" }).ClickAsync();
        var editor = page.Locator("details").Filter(new() { HasText = name });
        await editor.Locator("summary").ClickAsync();
        var imports = editor.GetByRole(AriaRole.Region, new() { Name = $"Imported history of {name}" });
        await imports.GetByRole(AriaRole.Button, new() { Name = "Show imports" }).ClickAsync();
        await Assertions.Expect(imports.GetByLabel($"Imports of {name}")).ToHaveTextAsync("No imports.");

        await imports.GetByLabel("Export from").SelectOptionAsync("plausible");
        await imports.GetByLabel("Export file").SetInputFilesAsync(new FilePayload { Name = "plausible-export.zip", MimeType = "application/zip", Buffer = PlausibleZip() });
        await imports.GetByRole(AriaRole.Button, new() { Name = "Import", Exact = true }).ClickAsync();

        await Assertions.Expect(imports.Locator("[data-import-status]")).ToHaveTextAsync($"Imported Plausible: {D(20)} to {D(19)} (2 days).");
        await Assertions.Expect(imports.GetByLabel($"Imports of {name}")).ToContainTextAsync($"Plausible: {D(20)} to {D(19)}");
        var summary = await fixture.ApiJsonAsync($"/api/stats/summary?site_id={site.SiteId}&from={D(20)}&to={D(19)}");
        Assert.Equal(120, summary.GetProperty("pageviews").GetProperty("value").GetDouble());

        // The imported days in the dashboard itself, the hostile page name as text.
        var view = await page.Context.NewPageAsync();
        view.Dialog += async (_, dialog) => { dialogs++; await dialog.DismissAsync(); };
        await view.GotoAsync($"/?site={site.SiteId}&range=custom&from={D(20)}&to={D(19)}");
        await view.WaitForSelectorAsync("body[data-ready=true]");
        await Assertions.Expect(view.Locator("[data-metric=pageviews] [data-value]")).ToHaveTextAsync("120");
        await Assertions.Expect(view.Locator("#pages tbody")).ToContainTextAsync("/<img src=x onerror=alert(1)>");
        Assert.Equal(0, await view.Locator("#main img").CountAsync());
        await view.CloseAsync();

        await imports.GetByRole(AriaRole.Button, new() { Name = "Delete", Exact = false }).ClickAsync();
        await Assertions.Expect(imports.Locator("[data-import-status]")).ToHaveTextAsync("Import deleted.");
        await Assertions.Expect(imports.GetByLabel($"Imports of {name}")).ToHaveTextAsync("No imports.");
        Assert.Equal(1, dialogs); // the confirmation of the delete, and no alert from the page name
        var after = await fixture.ApiJsonAsync($"/api/stats/summary?site_id={site.SiteId}&from={D(20)}&to={D(19)}");
        Assert.Equal(0, after.GetProperty("pageviews").GetProperty("value").GetDouble());
        await page.Context.CloseAsync();
    }
}
