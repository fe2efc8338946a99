using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Storage;
using LiveInsight.Dashboard.Sharing;
using LiveInsight.Dashboard.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LiveInsight.Dashboard.Tests.Sharing;

/// <summary>Public links over HTTP: one site's reads only, dead once replaced or revoked (streams too), managed only by
/// the site's administrators, stored as a hash, kept out of search engines and referrers, audited.</summary>
[Collection(nameof(DashboardCollection))]
public sealed class ShareLinkTests(DashboardFixture fixture)
{
    private readonly ShareSteps _steps = new(fixture);

    [Fact]
    public async Task The_shared_api_answers_only_reads_of_the_links_site()
    {
        var site = await fixture.CreateSiteAsync(ShareSteps.Unique("Scoped"));
        var other = await fixture.CreateSiteAsync(ShareSteps.Unique("Other"));
        var token = await _steps.CreateLinkAsync(site.SiteId);
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
            Assert.Equal(HttpStatusCode.MethodNotAllowed, (await ShareSteps.SendAsync(anonymous, method, $"{api}/stats/summary", null)).StatusCode);
        }

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/share/{new string('A', ShareLinks.TokenLength)}/api/stats/summary")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync("/share/short/api/stats/summary")).StatusCode);
        Assert.False(named.Headers.Contains("Set-Cookie"));
    }

    [Theory]
    [InlineData("stats/SUMMARY")]
    [InlineData("sites/x")]
    [InlineData("stats/..%2F..%2Fsites")]
    [InlineData("stats/a-report-name-far-longer-than-any-report-the-api-has-ever-had")]
    public async Task A_report_the_shared_api_does_not_have_is_refused_by_the_dashboard_with_a_detail(string report)
    {
        var site = await fixture.CreateSiteAsync(ShareSteps.Unique("Reports"));
        var token = await _steps.CreateLinkAsync(site.SiteId);
        using var anonymous = fixture.NewHttpClient();

        var response = await anonymous.GetAsync($"/share/{token}/api/{report}");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("no such report", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replacing_a_link_kills_the_old_token_and_revoking_kills_the_link_at_once()
    {
        var site = await fixture.CreateSiteAsync(ShareSteps.Unique("Revocable"));
        using var anonymous = fixture.NewHttpClient();
        var first = await _steps.CreateLinkAsync(site.SiteId);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/share/{first}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/share/{first}/api/stats/summary")).StatusCode);

        var second = await _steps.CreateLinkAsync(site.SiteId);

        Assert.NotEqual(first, second);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/share/{first}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/share/{first}/api/stats/summary")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync($"/share/{second}/api/stats/summary")).StatusCode);
        var status = await _steps.LinkStatusAsync(site.SiteId);
        Assert.True(status.GetProperty("active").GetBoolean());
        Assert.Equal(DashboardFixture.AdminEmail, status.GetProperty("created_by").GetString());

        await _steps.RevokeLinkAsync(site.SiteId);

        Assert.Equal(HttpStatusCode.NotFound, (await anonymous.GetAsync($"/share/{second}/api/stats/summary")).StatusCode);
        var page = await anonymous.GetAsync($"/share/{second}");
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
        Assert.Contains("revoked", await page.Content.ReadAsStringAsync());
        Assert.False((await _steps.LinkStatusAsync(site.SiteId)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Revoking_a_link_ends_its_running_realtime_stream_at_once()
    {
        // A Dashboard whose clock stands still: its periodic re-check of open streams never comes, so only the cut made by
        // the revocation itself can end the stream (no wall-clock race on a busy machine).
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var (dashboard, admin) = fixture.StartSecondDashboard([], services => services.AddSingleton<TimeProvider>(clock));
        await using var running = dashboard;
        using var adminClient = admin;
        var (_, csrf) = await fixture.SignInAsync(DashboardFixture.AdminEmail, DashboardFixture.AdminPassword, adminClient);
        var site = await fixture.CreateSiteAsync(ShareSteps.Unique("Streaming"));
        var created = await DashboardFixture.SendAsync(adminClient, csrf, HttpMethod.Post, $"/account/sites/{site.SiteId}/share");
        var url = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("url").GetString()!;
        using var anonymous = new HttpClient { BaseAddress = adminClient.BaseAddress };
        using var response = await anonymous.GetAsync(new Uri(url).AbsolutePath + "/api/realtime/stream", HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using (var first = new CancellationTokenSource(TimeSpan.FromSeconds(10)))
        {
            while (await reader.ReadLineAsync(first.Token) is { } line && !line.StartsWith("data:", StringComparison.Ordinal))
            {
            }
        }

        Assert.Equal(HttpStatusCode.NoContent, (await DashboardFixture.SendAsync(adminClient, csrf, HttpMethod.Delete, $"/account/sites/{site.SiteId}/share")).StatusCode);

        // The Api writes every 2 s, forever: only the cut can end the stream; 15 s is room for a busy machine.
        Assert.True(await EventStreams.EndsWithinAsync(reader, TimeSpan.FromSeconds(15)), "the stream was still running 15 s after its link was revoked");
    }

    [Fact]
    public async Task Only_administrators_of_an_existing_site_manage_its_link_and_only_with_the_csrf_token()
    {
        // A viewer of this site: site_id is ignored while roles are global (every non-admin views every site) and makes
        // the user the site's viewer once per-site memberships exist; either way not an administrator of it.
        var email = $"share-viewer-{Guid.NewGuid().ToString("N")[..8]}@example.com";
        const string password = "viewer password 1234";
        var site = await fixture.CreateSiteAsync(ShareSteps.Unique("Guarded"));
        var (admin, adminCsrf) = await _steps.AdminAsync();
        using (admin)
        {
            using var create = new HttpRequestMessage(HttpMethod.Post, "/account/users") { Content = JsonContent.Create(new { email, password, role = "viewer", site_id = site.SiteId }) };
            create.Headers.Add("X-CSRF-TOKEN", adminCsrf);
            var created = await admin.SendAsync(create);
            Assert.Equal(HttpStatusCode.Created, created.StatusCode);

            Assert.Equal(HttpStatusCode.BadRequest, (await ShareSteps.SendAsync(admin, HttpMethod.Post, $"/account/sites/{site.SiteId}/share", null)).StatusCode);
            Assert.Equal(HttpStatusCode.NotFound, (await ShareSteps.SendAsync(admin, HttpMethod.Post, "/account/sites/nosuchsite00/share", adminCsrf)).StatusCode);
        }

        var (viewer, csrf) = await _steps.SignedInAsync(email, password);
        using (viewer)
        {
            var refused = await ShareSteps.SendAsync(viewer, HttpMethod.Post, $"/account/sites/{site.SiteId}/share", csrf);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(HttpStatusCode.Forbidden, (await ShareSteps.SendAsync(viewer, HttpMethod.Delete, $"/account/sites/{site.SiteId}/share", csrf)).StatusCode);
            Assert.Equal(HttpStatusCode.Forbidden, (await viewer.GetAsync($"/account/sites/{site.SiteId}/share")).StatusCode);
        }

        using var anonymous = fixture.NewHttpClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/account/sites/{site.SiteId}/share")).StatusCode);
        Assert.False((await _steps.LinkStatusAsync(site.SiteId)).GetProperty("active").GetBoolean());
    }

    [Fact]
    public async Task Only_the_tokens_hash_is_stored_and_share_answers_are_neither_indexed_nor_referred()
    {
        var site = await fixture.CreateSiteAsync(ShareSteps.Unique("Hashed"));
        var token = await _steps.CreateLinkAsync(site.SiteId);

        using var dynamo = _steps.Dynamo();
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
        var site = await fixture.CreateSiteAsync(ShareSteps.Unique("Audited"));

        await _steps.CreateLinkAsync(site.SiteId);
        await _steps.CreateLinkAsync(site.SiteId);
        await _steps.RevokeLinkAsync(site.SiteId);
        await _steps.RevokeLinkAsync(site.SiteId);

        using var dynamo = _steps.Dynamo();
        var audit = new AuditLog(dynamo, Options.Create(new StorageOptions { TablePrefix = fixture.TablePrefix }));
        // Only the share entries: the site's log also holds what others wrote about it (the Api audits site.create).
        var entries = (await audit.ListAsync(site.SiteId, 50, CancellationToken.None))
            .Where(e => e.Action.StartsWith("share.", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [AuditActions.ShareRevoke, AuditActions.ShareCreate, AuditActions.ShareCreate],
            entries.OrderByDescending(e => e.At).Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal(DashboardFixture.AdminEmail, e.Actor));
        Assert.All(entries, e => Assert.Equal("127.0.0.0", e.MaskedIp));
        Assert.Contains(entries, e => e.Details?.Contains("replaced", StringComparison.Ordinal) == true);
    }
}
