using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Playwright;

namespace LiveInsight.Dashboard.Tests.Accounts;

/// <summary>The account panel in Chromium (a token made there reads the real Api) and the session list over HTTP.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class AccountPanelTests(DashboardFixture fixture)
{
    [Fact]
    public async Task A_token_made_in_the_account_panel_is_shown_once_and_reads_its_site()
    {
        var domain = $"p{Guid.NewGuid():N}"[..12] + ".example";
        var (siteId, _) = await fixture.CreateSiteAsync("Panel <b>site</b>", domain);
        var (other, _) = await fixture.CreateSiteAsync("Panel other", $"q{Guid.NewGuid():N}"[..12] + ".example");
        var page = await fixture.SignedInPageAsync(path: $"/?site={siteId}");

        await page.GetByRole(AriaRole.Button, new() { Name = "Account" }).ClickAsync();
        await page.GetByLabel("Token name").FillAsync("nightly <script>export</script>");
        await page.Locator($"input[data-site='{siteId}']").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Create token" }).ClickAsync();
        var token = await page.Locator("#new-token").InputValueAsync();

        Assert.StartsWith("li_pat_", token);
        var row = page.Locator("tr[data-token]", new() { HasText = "nightly <script>export</script>" }); // text, not markup
        await row.WaitForAsync();
        Assert.Contains(siteId, await row.TextContentAsync());
        using var api = new HttpClient { BaseAddress = new Uri(fixture.ApiUrl) };
        api.DefaultRequestHeaders.Authorization = new("Bearer", token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/stats/summary?site_id={siteId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/stats/summary?site_id={other}")).StatusCode);

        await page.ReloadAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Account" }).ClickAsync();
        await page.Locator("tr[data-token]", new() { HasText = "nightly" }).WaitForAsync();
        Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal); // never shown again
        await page.Locator("tr[data-token]", new() { HasText = "nightly" }).GetByRole(AriaRole.Button, new() { Name = "Revoke" }).ClickAsync();
        await page.Locator("tr[data-token]", new() { HasText = "nightly" }).WaitForAsync(new() { State = WaitForSelectorState.Detached });
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task Sessions_are_listed_and_ended_one_at_a_time_or_all_but_this_one()
    {
        var email = $"sess-{Guid.NewGuid():N}"[..20] + "@example.com";
        var (admin, adminCsrf) = await fixture.SignInAsAdminAsync();
        using (admin)
        {
            Assert.Equal(HttpStatusCode.Created, (await DashboardFixture.SendAsync(admin, adminCsrf, HttpMethod.Post, "/account/users",
                new { email, password = DashboardFixture.UserPassword, role = "member" })).StatusCode);
        }

        var (here, csrf) = await fixture.SignInAsync(email, DashboardFixture.UserPassword, Client("Browser-Here/1.0"));
        var (there, _) = await fixture.SignInAsync(email, DashboardFixture.UserPassword, Client("Browser-There/2.0"));
        var (third, _) = await fixture.SignInAsync(email, DashboardFixture.UserPassword, Client("Browser-Third/3.0"));
        using (here)
        using (there)
        using (third)
        {
            var list = await ListAsync(here);
            Assert.Equal(3, list.Count);
            Assert.Equal("Browser-Here/1.0", list.Single(s => s.GetProperty("current").GetBoolean()).GetProperty("user_agent").GetString());
            var thereId = list.Single(s => s.GetProperty("user_agent").GetString() == "Browser-There/2.0").GetProperty("id").GetString();

            Assert.Equal(HttpStatusCode.BadRequest, (await here.DeleteAsync($"/account/sessions/{thereId}")).StatusCode); // no CSRF token
            Assert.Equal(HttpStatusCode.NoContent, (await DashboardFixture.SendAsync(here, csrf, HttpMethod.Delete, $"/account/sessions/{thereId}")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await there.GetAsync("/account/session")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await third.GetAsync("/account/session")).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await DashboardFixture.SendAsync(here, csrf, HttpMethod.Delete, $"/account/sessions/{thereId}")).StatusCode);

            Assert.Equal(HttpStatusCode.NoContent, (await DashboardFixture.SendAsync(here, csrf, HttpMethod.Post, "/account/sessions/revoke-others")).StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, (await third.GetAsync("/account/session")).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/account/session")).StatusCode);
            var left = await ListAsync(here);
            Assert.True(Assert.Single(left).GetProperty("current").GetBoolean());
        }
    }

    [Fact]
    public async Task A_session_begun_on_another_replica_is_accepted_here_at_once()
    {
        var email = $"repl-{Guid.NewGuid():N}"[..20] + "@example.com";
        var (admin, adminCsrf) = await fixture.SignInAsAdminAsync();
        using (admin)
        {
            Assert.Equal(HttpStatusCode.Created, (await DashboardFixture.SendAsync(admin, adminCsrf, HttpMethod.Post, "/account/users",
                new { email, password = DashboardFixture.UserPassword, role = "member" })).StatusCode);
        }

        var (here, _) = await fixture.SignInAsync(email, DashboardFixture.UserPassword);
        using var _here = here;
        Assert.Equal(HttpStatusCode.OK, (await here.GetAsync("/account/session")).StatusCode); // this replica now caches the list
        var (other, otherClient) = fixture.StartSecondDashboard([]);
        await using var running = other;
        otherClient.Dispose();
        var cookies = new CookieContainer();
        using var there = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies }) { BaseAddress = otherClient.BaseAddress };
        await fixture.SignInAsync(email, DashboardFixture.UserPassword, there);

        using var replay = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false, UseCookies = false }) { BaseAddress = new Uri(fixture.DashboardUrl) };
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/session");
        request.Headers.Add("Cookie", cookies.GetCookieHeader(there.BaseAddress!));
        Assert.Equal(HttpStatusCode.OK, (await replay.SendAsync(request)).StatusCode);
    }

    private HttpClient Client(string userAgent)
    {
        var client = fixture.NewHttpClient();
        client.DefaultRequestHeaders.TryAddWithoutValidation("User-Agent", userAgent);
        return client;
    }

    private static async Task<List<JsonElement>> ListAsync(HttpClient client) =>
        [.. (await client.GetFromJsonAsync<JsonElement>("/account/sessions")).EnumerateArray()];
}
