using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Storage;
using LiveInsight.Dashboard.Sharing;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests;

/// <summary>Public read-only links: made by a site's administrators, opened by anyone, dead once replaced or revoked.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class ShareTests(DashboardFixture fixture)
{
    private static string Unique(string name) => $"{name} {Guid.NewGuid().ToString("N")[..6]}";

    private async Task<(HttpClient Client, string Csrf)> SignedInAsync(string email, string password)
    {
        var client = fixture.NewHttpClient();
        var form = await client.GetStringAsync("/login");
        var login = await client.PostAsync("/login", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = DashboardFixture.CsrfField(form), ["email"] = email, ["password"] = password,
        }));
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var session = await client.GetFromJsonAsync<JsonElement>("/account/session");
        return (client, session.GetProperty("csrf_token").GetString()!);
    }

    private Task<(HttpClient Client, string Csrf)> AdminAsync() => SignedInAsync(DashboardFixture.AdminEmail, DashboardFixture.AdminPassword);

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, string url, string? csrf)
    {
        using var request = new HttpRequestMessage(method, url);
        if (csrf is not null)
        {
            request.Headers.Add("X-CSRF-TOKEN", csrf);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Creates (or replaces) the site's link as the administrator; returns its token.</summary>
    private async Task<string> CreateLinkAsync(string siteId)
    {
        var (admin, csrf) = await AdminAsync();
        using (admin)
        {
            var response = await SendAsync(admin, HttpMethod.Post, $"/account/sites/{siteId}/share", csrf);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var url = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!;
            Assert.StartsWith(fixture.DashboardUrl + "/share/", url);
            return url[(fixture.DashboardUrl.Length + "/share/".Length)..];
        }
    }

    private async Task RevokeLinkAsync(string siteId)
    {
        var (admin, csrf) = await AdminAsync();
        using (admin)
        {
            Assert.Equal(HttpStatusCode.NoContent, (await SendAsync(admin, HttpMethod.Delete, $"/account/sites/{siteId}/share", csrf)).StatusCode);
        }
    }

    private async Task<JsonElement> LinkStatusAsync(string siteId)
    {
        var (admin, _) = await AdminAsync();
        using (admin)
        {
            return await admin.GetFromJsonAsync<JsonElement>($"/account/sites/{siteId}/share");
        }
    }

    private Amazon.DynamoDBv2.IAmazonDynamoDB Dynamo() => DynamoDbExtensions.CreateClient(fixture.Infrastructure.DynamoConnectionString);

    [Fact]
    public async Task A_link_made_in_the_site_settings_opens_that_sites_dashboard_read_only_without_signing_in()
    {
        var name = Unique("Shared shop");
        var site = await fixture.CreateSiteAsync(name);
        var rollups = new Rollups(fixture, site.SiteId);
        await rollups.SummaryAsync(pageviews: 7, sessions: 3, bounces: 1, durationMs: 90_000, "a", "b", "c");
        await rollups.PageAsync("/shared", pageviews: 7, entries: 3, exits: 3, "a", "b", "c");
        await fixture.PostPageViewAsync(site.PublicKey, "http://shop.test/live-shared", visitor: "21");
        var other = await fixture.CreateSiteAsync(Unique("Private shop"));
        await new Rollups(fixture, other.SiteId).PageAsync("/secret-page", pageviews: 50, entries: 5, exits: 5, "z");

        var admin = await fixture.SignedInPageAsync();
        admin.Dialog += async (_, dialog) => await dialog.AcceptAsync();
        await admin.GetByRole(AriaRole.Button, new() { Name = "Sites" }).ClickAsync();
        var editor = admin.Locator("details").Filter(new() { HasText = name });
        await editor.Locator("summary").ClickAsync();
        var control = editor.Locator($"[data-share='{site.SiteId}']");
        await Assertions.Expect(control.Locator("[data-share-status]")).ToHaveTextAsync("No public link.");
        await control.GetByRole(AriaRole.Button, new() { Name = "Create public link" }).ClickAsync();
        var urlBox = control.GetByLabel("Public link", new() { Exact = true });
        await Assertions.Expect(urlBox).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("/share/[A-Za-z0-9_-]{43}$"));
        await Assertions.Expect(control.Locator("[data-share-status]")).ToContainTextAsync(DashboardFixture.AdminEmail);
        var url = await urlBox.InputValueAsync();
        Directory.CreateDirectory(DashboardFixture.ScreenshotDirectory);
        await control.ScreenshotAsync(new() { Path = Path.Combine(DashboardFixture.ScreenshotDirectory, "share-link-control.png") });
        await admin.Context.CloseAsync();

        var context = await fixture.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
        var requests = new System.Collections.Concurrent.ConcurrentQueue<string>();
        context.Request += (_, request) => requests.Enqueue(new Uri(request.Url).AbsolutePath);
        var page = await context.NewPageAsync();
        var response = await page.GotoAsync(url + "?range=today");
        Assert.Equal(200, response!.Status);
        await page.WaitForSelectorAsync("body[data-ready=true]");

        var summary = await fixture.ApiJsonAsync($"/api/stats/summary?site_id={site.SiteId}&range=today");
        foreach (var metric in new[] { "visitors", "pageviews", "sessions" })
        {
            var expected = ((long)summary.GetProperty(metric).GetProperty("value").GetDouble()).ToString("N0", CultureInfo.InvariantCulture);
            Assert.Equal(expected, await page.Locator($"[data-metric={metric}] [data-value]").TextContentAsync());
        }

        await Assertions.Expect(page.Locator("#pages tbody")).ToContainTextAsync("/shared");
        await Assertions.Expect(page.Locator("#pages tbody")).Not.ToContainTextAsync("/secret-page");
        await Assertions.Expect(page.Locator("#current-visitors")).ToHaveTextAsync("1");
        await Assertions.Expect(page.Locator("#live-status")).ToHaveAttributeAsync("data-mode", "push");
        await Assertions.Expect(page.Locator("#shared-site")).ToHaveTextAsync(name);
        foreach (var hidden in new[] { "#site", "#manage-sites", "#logout", "#user" })
        {
            Assert.False(await page.Locator(hidden).IsVisibleAsync(), hidden + " is visible");
        }

        Assert.Empty(await context.CookiesAsync());
        Assert.DoesNotContain(requests, path => path.StartsWith("/account", StringComparison.Ordinal) || path.StartsWith("/proxy", StringComparison.Ordinal));
        Assert.Contains(requests, path => path.EndsWith("/api/stats/summary", StringComparison.Ordinal) && path.StartsWith("/share/", StringComparison.Ordinal));
        await page.ScreenshotAsync(new() { Path = Path.Combine(DashboardFixture.ScreenshotDirectory, "dashboard-shared.png"), FullPage = true });

        // Charts resize on a later frame: wait for the layout to settle rather than measuring the old one.
        await page.SetViewportSizeAsync(360, 780);
        await page.WaitForFunctionAsync("() => document.documentElement.scrollWidth <= 360", null, new() { Timeout = 5_000 });
        await context.CloseAsync();
    }

    [Fact]
    public async Task Replace_and_revoke_in_the_site_settings_kill_the_old_links_at_once()
    {
        var name = Unique("Settings shop");
        var site = await fixture.CreateSiteAsync(name);
        var first = await CreateLinkAsync(site.SiteId);
        using var anonymous = fixture.NewHttpClient();
        var page = await fixture.SignedInPageAsync();
        var dialogs = new System.Collections.Concurrent.ConcurrentQueue<string>();
        page.Dialog += async (_, dialog) => { dialogs.Enqueue(dialog.Message); await dialog.AcceptAsync(); };
        await page.GetByRole(AriaRole.Button, new() { Name = "Sites" }).ClickAsync();
        var editor = page.Locator("details").Filter(new() { HasText = name });
        await editor.Locator("summary").ClickAsync();
        var control = editor.Locator($"[data-share='{site.SiteId}']");
        await Assertions.Expect(control.Locator("[data-share-status]")).ToContainTextAsync("A public link is active");

        await control.GetByRole(AriaRole.Button, new() { Name = "Replace link…" }).ClickAsync();
        var urlBox = control.GetByLabel("Public link", new() { Exact = true });
        await Assertions.Expect(urlBox).ToHaveValueAsync(new System.Text.RegularExpressions.Regex("/share/[A-Za-z0-9_-]{43}$"));
        var second = (await urlBox.InputValueAsync()).Split("/share/")[1];
        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/share/{first}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/share/{second}")).StatusCode);

        await control.GetByRole(AriaRole.Button, new() { Name = "Revoke link" }).ClickAsync();
        await Assertions.Expect(control.Locator("[data-share-status]")).ToHaveTextAsync("No public link.");
        await Assertions.Expect(urlBox).ToHaveCountAsync(0);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/share/{second}")).StatusCode);
        Assert.Equal(2, dialogs.Count); // both ask first: each cuts off whoever holds the current link
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task The_shared_api_answers_only_reads_of_the_links_site()
    {
        var site = await fixture.CreateSiteAsync(Unique("Scoped"));
        var other = await fixture.CreateSiteAsync(Unique("Other"));
        var token = await CreateLinkAsync(site.SiteId);
        using var anonymous = fixture.NewHttpClient();
        var api = $"/share/{token}/api";

        var own = await anonymous.GetFromJsonAsync<JsonElement>($"{api}/stats/summary?range=today");
        var named = await anonymous.GetAsync($"{api}/realtime/users?site_id={site.SiteId}");
        var info = await anonymous.GetFromJsonAsync<JsonElement>($"/share/{token}/site");

        Assert.Equal(site.SiteId, own.GetProperty("site_id").GetString());
        Assert.Equal(HttpStatusCode.OK, named.StatusCode);
        Assert.Equal(site.SiteId, info.GetProperty("site_id").GetString());
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/share/{token}/")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{api}/stats/summary?site_id={other.SiteId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{api}/stats/summary?site_id={site.SiteId}&site_id={other.SiteId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{api}/sites")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{api}/stats/..%2F..%2Fsites")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"{api}/stats/pages/..%2F..%2F..%2Fsites")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/share/{token}/api/bench/parse")).StatusCode);
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Patch, HttpMethod.Delete, HttpMethod.Put })
        {
            Assert.Equal(HttpStatusCode.MethodNotAllowed, (await SendAsync(anonymous, method, $"{api}/stats/summary", null)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/share/{new string('A', ShareLinks.TokenLength)}/api/stats/summary")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/share/short/api/stats/summary")).StatusCode);
        Assert.False(named.Headers.Contains("Set-Cookie"));
    }

    [Fact]
    public async Task Replacing_a_link_kills_the_old_token_and_revoking_kills_the_link_at_once()
    {
        var site = await fixture.CreateSiteAsync(Unique("Revocable"));
        using var anonymous = fixture.NewHttpClient();
        var first = await CreateLinkAsync(site.SiteId);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/share/{first}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/share/{first}/api/stats/summary")).StatusCode);

        var second = await CreateLinkAsync(site.SiteId);

        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/share/{first}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/share/{first}/api/stats/summary")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/share/{second}/api/stats/summary")).StatusCode);
        var status = await LinkStatusAsync(site.SiteId);
        Assert.True(status.GetProperty("active").GetBoolean());
        Assert.Equal(DashboardFixture.AdminEmail, status.GetProperty("created_by").GetString());

        await RevokeLinkAsync(site.SiteId);

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/share/{second}/api/stats/summary")).StatusCode);
        var page = await anonymous.GetAsync($"/share/{second}");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Contains("revoked", await page.Content.ReadAsStringAsync());
        Assert.False((await LinkStatusAsync(site.SiteId)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Revoking_a_link_ends_its_running_realtime_stream_at_once()
    {
        var site = await fixture.CreateSiteAsync(Unique("Streaming"));
        var token = await CreateLinkAsync(site.SiteId);
        using var anonymous = fixture.NewHttpClient();
        using var response = await anonymous.GetAsync($"/share/{token}/api/realtime/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using (var first = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (await reader.ReadLineAsync(first.Token) is { } line && !line.StartsWith("data:", StringComparison.Ordinal))
            {
            }
        }

        await RevokeLinkAsync(site.SiteId);
        var clock = System.Diagnostics.Stopwatch.StartNew();

        // The Api writes every 2 s: a stream still running after 4 s was not cut by the revocation (the periodic re-check
        // alone would take ShareLinks.CacheFor, 5 s).
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var ended = false;
        try
        {
            while (await reader.ReadLineAsync(limit.Token) is not null)
            {
            }

            ended = true;
        }
        catch (IOException)
        {
            ended = true; // the connection was aborted mid-stream
        }
        catch (OperationCanceledException)
        {
        }

        Assert.True(ended && clock.Elapsed < TimeSpan.FromSeconds(4), $"ended {ended} after {clock.Elapsed.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task Only_administrators_of_an_existing_site_manage_its_link_and_only_with_the_csrf_token()
    {
        // A viewer of this site: site_id is ignored while roles are global (every non-admin views every site) and makes
        // the user the site's viewer once per-site memberships exist; either way not an administrator of it.
        var email = $"share-viewer-{Guid.NewGuid().ToString("N")[..8]}@example.com";
        const string password = "viewer password 1234";
        var site = await fixture.CreateSiteAsync(Unique("Guarded"));
        var (admin, adminCsrf) = await AdminAsync();
        using (admin)
        {
            using var create = new HttpRequestMessage(HttpMethod.Post, "/account/users") { Content = JsonContent.Create(new { email, password, role = "viewer", site_id = site.SiteId }) };
            create.Headers.Add("X-CSRF-TOKEN", adminCsrf);
            var created = await admin.SendAsync(create);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

            Assert.Equal(HttpStatusCode.BadRequest, (await SendAsync(admin, HttpMethod.Post, $"/account/sites/{site.SiteId}/share", null)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await SendAsync(admin, HttpMethod.Post, "/account/sites/nosuchsite00/share", adminCsrf)).StatusCode);
        }

        var (viewer, csrf) = await SignedInAsync(email, password);
        using (viewer)
        {
            var refused = await SendAsync(viewer, HttpMethod.Post, $"/account/sites/{site.SiteId}/share", csrf);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(HttpStatusCode.Forbidden, (await SendAsync(viewer, HttpMethod.Delete, $"/account/sites/{site.SiteId}/share", csrf)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync($"/account/sites/{site.SiteId}/share")).StatusCode);
        }

        using var anonymous = fixture.NewHttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/account/sites/{site.SiteId}/share")).StatusCode);
        Assert.False((await LinkStatusAsync(site.SiteId)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Only_the_tokens_hash_is_stored_and_share_answers_are_neither_indexed_nor_referred()
    {
        var site = await fixture.CreateSiteAsync(Unique("Hashed"));
        var token = await CreateLinkAsync(site.SiteId);

        using var dynamo = Dynamo();
        var values = new List<string>();
        Dictionary<string, AttributeValue>? start = null;
        do
        {
            var page = await dynamo.ScanAsync(new ScanRequest { TableName = fixture.TablePrefix + Tables.Users.LogicalName, ExclusiveStartKey = start });
            values.AddRange(page.Items.SelectMany(item => item.Values).Select(v => v.S ?? v.N ?? ""));
            start = page.LastEvaluatedKey is { Count: > 0 } last ? last : null;
        }
        while (start is not null);
        Assert.Contains(values, v => v.Contains(ShareLinks.Hash(token), StringComparison.Ordinal));
        Assert.DoesNotContain(values, v => v.Contains(token, StringComparison.Ordinal));

        using var anonymous = fixture.NewHttpClient();
        foreach (var url in new[] { $"/share/{token}", $"/share/{token}/site", $"/share/{token}/api/stats/summary", $"/share/{new string('x', ShareLinks.TokenLength)}" })
        {
            var response = await anonymous.GetAsync(url);
            Assert.Equal("no-referrer", response.Headers.GetValues("Referrer-Policy").Single());
            Assert.Contains("noindex", string.Join(",", response.Headers.GetValues("X-Robots-Tag")));
            Assert.Contains("frame-ancestors 'none'", response.Headers.GetValues("Content-Security-Policy").Single());
            Assert.False(response.Headers.Contains("Set-Cookie"), url);
        }
    }

    [Fact]
    public async Task Creating_and_revoking_a_link_are_audited_with_the_actor_and_a_masked_address()
    {
        var site = await fixture.CreateSiteAsync(Unique("Audited"));

        await CreateLinkAsync(site.SiteId);
        await CreateLinkAsync(site.SiteId);
        await RevokeLinkAsync(site.SiteId);
        await RevokeLinkAsync(site.SiteId);

        using var dynamo = Dynamo();
        var audit = new AuditLog(dynamo, Options.Create(new StorageOptions { TablePrefix = fixture.TablePrefix }));
        var entries = await audit.ListAsync(site.SiteId, 50, CancellationToken.None);
        Assert.Equal(
            [AuditActions.ShareRevoke, AuditActions.ShareCreate, AuditActions.ShareCreate],
            entries.OrderByDescending(e => e.At).Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal(DashboardFixture.AdminEmail, e.Actor));
        Assert.All(entries, e => Assert.Equal("127.0.0.0", e.MaskedIp));
        Assert.Contains(entries, e => e.Details?.Contains("replaced", StringComparison.Ordinal) == true);
    }
}
