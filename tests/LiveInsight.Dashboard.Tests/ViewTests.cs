using System.Globalization;
using System.Text.Json;
using LiveInsight.Core.Stats;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

[Collection(nameof(DashboardCollection))]
public sealed class ViewTests(DashboardFixture fixture)
{
    [Fact]
    public async Task An_administrator_creates_a_site_sees_its_snippet_edits_it_and_rotates_its_keys()
    {
        var page = await fixture.SignedInPageAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Sites" }).ClickAsync();
        var name = "Blog " + Guid.NewGuid().ToString("N")[..6];

        await page.GetByLabel("Name", new() { Exact = true }).First.FillAsync(name);
        await page.GetByLabel("Domains (comma separated)").FillAsync("blog.test");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add site" }).ClickAsync();

        var notice = page.GetByRole(AriaRole.Status).Filter(new() { HasText = "created" });
        await Assertions.Expect(notice).ToContainTextAsync("sk_");
        var sites = (await fixture.ApiJsonAsync("/api/sites")).GetProperty("sites").EnumerateArray().ToList();
        var created = sites.Single(s => s.GetProperty("name").GetString() == name);
        var siteId = created.GetProperty("site_id").GetString()!;
        var publicKey = created.GetProperty("public_key").GetString()!;
        await Assertions.Expect(page.Locator("#sites-panel")).ToContainTextAsync($"data-api-key=\"{publicKey}\"");
        await Assertions.Expect(page.Locator("#site")).ToHaveValueAsync(siteId);

        var editor = page.Locator("details").Filter(new() { HasText = name });
        await editor.Locator("summary").ClickAsync();
        await editor.GetByLabel("Domains (one per line)").FillAsync("blog.test\nwww.blog.test");
        await editor.GetByLabel("Time zone").FillAsync("Europe/Berlin");
        await editor.GetByLabel("Allow subdomains", new() { Exact = false }).CheckAsync();
        await editor.GetByLabel("Ingestion requests per minute", new() { Exact = false }).FillAsync("250");
        // Issue 20: the Umami website id and both compatible script tags are shown; Plausible's tracker can be turned off.
        var umamiId = created.GetProperty("umami_website_id").GetString()!;
        await Assertions.Expect(editor.GetByLabel($"Umami website id of {name}")).ToHaveTextAsync(umamiId);
        await Assertions.Expect(editor).ToContainTextAsync($"data-website-id=\"{umamiId}\"");
        await Assertions.Expect(editor).ToContainTextAsync("data-domain=\"blog.test\" data-api=");
        await editor.GetByLabel("Accept Plausible's tracker", new() { Exact = false }).UncheckAsync();
        await editor.GetByRole(AriaRole.Button, new() { Name = "Save settings" }).ClickAsync();
        await Assertions.Expect(editor.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved.");
        var saved = (await fixture.ApiJsonAsync("/api/sites")).GetProperty("sites").EnumerateArray().Single(s => s.GetProperty("site_id").GetString() == siteId);
        Assert.Equal(["blog.test", "www.blog.test"], saved.GetProperty("domains").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal("Europe/Berlin", saved.GetProperty("time_zone").GetString());
        Assert.True(saved.GetProperty("allow_subdomains").GetBoolean());
        Assert.Equal(250, saved.GetProperty("rate_limit_per_minute").GetInt32());
        Assert.False(saved.GetProperty("accept_plausible").GetBoolean());

        page.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        editor = page.Locator("details").Filter(new() { HasText = name });
        if (await editor.GetAttributeAsync("open") is null)
        {
            await editor.Locator("summary").ClickAsync();
        }

        await editor.GetByRole(AriaRole.Button, new() { Name = "Rotate keys…" }).ClickAsync();
        await Assertions.Expect(editor.GetByRole(AriaRole.Status)).ToContainTextAsync("Keys rotated.");
        var rotated = (await fixture.ApiJsonAsync("/api/sites")).GetProperty("sites").EnumerateArray().Single(s => s.GetProperty("site_id").GetString() == siteId);
        Assert.NotEqual(publicKey, rotated.GetProperty("public_key").GetString());
        Assert.Equal(publicKey, Assert.Single(rotated.GetProperty("retired_keys").EnumerateArray()).GetProperty("public_key").GetString());

        var keys = editor.GetByLabel($"Keys of {name}");
        await Assertions.Expect(keys).ToContainTextAsync("Retired keys");
        await Assertions.Expect(keys).ToContainTextAsync(publicKey);
        await keys.GetByRole(AriaRole.Button, new() { Name = "Revoke now" }).ClickAsync();
        await Assertions.Expect(editor.GetByRole(AriaRole.Status)).ToHaveTextAsync("Retired keys revoked.");
        await Assertions.Expect(keys).ToContainTextAsync("No retired keys.");
        await Assertions.Expect(keys).Not.ToContainTextAsync(publicKey);
        var revoked = (await fixture.ApiJsonAsync("/api/sites")).GetProperty("sites").EnumerateArray().Single(s => s.GetProperty("site_id").GetString() == siteId);
        Assert.Empty(revoked.GetProperty("retired_keys").EnumerateArray());
        await page.Context.CloseAsync();
    }
}
