using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Dashboard.Auth;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Dashboard.Tests;

/// <summary>Per-site roles through the proxy: what a viewer, a site admin and a non-member may do.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class SiteRoleTests(DashboardFixture fixture)
{
    private static readonly HttpMethod Patch = HttpMethod.Patch;

    [Fact]
    public async Task A_viewer_cannot_change_settings_or_rotate_keys_while_a_site_admin_can()
    {
        var site = await fixture.CreateSiteAsync("Roles", "roles.test");
        var (viewer, viewerCsrf, _) = await fixture.MemberAsync(site.SiteId, "viewer");
        var (admin, adminCsrf, _) = await fixture.MemberAsync(site.SiteId, "admin");
        using (viewer)
        using (admin)
        {
            var viewerPatch = await DashboardFixture.SendAsync(viewer, viewerCsrf, Patch, $"/proxy/api/sites/{site.SiteId}", new { name = "Renamed by viewer" });
            var viewerRotate = await DashboardFixture.SendAsync(viewer, viewerCsrf, HttpMethod.Post, $"/proxy/api/sites/{site.SiteId}/rotate-keys");
            var viewerRevoke = await DashboardFixture.SendAsync(viewer, viewerCsrf, HttpMethod.Delete, $"/proxy/api/sites/{site.SiteId}/retired-keys");

            Assert.Equal(HttpStatusCode.Forbidden, viewerPatch.StatusCode);
            Assert.Equal("application/problem+json", viewerPatch.Content.Headers.ContentType?.MediaType);
            Assert.Contains("a viewer of this site; this needs the admin role", await viewerPatch.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.Forbidden, viewerRotate.StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, viewerRevoke.StatusCode);
            Assert.Equal(site.PublicKey, (await SiteAsync(site.SiteId)).GetProperty("public_key").GetString());
            Assert.Equal("Roles", (await SiteAsync(site.SiteId)).GetProperty("name").GetString());

            var adminPatch = await DashboardFixture.SendAsync(admin, adminCsrf, Patch, $"/proxy/api/sites/{site.SiteId}", new { name = "Renamed by admin" });
            var adminRotate = await DashboardFixture.SendAsync(admin, adminCsrf, HttpMethod.Post, $"/proxy/api/sites/{site.SiteId}/rotate-keys");

            Assert.Equal(HttpStatusCode.OK, adminPatch.StatusCode);
            Assert.Equal(HttpStatusCode.OK, adminRotate.StatusCode);
            Assert.Equal("Renamed by admin", (await SiteAsync(site.SiteId)).GetProperty("name").GetString());
            Assert.NotEqual(site.PublicKey, (await SiteAsync(site.SiteId)).GetProperty("public_key").GetString());
        }
    }

    [Fact]
    public async Task A_viewer_reads_goals_while_only_a_site_admin_adds_and_removes_them_audited_as_that_user()
    {
        var site = await fixture.CreateSiteAsync("Goals", "goals.test");
        var (viewer, viewerCsrf, _) = await fixture.MemberAsync(site.SiteId, "viewer");
        var (admin, adminCsrf, adminEmail) = await fixture.MemberAsync(site.SiteId, "admin");
        using (viewer)
        using (admin)
        {
            var goals = $"/proxy/api/sites/{site.SiteId}/goals";
            var viewerCreate = await DashboardFixture.SendAsync(viewer, viewerCsrf, HttpMethod.Post, goals, new { kind = "page", path = "/signup" });
            var adminCreate = await DashboardFixture.SendAsync(admin, adminCsrf, HttpMethod.Post, goals, new { kind = "event", event_name = "Signup" });

            Assert.Equal(HttpStatusCode.Forbidden, viewerCreate.StatusCode);
            Assert.Equal(HttpStatusCode.Created, adminCreate.StatusCode);
            var id = (await adminCreate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
            var listed = await viewer.GetFromJsonAsync<JsonElement>(goals);
            Assert.Equal(["Signup"], listed.GetProperty("goals").EnumerateArray().Select(g => g.GetProperty("display_name").GetString()));

            Assert.Equal(HttpStatusCode.Forbidden, (await DashboardFixture.SendAsync(viewer, viewerCsrf, HttpMethod.Delete, $"{goals}/{id}")).StatusCode);
            Assert.Equal(HttpStatusCode.NoContent, (await DashboardFixture.SendAsync(admin, adminCsrf, HttpMethod.Delete, $"{goals}/{id}")).StatusCode);
            Assert.Empty((await viewer.GetFromJsonAsync<JsonElement>(goals)).GetProperty("goals").EnumerateArray());
            var audit = await fixture.DashboardServices.GetRequiredService<LiveInsight.Core.Audit.AuditLog>().ListAsync(site.SiteId, 50, CancellationToken.None);
            Assert.Equal([adminEmail, adminEmail], audit.Where(e => e.Action.StartsWith("goal.", StringComparison.Ordinal)).Select(e => e.Actor));
        }
    }

    [Fact]
    public async Task Only_installation_administrators_change_a_sites_rate_limit()
    {
        var site = await fixture.CreateSiteAsync("Limited", "limited.test");
        var (owner, csrf, _) = await fixture.MemberAsync(site.SiteId, "owner");
        var (admin, adminCsrf) = await fixture.SignInAsAdminAsync();
        using (owner)
        using (admin)
        {
            var raised = await DashboardFixture.SendAsync(owner, csrf, Patch, $"/proxy/api/sites/{site.SiteId}", new { name = "Owner's rename", rate_limit_per_minute = 10_000_000 });

            Assert.Equal(HttpStatusCode.Forbidden, raised.StatusCode);
            Assert.Contains("Only installation administrators change 'rate_limit_per_minute'", await raised.Content.ReadAsStringAsync());
            Assert.Equal((0, "Limited"), ((await SiteAsync(site.SiteId)).GetProperty("rate_limit_per_minute").GetInt32(), (await SiteAsync(site.SiteId)).GetProperty("name").GetString()));

            // The same owner may still change the site's own settings, and the installation administrator the limit.
            Assert.Equal(HttpStatusCode.OK, (await DashboardFixture.SendAsync(owner, csrf, Patch, $"/proxy/api/sites/{site.SiteId}", new { name = "Owner's rename" })).StatusCode);
            Assert.Equal(HttpStatusCode.OK, (await DashboardFixture.SendAsync(admin, adminCsrf, Patch, $"/proxy/api/sites/{site.SiteId}", new { rate_limit_per_minute = 5000 })).StatusCode);
            var after = await SiteAsync(site.SiteId);
            Assert.Equal((5000, "Owner's rename"), (after.GetProperty("rate_limit_per_minute").GetInt32(), after.GetProperty("name").GetString()));
        }
    }

    [Fact]
    public async Task Only_installation_administrators_create_sites()
    {
        var site = await fixture.CreateSiteAsync("Owned", "owned.test");
        var (owner, csrf, _) = await fixture.MemberAsync(site.SiteId, "owner");
        using (owner)
        {
            var name = "Not made " + Guid.NewGuid().ToString("N")[..6];
            var create = await DashboardFixture.SendAsync(owner, csrf, HttpMethod.Post, "/proxy/api/sites", new { name, domains = new[] { "mine.test" } });

            Assert.Equal(HttpStatusCode.Forbidden, create.StatusCode);
            Assert.Equal("application/problem+json", create.Content.Headers.ContentType?.MediaType);
            Assert.Contains("installation administrator", await create.Content.ReadAsStringAsync());
            var sites = (await fixture.ApiJsonAsync("/api/sites")).GetProperty("sites").EnumerateArray();
            Assert.DoesNotContain(sites, s => s.GetProperty("name").GetString() == name);
        }
    }

    [Fact]
    public async Task A_non_member_gets_404_for_another_sites_numbers_and_does_not_see_it_listed()
    {
        var mine = await fixture.CreateSiteAsync("Mine", "mine.test");
        var theirs = await fixture.CreateSiteAsync("Theirs", "theirs.test");
        var (member, csrf, _) = await fixture.MemberAsync(mine.SiteId, "viewer");
        var (admin, _) = await fixture.SignInAsAdminAsync();
        using (member)
        using (admin)
        {
            var stats = await member.GetAsync($"/proxy/api/stats/summary?site_id={theirs.SiteId}");
            var realtime = await member.GetAsync($"/proxy/api/realtime/users?site_id={theirs.SiteId}");
            // What the Api itself answers for a site that does not exist: the non-member must not tell the difference.
            var unknownId = LiveInsight.Core.Sites.SiteKeys.NewSiteId(); // well-formed: a malformed id is refused before any lookup
            var unknown = await admin.GetAsync($"/proxy/api/stats/summary?site_id={unknownId}");
            var patch = await DashboardFixture.SendAsync(member, csrf, Patch, $"/proxy/api/sites/{theirs.SiteId}", new { name = "x" });
            var own = await member.GetAsync($"/proxy/api/stats/summary?site_id={mine.SiteId}");
            var sites = await member.GetFromJsonAsync<JsonElement>("/proxy/api/sites");

            Assert.Equal(HttpStatusCode.NotFound, stats.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, realtime.StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, patch.StatusCode);
            Assert.Equal(await Problem(unknown), await Problem(stats, theirs.SiteId, unknownId));
            Assert.Equal(HttpStatusCode.OK, own.StatusCode);
            Assert.Equal([mine.SiteId], sites.GetProperty("sites").EnumerateArray().Select(s => s.GetProperty("site_id").GetString()));
        }
    }

    [Fact]
    public async Task The_sites_list_carries_each_users_role_and_no_secret()
    {
        var first = await fixture.CreateSiteAsync("First", "first.test");
        var second = await fixture.CreateSiteAsync("Second", "second.test");
        var (member, csrf, email) = await fixture.MemberAsync(first.SiteId, "admin");
        var (admin, adminCsrf) = await fixture.SignInAsAdminAsync();
        using (member)
        using (admin)
        {
            // The administrator (owner of every site) gives the member a second, lower role.
            Assert.Equal(HttpStatusCode.OK, (await DashboardFixture.SendAsync(admin, adminCsrf, HttpMethod.Put,
                $"/account/sites/{second.SiteId}/members/{email}", new { role = "viewer" })).StatusCode);

            var mine = await member.GetFromJsonAsync<JsonElement>("/proxy/api/sites");
            var all = await admin.GetFromJsonAsync<JsonElement>("/proxy/api/sites");

            var roles = mine.GetProperty("sites").EnumerateArray().ToDictionary(s => s.GetProperty("site_id").GetString()!, s => s.GetProperty("role").GetString());
            Assert.Equal(new Dictionary<string, string?> { [first.SiteId] = "admin", [second.SiteId] = "viewer" }, roles);
            Assert.All(all.GetProperty("sites").EnumerateArray(), s => Assert.Equal("owner", s.GetProperty("role").GetString()));
            Assert.Contains(all.GetProperty("sites").EnumerateArray(), s => s.GetProperty("site_id").GetString() == first.SiteId);
            // Only the times of the secret key's use pass; never a key or a hash.
            Assert.DoesNotContain("\"secret_key\"", mine.GetRawText());
            Assert.DoesNotContain("secret_key_hash", mine.GetRawText());
            Assert.DoesNotContain("\"sk_", mine.GetRawText());
            Assert.True(mine.GetProperty("sites")[0].TryGetProperty("secret_key_last_used_at", out _));
            Assert.Equal(first.PublicKey, mine.GetProperty("sites").EnumerateArray()
                .Single(s => s.GetProperty("site_id").GetString() == first.SiteId).GetProperty("public_key").GetString());
            // As a viewer of the second site the member gets what reading needs, not its settings.
            var viewed = mine.GetProperty("sites").EnumerateArray().Single(s => s.GetProperty("site_id").GetString() == second.SiteId);
            Assert.Equal(["created_at", "domains", "name", "role", "site_id", "time_zone"], viewed.EnumerateObject().Select(p => p.Name).Order());
        }
    }

    [Fact]
    public async Task A_user_without_any_site_sees_none_until_given_a_role()
    {
        var site = await fixture.CreateSiteAsync("Later", "later.test");
        var email = $"nosite-{Guid.NewGuid():N}"[..18] + "@example.com";
        var (admin, csrf) = await fixture.SignInAsAdminAsync();
        using (admin)
        {
            Assert.Equal(HttpStatusCode.Created, (await DashboardFixture.SendAsync(admin, csrf, HttpMethod.Post, "/account/users",
                new { email, password = DashboardFixture.UserPassword, role = "member" })).StatusCode);
            var (member, _) = await fixture.SignInAsync(email, DashboardFixture.UserPassword);
            using (member)
            {
                Assert.Empty((await member.GetFromJsonAsync<JsonElement>("/proxy/api/sites")).GetProperty("sites").EnumerateArray());

                // The user item has no "sites" map yet: the first membership creates it.
                Assert.Equal(HttpStatusCode.OK, (await DashboardFixture.SendAsync(admin, csrf, HttpMethod.Put,
                    $"/account/sites/{site.SiteId}/members/{email}", new { role = "viewer" })).StatusCode);
                Assert.Equal(HttpStatusCode.NotFound, (await DashboardFixture.SendAsync(admin, csrf, HttpMethod.Put,
                    $"/account/sites/{site.SiteId}/members/nobody@example.com", new { role = "viewer" })).StatusCode);

                var sites = await member.GetFromJsonAsync<JsonElement>("/proxy/api/sites");
                Assert.Equal("viewer", sites.GetProperty("sites").EnumerateArray().Single().GetProperty("role").GetString());
            }
        }
    }

    [Fact]
    public async Task A_removed_members_open_realtime_stream_is_cut_while_a_members_runs_on()
    {
        var site = await fixture.CreateSiteAsync("Streaming", "streaming.test");
        var (viewer, _, email) = await fixture.MemberAsync(site.SiteId, "viewer");
        var (admin, csrf) = await fixture.SignInAsAdminAsync();
        using (viewer)
        using (admin)
        {
            var stream = $"/proxy/api/realtime/stream?site_id={site.SiteId}";
            using var response = await viewer.GetAsync(stream, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

            // Past the first re-check of the role: a member keeps the stream.
            var opened = System.Diagnostics.Stopwatch.StartNew();
            using (var kept = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                while (opened.Elapsed < Auth.MembershipSiteRoles.CacheFor + TimeSpan.FromSeconds(2))
                {
                    Assert.NotNull(await reader.ReadLineAsync(kept.Token));
                }
            }

            Assert.Equal(HttpStatusCode.NoContent, (await DashboardFixture.SendAsync(admin, csrf, HttpMethod.Delete,
                $"/account/sites/{site.SiteId}/members/{email}")).StatusCode);

            // The Api writes every 2 s, forever: only the cut can end the stream; 15 s is room for a busy machine.
            Assert.True(await EventStreams.EndsWithinAsync(reader, TimeSpan.FromSeconds(15)), "the stream was still running 15 s after the member was removed");
            using var again = await viewer.GetAsync(stream, HttpCompletionOption.ResponseHeadersRead);
            Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        }
    }

    private async Task<JsonElement> SiteAsync(string siteId) =>
        (await fixture.ApiJsonAsync("/api/sites")).GetProperty("sites").EnumerateArray().Single(s => s.GetProperty("site_id").GetString() == siteId);

    /// <summary>A 404's title and detail, with the asked-for id replaced, so two answers can be compared.</summary>
    private static async Task<string> Problem(HttpResponseMessage response, string? siteId = null, string? replacement = null)
    {
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        var text = problem.GetProperty("title").GetString() + " / " + problem.GetProperty("detail").GetString();
        return siteId is null ? text : text.Replace(siteId, replacement, StringComparison.Ordinal);
    }
}
