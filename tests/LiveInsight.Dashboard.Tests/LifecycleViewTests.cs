using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

/// <summary>Issue 18: the owner deletes a site from its settings' danger zone by typing its name; a wrong name is
/// refused in the page and never reaches the Api, the right one deletes the site everywhere.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class LifecycleViewTests(DashboardFixture fixture)
{
    [Fact]
    public async Task The_owner_deletes_a_site_only_after_typing_its_exact_name()
    {
        var name = "Doomed " + Guid.NewGuid().ToString("N")[..6];
        var domain = $"d{Guid.NewGuid():N}"[..10] + ".test";
        var site = await fixture.CreateSiteAsync(name, domain);
        await fixture.PostPageViewAsync(site.PublicKey, $"https://{domain}/");
        var page = await fixture.SignedInPageAsync();
        var dialogs = 0;
        page.Dialog += async (_, dialog) => { dialogs++; await dialog.DismissAsync(); };
        await page.GetByRole(AriaRole.Button, new() { Name = "Sites" }).ClickAsync();
        var editor = page.Locator("details").Filter(new() { HasText = name });
        await editor.Locator("summary").ClickAsync();
        var zone = editor.GetByRole(AriaRole.Region, new() { Name = $"Data and danger zone of {name}" });
        var status = zone.Locator("[data-lifecycle-status]");

        await zone.GetByLabel($"Type {name} to confirm").FillAsync(name.ToUpperInvariant());
        await zone.GetByRole(AriaRole.Button, new() { Name = "Delete site" }).ClickAsync();
        await Assertions.Expect(status).ToHaveTextAsync($"The name does not match “{name}”; nothing was deleted.");
        Assert.Contains(await SiteIdsAsync(), id => id == site.SiteId);

        await zone.GetByLabel($"Type {name} to confirm").FillAsync(name);
        await zone.GetByRole(AriaRole.Button, new() { Name = "Delete site" }).ClickAsync();
        await Assertions.Expect(status).ToContainTextAsync("Site deleted:");
        Assert.DoesNotContain(await SiteIdsAsync(), id => id == site.SiteId);
        await Assertions.Expect(page.Locator("details").Filter(new() { HasText = name })).ToHaveCountAsync(0);
        Assert.Equal(0, dialogs);
        await page.Context.CloseAsync();
    }

    private async Task<List<string>> SiteIdsAsync() =>
        (await fixture.ApiJsonAsync("/api/sites")).GetProperty("sites").EnumerateArray().Select(s => s.GetProperty("site_id").GetString()!).ToList();
}
