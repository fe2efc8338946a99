using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Core.Accounts;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Dashboard.Tests.Accounts;

/// <summary>Personal API tokens: made in the Dashboard (shown once), used on the real Api as <c>Bearer li_pat_…</c>,
/// scoped to sites and to read or admin, refused when expired, revoked or beyond the owner's role.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class PersonalTokenTests(DashboardFixture fixture)
{
    [Fact]
    public async Task A_token_for_site_A_reads_A_and_cannot_read_B()
    {
        var (a, _) = await fixture.CreateSiteAsync("Token A", $"a{Guid.NewGuid():N}"[..12] + ".example");
        var (b, _) = await fixture.CreateSiteAsync("Token B", $"b{Guid.NewGuid():N}"[..12] + ".example");
        var (admin, csrf) = await fixture.SignInAsAdminAsync();
        using var dashboard = admin;
        var token = await CreateAsync(dashboard, csrf, "read", [a]);
        using var api = Api(token);

        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/stats/summary?site_id={a}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/sites/{a}/goals")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsJsonAsync("/api/v2/query", new { site_id = a, metrics = new[] { "visitors" }, date_range = "7d" })).StatusCode);
        var other = await api.GetAsync($"/api/stats/summary?site_id={b}");
        Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);
        Assert.Equal("application/problem+json", other.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.NotFound, (await api.PostAsJsonAsync("/api/v2/query", new { site_id = b, metrics = new[] { "visitors" }, date_range = "7d" })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await api.GetAsync($"/api/sites/{b}/goals")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetAsync("/api/sites")).StatusCode); // installation routes: admin token only
    }

    [Fact]
    public async Task A_read_token_is_refused_on_changes_and_an_admin_token_follows_its_owners_role()
    {
        var (site, _) = await fixture.CreateSiteAsync("Token admin", $"t{Guid.NewGuid():N}"[..12] + ".example");
        var (member, csrf, email) = await fixture.MemberAsync(site, "admin");
        using var dashboard = member;
        var read = await CreateAsync(dashboard, csrf, "read", [site]);
        var write = await CreateAsync(dashboard, csrf, "admin", [site]);
        using var reader = Api(read);
        using var writer = Api(write);
        object Goal() => new { kind = "event", event_name = "signup-" + Guid.NewGuid().ToString("N")[..6] };

        var refused = await reader.PostAsJsonAsync($"/api/sites/{site}/goals", Goal());
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("only read", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.Equal(HttpStatusCode.Created, (await writer.PostAsJsonAsync($"/api/sites/{site}/goals", Goal())).StatusCode);

        // The owner becomes a viewer: the admin token may still read, no longer change.
        var (admin, adminCsrf) = await fixture.SignInAsAdminAsync();
        using (admin)
        {
            var demoted = await DashboardFixture.SendAsync(admin, adminCsrf, HttpMethod.Put, $"/account/sites/{site}/members/{Uri.EscapeDataString(email)}", new { role = "viewer" });
            Assert.True(demoted.IsSuccessStatusCode, $"{(int)demoted.StatusCode}");
        }

        await EventuallyAsync(async () => (await writer.PostAsJsonAsync($"/api/sites/{site}/goals", Goal())).StatusCode == HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, (await writer.GetAsync($"/api/sites/{site}/goals")).StatusCode);

        // And a viewer cannot make an admin token in the first place.
        var noAdmin = await DashboardFixture.SendAsync(dashboard, csrf, HttpMethod.Post, "/account/tokens", new { name = "x", scope = "admin", site_ids = new[] { site }, expires_in_days = 30 });
        Assert.Equal(HttpStatusCode.BadRequest, noAdmin.StatusCode);
    }

    [Fact]
    public async Task Expired_revoked_and_malformed_tokens_are_refused_and_use_is_recorded()
    {
        var (site, _) = await fixture.CreateSiteAsync("Token life", $"l{Guid.NewGuid():N}"[..12] + ".example");
        var (admin, csrf) = await fixture.SignInAsAdminAsync();
        using var dashboard = admin;
        var token = await CreateAsync(dashboard, csrf, "read", [site]);
        using var api = Api(token);
        Assert.Equal(HttpStatusCode.OK, (await api.GetAsync($"/api/stats/summary?site_id={site}")).StatusCode);

        var listed = (await dashboard.GetFromJsonAsync<JsonElement>("/account/tokens")).EnumerateArray()
            .Single(t => t.GetProperty("id").GetString() == PersonalTokens.Hash(token)[..16]);
        Assert.Equal(JsonValueKind.String, listed.GetProperty("last_used_at").ValueKind);
        Assert.DoesNotContain(token, listed.GetRawText(), StringComparison.Ordinal); // shown once, never listed

        var revoked = await DashboardFixture.SendAsync(dashboard, csrf, HttpMethod.Delete, $"/account/tokens/{listed.GetProperty("id").GetString()}");
        Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        await EventuallyAsync(async () => (await api.GetAsync($"/api/stats/summary?site_id={site}")).StatusCode == HttpStatusCode.Unauthorized);

        // Expired: an item made as the Dashboard makes it, a day past its expiry.
        var expired = PersonalTokens.NewToken();
        var store = fixture.DashboardServices.GetRequiredService<PersonalTokens>();
        var now = DateTimeOffset.UtcNow;
        Assert.True(await store.CreateAsync(new PersonalToken(PersonalTokens.Hash(expired), DashboardFixture.AdminEmail, "old", TokenScope.Read, [site], now.AddDays(-31), now.AddDays(-1), null), default));
        using var old = Api(expired);
        var answer = await old.GetAsync($"/api/stats/summary?site_id={site}");
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Contains("expired", (await answer.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
        Assert.True((await dashboard.GetFromJsonAsync<JsonElement>("/account/tokens")).EnumerateArray()
            .Single(t => t.GetProperty("name").GetString() == "old").GetProperty("expired").GetBoolean());

        using var malformed = Api(PersonalTokens.Prefix + "short");
        Assert.Equal(HttpStatusCode.Unauthorized, (await malformed.GetAsync($"/api/stats/summary?site_id={site}")).StatusCode);
        using var unknown = Api(PersonalTokens.NewToken());
        Assert.Equal(HttpStatusCode.Unauthorized, (await unknown.GetAsync($"/api/stats/summary?site_id={site}")).StatusCode);
    }

    [Fact]
    public async Task Token_requests_are_validated()
    {
        var (site, _) = await fixture.CreateSiteAsync("Token form", $"f{Guid.NewGuid():N}"[..12] + ".example");
        var (other, _) = await fixture.CreateSiteAsync("Token other", $"g{Guid.NewGuid():N}"[..12] + ".example");
        var (member, csrf, _) = await fixture.MemberAsync(site, "viewer");
        using var dashboard = member;
        foreach (var body in new object[]
                 {
                     new { name = "x", scope = "read", site_ids = new[] { other }, expires_in_days = 30 }, // not their site
                     new { name = "x", scope = "read", site_ids = new[] { site }, expires_in_days = 366 },
                     new { name = "x", scope = "read", site_ids = new[] { site }, expires_in_days = 0 },
                     new { name = "x", scope = "write", site_ids = new[] { site }, expires_in_days = 30 },
                     new { name = "", scope = "read", site_ids = new[] { site }, expires_in_days = 30 },
                     new { name = "x", scope = "read", site_ids = Array.Empty<string>(), expires_in_days = 30 },
                 })
        {
            var response = await DashboardFixture.SendAsync(dashboard, csrf, HttpMethod.Post, "/account/tokens", body);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        Assert.Empty((await dashboard.GetFromJsonAsync<JsonElement>("/account/tokens")).EnumerateArray());
        var created = await CreateAsync(dashboard, csrf, "read", [site]);
        Assert.True(PersonalTokens.IsWellFormed(created));
    }

    private static async Task<string> CreateAsync(HttpClient dashboard, string csrf, string scope, string[] sites)
    {
        var response = await DashboardFixture.SendAsync(dashboard, csrf, HttpMethod.Post, "/account/tokens",
            new { name = "script " + scope, scope, site_ids = sites, expires_in_days = 30 });
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("token").GetString()!;
    }

    private HttpClient Api(string token)
    {
        var client = new HttpClient { BaseAddress = new Uri(fixture.ApiUrl) };
        client.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return client;
    }

    /// <summary>The Api caches a token's check for a second here (LiveInsight:PersonalTokenCacheSeconds).</summary>
    private static async Task EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the Api still accepted the token after 10 s");
            await Task.Delay(250);
        }
    }
}
