using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

/// <summary>The alerts and reports panel in headless Chromium: a site admin adds, turns off and deletes a rule, schedules
/// a report; names come back as text; a viewer has no panel.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class AlertsViewTests(DashboardFixture fixture)
{
    [Fact]
    public async Task A_site_admin_adds_a_goal_alert_and_a_report_and_markup_in_the_goal_name_stays_text()
    {
        var site = await fixture.CreateSiteAsync("Alerts UI", "alerts-ui.test");
        var page = await fixture.SignedInPageAsync(path: $"/?site={site.SiteId}");
        await page.GetByRole(AriaRole.Button, new() { Name = "Alerts" }).ClickAsync();
        var panel = page.Locator("#alerts-panel");

        await panel.GetByLabel("Kind").SelectOptionAsync("goal");
        await panel.GetByLabel("Goal").FillAsync("<img src=x onerror=alert(1)>");
        await panel.GetByLabel("above").FillAsync("3");
        await panel.GetByLabel("E-mail", new() { Exact = true }).FillAsync("owner@example.com");
        await panel.GetByLabel("Webhook URL").FillAsync("https://hooks.example.com/x");
        await panel.GetByLabel("Webhook format").SelectOptionAsync("slack");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Add and turn on" }).ClickAsync();

        await Assertions.Expect(panel.GetByRole(AriaRole.Status)).ToContainTextAsync("Webhook signing secret (shown once): whsec_");
        var row = panel.Locator("tr[data-rule]");
        await Assertions.Expect(row).ToContainTextAsync("“<img src=x onerror=alert(1)>” above 3 in 1 h");
        await Assertions.Expect(row).ToContainTextAsync("slack: https://hooks.example.com/x");
        await Assertions.Expect(panel.Locator("img")).ToHaveCountAsync(0);

        await row.GetByRole(AriaRole.Button, new() { Name = "Turn off" }).ClickAsync();
        await Assertions.Expect(row.GetByRole(AriaRole.Button, new() { Name = "Turn on" })).ToBeVisibleAsync();
        var rules = await fixture.ApiJsonAsync($"/api/sites/{site.SiteId}/alerts");
        Assert.False(rules.GetProperty("rules")[0].GetProperty("enabled").GetBoolean());

        await panel.GetByLabel("Recipient").FillAsync("reader@example.com");
        await panel.GetByLabel("Frequency").SelectOptionAsync("monthly");
        await panel.GetByRole(AriaRole.Button, new() { Name = "Schedule report" }).ClickAsync();
        await Assertions.Expect(panel.Locator("tr[data-report]")).ToContainTextAsync("monthly at 8:00");

        await row.GetByRole(AriaRole.Button, new() { Name = "Delete" }).ClickAsync();
        await Assertions.Expect(panel.Locator("tr[data-rule]")).ToHaveCountAsync(0);
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardFixture.ScreenshotDirectory, "alerts.png"), FullPage = true });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task A_viewer_has_no_alerts_panel_and_the_proxy_refuses_them_the_rules()
    {
        var site = await fixture.CreateSiteAsync("Alerts viewer", "alerts-viewer.test");
        var (client, _, email) = await fixture.MemberAsync(site.SiteId, "viewer");
        using (client)
        {
            Assert.Equal(System.Net.HttpStatusCode.Forbidden, (await client.GetAsync($"/proxy/api/sites/{site.SiteId}/alerts")).StatusCode);
        }

        var page = await fixture.SignedInPageAsync(path: $"/?site={site.SiteId}", email: email, password: DashboardFixture.UserPassword);
        await Assertions.Expect(page.Locator("#site")).ToHaveValueAsync(site.SiteId);
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Alerts" })).ToBeHiddenAsync();
        await page.Context.CloseAsync();
    }
}
