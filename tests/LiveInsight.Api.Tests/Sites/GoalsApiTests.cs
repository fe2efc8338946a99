using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Stats;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Sites;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Api.Tests.Sites;

/// <summary>Goals stored with the site: create, list, delete; defaults, uniqueness, the bound, who may do what, audit.</summary>
[Collection(nameof(ApiCollection))]
public sealed class GoalsApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_page_goal_and_an_event_goal_are_created_with_their_defaults_listed_in_order_and_deleted()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateSiteClient(site);

        var page = await client.PostAsJsonAsync($"/api/sites/{site.SiteId}/goals", new { kind = "page", path = "/signup/**" });
        var evt = await client.PostAsJsonAsync($"/api/sites/{site.SiteId}/goals", new { kind = "event", event_name = "Signup", prop_key = "plan", prop_value = "pro" });
        var named = await client.PostAsJsonAsync($"/api/sites/{site.SiteId}/goals", new { kind = "event", event_name = "Download", display_name = "  PDF download  " });

        Assert.Equal(HttpStatusCode.Created, page.StatusCode);
        var pageGoal = await page.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Matches("^g_[a-z2-9]{8}$", pageGoal.GetProperty("id").GetString());
        Assert.Equal($"/api/sites/{site.SiteId}/goals/{pageGoal.GetProperty("id").GetString()}", page.Headers.Location?.OriginalString);
        Assert.Equal("{\"kind\":\"page\",\"display_name\":\"Visit /signup/**\",\"path\":\"/signup/**\"}", WithoutId(pageGoal));
        Assert.Equal("{\"kind\":\"event\",\"display_name\":\"Signup\",\"event_name\":\"Signup\",\"prop_key\":\"plan\",\"prop_value\":\"pro\"}",
            WithoutId(await evt.Content.ReadFromJsonAsync<JsonElement>()));
        Assert.Equal("PDF download", (await named.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("display_name").GetString());

        var listed = await ListAsync(client, site);
        Assert.Equal(["Visit /signup/**", "Signup", "PDF download"], listed.Select(g => g.GetProperty("display_name").GetString()));

        var deleted = await client.DeleteAsync($"/api/sites/{site.SiteId}/goals/{pageGoal.GetProperty("id").GetString()}");
        var again = await client.DeleteAsync($"/api/sites/{site.SiteId}/goals/{pageGoal.GetProperty("id").GetString()}");

        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);
        Assert.Equal(["Signup", "PDF download"], (await ListAsync(client, site)).Select(g => g.GetProperty("display_name").GetString()));
        // Stored with the site, not only cached: the repository reads them back.
        var stored = await fixture.Factory.Services.GetRequiredService<SiteRepository>().FindByIdAsync(site.SiteId, CancellationToken.None);
        Assert.Equal([new Goal(stored!.Goals[0].Id, "event", "Signup", null, "Signup", "plan", "pro"), new Goal(stored.Goals[1].Id, "event", "PDF download", null, "Download", null, null)], stored.Goals);
    }

    [Theory]
    [InlineData("{\"kind\":\"page\",\"path\":\"signup\"}", "path")]
    [InlineData("{\"kind\":\"page\",\"path\":\"/***\"}", "path")]
    [InlineData("{\"kind\":\"goal\",\"path\":\"/x\"}", "kind")]
    [InlineData("{\"kind\":\"event\"}", "event_name")]
    [InlineData("{\"kind\":\"event\",\"event_name\":\"Signup\",\"prop_key\":\"plan\"}", "prop_key")]
    [InlineData("{\"kind\":\"event\",\"event_name\":\"Signup\",\"path\":\"/x\"}", "path")]
    [InlineData("{\"kind\":\"page\",\"path\":\"/x\",\"event_name\":\"Signup\"}", "event_name")]
    [InlineData("{\"kind\":\"event\",\"event_name\":\"Sign\\u202Eup\"}", "event_name")]
    [InlineData("{\"kind\":\"event\",\"event_name\":\"Signup\",\"display_name\":\"\"}", "display_name")]
    public async Task An_invalid_goal_is_a_400_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateSiteClient(site);

        using var response = await client.PostAsync($"/api/sites/{site.SiteId}/goals", new StringContent(body, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), errors.GetRawText());
        Assert.Empty(await ListAsync(client, site));
    }

    [Fact]
    public async Task Display_names_are_unique_per_site_ignoring_case_and_a_site_has_at_most_100_goals()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateSiteClient(site);
        Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/sites/{site.SiteId}/goals", new { kind = "event", event_name = "Signup" })).StatusCode);

        var twin = await client.PostAsJsonAsync($"/api/sites/{site.SiteId}/goals", new { kind = "page", path = "/x", display_name = "SIGNUP" });
        Assert.Equal(HttpStatusCode.Conflict, twin.StatusCode);
        Assert.Contains("already has a goal named", await twin.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        for (var i = 1; i < Goal.MaxPerSite; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await client.PostAsJsonAsync($"/api/sites/{site.SiteId}/goals", new { kind = "page", path = $"/p{i}" })).StatusCode);
        }

        var over = await client.PostAsJsonAsync($"/api/sites/{site.SiteId}/goals", new { kind = "page", path = "/one-too-many" });
        Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
        Assert.Contains("at most 100 goals", await over.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(Goal.MaxPerSite, (await ListAsync(client, site)).Count);
    }

    [Fact]
    public async Task Another_sites_key_sees_404_no_key_401_and_the_admin_token_may_do_everything()
    {
        var site = await fixture.CreateAsync();
        var other = await fixture.CreateAsync();
        using var foreign = fixture.CreateSiteClient(other);
        using var anonymous = fixture.CreateClient();
        using var admin = fixture.CreateAdminClient();

        Assert.Equal(HttpStatusCode.NotFound, (await foreign.GetAsync($"/api/sites/{site.SiteId}/goals")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await foreign.PostAsJsonAsync($"/api/sites/{site.SiteId}/goals", new { kind = "page", path = "/x" })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/sites/{site.SiteId}/goals")).StatusCode);

        var created = await admin.PostAsJsonAsync($"/api/sites/{site.SiteId}/goals", new { kind = "page", path = "/x" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.NotFound, (await foreign.DeleteAsync($"/api/sites/{site.SiteId}/goals/{id}")).StatusCode);
        Assert.Single(await ListAsync(admin, site));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/sites/{site.SiteId}/goals/{id}")).StatusCode);
    }

    [Fact]
    public async Task Goal_changes_are_audited_with_the_secret_key_as_actor_whatever_actor_headers_it_sends()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateSiteClient(site);
        client.DefaultRequestHeaders.Add("X-LiveInsight-Actor", "forged@example.com");

        var created = await client.PostAsJsonAsync($"/api/sites/{site.SiteId}/goals", new { kind = "event", event_name = "Signup", prop_key = "plan", prop_value = "pro" });
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await client.DeleteAsync($"/api/sites/{site.SiteId}/goals/{id}");

        var entries = (await fixture.Factory.Services.GetRequiredService<AuditLog>().ListAsync(site.SiteId, 50, CancellationToken.None))
            .Where(e => e.Action.StartsWith("goal.", StringComparison.Ordinal)).OrderBy(e => e.At).ToList();
        Assert.Equal([AuditActions.GoalCreate, AuditActions.GoalDelete], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal((AuditLog.SecretKeyActor, id), (e.Actor, e.Target)));
        Assert.Equal("event goal 'Signup': event_name=Signup, plan=pro", entries[0].Details);
    }

    private static async Task<List<JsonElement>> ListAsync(HttpClient client, TestSite site) =>
        (await client.GetFromJsonAsync<JsonElement>($"/api/sites/{site.SiteId}/goals")).GetProperty("goals").EnumerateArray().ToList();

    private static string WithoutId(JsonElement goal) =>
        "{" + string.Join(",", goal.EnumerateObject().Where(p => p.Name != "id").Select(p => $"\"{p.Name}\":{p.Value.GetRawText()}")) + "}";
}
