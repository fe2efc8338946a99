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

        // Every text the status takes is recorded, with whether "Delete site" was off at that moment: while the Api works
        // the page says the deletion is under way (it went on showing the refused name's message) with the button off,
        // so it is not sent twice.
        await status.EvaluateAsync(@"(el) => {
            window.__statuses = [];
            const button = el.parentElement.querySelector('button.btn-danger');
            new MutationObserver(() => window.__statuses.push([el.textContent, button.disabled]))
                .observe(el, { childList: true, characterData: true, subtree: true });
        }");
        await zone.GetByLabel($"Type {name} to confirm").FillAsync(name);
        await zone.GetByRole(AriaRole.Button, new() { Name = "Delete site" }).ClickAsync();
        // Every table, the live keys and the lake: seconds on a loaded machine. The editor goes with the list's refresh
        // right after, so its own "Site deleted" lasts only until then (a CI run's polling missed it): what the deletion
        // did is said above the list too.
        await Assertions.Expect(page.Locator("[data-sites-notice]")).ToContainTextAsync($"{name} deleted:", new() { Timeout = 60_000 });
        var statuses = (await page.EvaluateAsync<System.Text.Json.JsonElement>("window.__statuses")).EnumerateArray()
            .Select(s => (Text: s[0].GetString()!, Disabled: s[1].GetBoolean())).ToList();
        Assert.Equal(("Deleting the site and all its data…", true), statuses[0]);
        Assert.StartsWith("Site deleted:", statuses[^1].Text, StringComparison.Ordinal);
        Assert.DoesNotContain(await SiteIdsAsync(), id => id == site.SiteId);
        await Assertions.Expect(page.Locator("details").Filter(new() { HasText = name })).ToHaveCountAsync(0);
        Assert.Equal(0, dialogs);
        await page.Context.CloseAsync();
    }

    private async Task<List<string>> SiteIdsAsync() =>
        (await fixture.ApiJsonAsync("/api/sites")).GetProperty("sites").EnumerateArray().Select(s => s.GetProperty("site_id").GetString()!).ToList();
}
