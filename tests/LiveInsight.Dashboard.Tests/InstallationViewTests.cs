using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

/// <summary>Issue 23, finding 2: a headless browser is dropped as a bot, and a newcomer now sees why in two places: the
/// browser's console (the tracker's <c>data-debug</c>) and the site's installation check in site settings, live.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class InstallationViewTests(DashboardFixture fixture)
{
    [Fact]
    public async Task A_headless_visit_is_explained_in_the_console_and_in_the_live_installation_check()
    {
        var name = "Install " + Guid.NewGuid().ToString("N")[..6];
        // The newcomer's case: a page on localhost (Chromium lets only a local page reach the loopback Api).
        const string domain = "localhost";
        var site = await fixture.CreateSiteAsync(name, domain);

        // The customer's page, with the tracker from the real Api and data-debug; Chromium here is headless, as
        // Playwright, Puppeteer and Cypress are.
        var visitor = await fixture.Browser.NewContextAsync();
        var page = await visitor.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, message) => { lock (console) { console.Add(message.Text); } };
        var html = $"<!doctype html><title>Landing</title><h1>Hi</h1><script defer src=\"{fixture.ApiUrl}/liveinsight.js\" data-api-key=\"{site.PublicKey}\" data-allow-localhost data-debug></script>";
        using var server = new System.Net.HttpListener();
        var port = LiveInsight.Testing.ExternalProcess.FreePort();
        server.Prefixes.Add($"http://localhost:{port}/");
        server.Start();
        var serving = Task.Run(async () =>
        {
            while (server.IsListening)
            {
                var context = await server.GetContextAsync();
                var bytes = System.Text.Encoding.UTF8.GetBytes(html);
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.OutputStream.WriteAsync(bytes);
                context.Response.Close();
            }
        });
        await page.GotoAsync($"http://{domain}:{port}/landing");
        await WaitForAsync(console, line => line.Contains("the Api dropped: bot=", StringComparison.Ordinal));

        string[] lines;
        lock (console)
        {
            lines = [.. console];
        }

        Assert.Contains(lines, line => line.Contains("this browser is automated or headless", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("sent 2 event(s)", StringComparison.Ordinal) || line.Contains("sent 1 event(s)", StringComparison.Ordinal));
        Assert.Contains(lines, line => line.Contains("use a normal browser window", StringComparison.Ordinal));
        await visitor.CloseAsync();

        // The site admin opens the check: the drop, its reason, the agent; then a real visit shows up without a reload.
        var admin = await fixture.SignedInPageAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Sites" }).ClickAsync();
        var editor = admin.Locator("details").Filter(new() { HasText = name });
        await editor.Locator("summary").ClickAsync();
        var check = editor.GetByRole(AriaRole.Region, new() { Name = $"Installation check of {name}" });
        await check.GetByRole(AriaRole.Button, new() { Name = "Check installation" }).ClickAsync();
        var dropped = check.GetByLabel($"Events dropped for {name}");
        await Assertions.Expect(dropped.Locator("li[data-reason=bot]").Filter(new() { HasText = $"bot page_view {domain}" }).First).ToBeVisibleAsync();
        await Assertions.Expect(dropped).ToContainTextAsync("HeadlessChrome");
        await Assertions.Expect(dropped).ToContainTextAsync("use a normal browser window");
        var received = check.GetByLabel($"Events received by {name}");
        await Assertions.Expect(received).ToHaveTextAsync("Nothing received in the last day. Load a page with the script tag.");

        await fixture.PostPageViewAsync(site.PublicKey, $"https://{domain}/pricing");
        await Assertions.Expect(received).ToContainTextAsync($"page_view {domain}/pricing", new() { Timeout = 10_000 });
        await admin.Context.CloseAsync();
    }

    private static async Task WaitForAsync(List<string> console, Func<string, bool> seen)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            lock (console)
            {
                if (console.Any(seen))
                {
                    return;
                }
            }

            await Task.Delay(100);
        }

        lock (console)
        {
            throw new TimeoutException("console: " + string.Join(" | ", console));
        }
    }
}
