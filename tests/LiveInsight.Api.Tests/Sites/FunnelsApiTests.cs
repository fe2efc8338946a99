using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Stats;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Sites;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Api.Tests.Sites;

/// <summary>Funnels stored with the site: create, list, replace, delete; defaults, bounds, uniqueness, who may, audit.</summary>
[Collection(nameof(ApiCollection))]
public sealed class FunnelsApiTests(ApiFixture fixture)
{
    private const string Good = "{\"name\":\"Checkout\",\"steps\":[{\"kind\":\"page\",\"path\":\"/pricing/**\"},{\"kind\":\"event\",\"event_name\":\"Signup\",\"prop_key\":\"plan\",\"prop_value\":\"pro\",\"display_name\":\"Pro signup\"}]}";

    [Fact]
    public async Task A_funnel_is_created_with_the_session_window_listed_replaced_stored_with_the_site_and_deleted()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateSiteClient(site);

        using var created = await PostAsync(client, site, Good);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var funnel = await created.Content.ReadFromJsonAsync<JsonElement>();
        var id = funnel.GetProperty("id").GetString()!;
        Assert.Matches("^f_[a-z2-9]{8}$", id);
        Assert.Equal($"/api/sites/{site.SiteId}/funnels/{id}", created.Headers.Location?.OriginalString);
        Assert.Equal("session", funnel.GetProperty("window").GetString());
        Assert.Equal(["Visit /pricing/**", "Pro signup"], funnel.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("label").GetString()));

        using var replaced = await client.PutAsync($"/api/sites/{site.SiteId}/funnels/{id}", Json(
            "{\"name\":\"Checkout 2\",\"window\":\"1h\",\"steps\":[{\"kind\":\"page\",\"path\":\"/\"},{\"kind\":\"page\",\"path\":\"/pricing\"},{\"kind\":\"event\",\"event_name\":\"Signup\"}]}"));
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);

        var stored = await fixture.Factory.Services.GetRequiredService<SiteRepository>().FindByIdAsync(site.SiteId, CancellationToken.None);
        Assert.Equal(new Funnel(id, "Checkout 2", stored!.Funnels[0].Steps, "1h"), stored.Funnels.Single());
        Assert.Equal(
            [new FunnelStep("page", "/", null, null, null, null), new FunnelStep("page", "/pricing", null, null, null, null), new FunnelStep("event", null, "Signup", null, null, null)],
            stored.Funnels[0].Steps);
        var listed = (await client.GetFromJsonAsync<JsonElement>($"/api/sites/{site.SiteId}/funnels")).GetProperty("funnels");
        Assert.Equal(["Checkout 2"], listed.EnumerateArray().Select(f => f.GetProperty("name").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/sites/{site.SiteId}/funnels/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/sites/{site.SiteId}/funnels/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PutAsync($"/api/sites/{site.SiteId}/funnels/{id}", Json(Good))).StatusCode);
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>($"/api/sites/{site.SiteId}/funnels")).GetProperty("funnels").EnumerateArray());
    }

    [Theory]
    [InlineData("{\"steps\":[{\"kind\":\"page\",\"path\":\"/a\"},{\"kind\":\"page\",\"path\":\"/b\"}]}", "name")]
    [InlineData("{\"name\":\"   \",\"steps\":[{\"kind\":\"page\",\"path\":\"/a\"},{\"kind\":\"page\",\"path\":\"/b\"}]}", "name")]
    [InlineData("{\"name\":\"F\",\"steps\":[{\"kind\":\"page\",\"path\":\"/a\"}]}", "steps")]
    [InlineData("{\"name\":\"F\"}", "steps")]
    [InlineData("{\"name\":\"F\",\"steps\":[{\"kind\":\"page\",\"path\":\"/1\"},{\"kind\":\"page\",\"path\":\"/2\"},{\"kind\":\"page\",\"path\":\"/3\"},{\"kind\":\"page\",\"path\":\"/4\"},{\"kind\":\"page\",\"path\":\"/5\"},{\"kind\":\"page\",\"path\":\"/6\"},{\"kind\":\"page\",\"path\":\"/7\"},{\"kind\":\"page\",\"path\":\"/8\"},{\"kind\":\"page\",\"path\":\"/9\"}]}", "steps")]
    [InlineData("{\"name\":\"F\",\"window\":\"2h\",\"steps\":[{\"kind\":\"page\",\"path\":\"/a\"},{\"kind\":\"page\",\"path\":\"/b\"}]}", "window")]
    [InlineData("{\"name\":\"F\",\"steps\":[{\"kind\":\"page\",\"path\":\"/a\"},{\"kind\":\"page\",\"path\":\"b\"}]}", "steps[1].path")]
    [InlineData("{\"name\":\"F\",\"steps\":[{\"kind\":\"visit\",\"path\":\"/a\"},{\"kind\":\"page\",\"path\":\"/b\"}]}", "steps[0].kind")]
    [InlineData("{\"name\":\"F\",\"steps\":[{\"kind\":\"page\",\"path\":\"/a\"},{\"kind\":\"event\",\"event_name\":\"S\",\"prop_key\":\"plan\"}]}", "steps[1].prop_key")]
    [InlineData("{\"name\":\"F\",\"steps\":[{\"kind\":\"page\",\"path\":\"/a\"},null]}", "steps[1]")]
    [InlineData("{\"name\":\"F\",\"steps\":[{\"kind\":\"page\",\"path\":\"/a\",\"display_name\":\"Sign\\u200Bup\"},{\"kind\":\"page\",\"path\":\"/b\"}]}", "steps[0].display_name")]
    public async Task An_invalid_funnel_is_a_400_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateSiteClient(site);

        using var response = await PostAsync(client, site, body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), errors.GetRawText());
        Assert.Empty((await client.GetFromJsonAsync<JsonElement>($"/api/sites/{site.SiteId}/funnels")).GetProperty("funnels").EnumerateArray());
    }

    [Fact]
    public async Task Names_are_unique_per_site_ignoring_case_and_a_site_has_at_most_20_funnels()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateSiteClient(site);
        Assert.Equal(HttpStatusCode.Created, (await PostAsync(client, site, Good)).StatusCode);

        using var twin = await PostAsync(client, site, Good.Replace("Checkout", "CHECKOUT", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.Conflict, twin.StatusCode);
        Assert.Contains("already has a funnel named", await twin.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        for (var i = 1; i < Funnel.MaxPerSite; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await PostAsync(client, site, Good.Replace("Checkout", $"Checkout {i}", StringComparison.Ordinal))).StatusCode);
        }

        using var over = await PostAsync(client, site, Good.Replace("Checkout", "One too many", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
        Assert.Contains("at most 20 funnels", await over.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        var all = (await client.GetFromJsonAsync<JsonElement>($"/api/sites/{site.SiteId}/funnels")).GetProperty("funnels").EnumerateArray().ToList();
        Assert.Equal(Funnel.MaxPerSite, all.Count);

        // Renaming one to another's name is refused too; keeping its own name is fine.
        var first = all[0].GetProperty("id").GetString();
        Assert.Equal(HttpStatusCode.Conflict, (await client.PutAsync($"/api/sites/{site.SiteId}/funnels/{first}", Json(Good.Replace("Checkout", "checkout 3", StringComparison.Ordinal)))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/api/sites/{site.SiteId}/funnels/{first}", Json(Good))).StatusCode);
    }

    [Fact]
    public async Task Another_sites_key_sees_404_no_key_401_and_changes_are_audited_with_the_secret_key_as_actor()
    {
        var site = await fixture.CreateAsync();
        var other = await fixture.CreateAsync();
        using var client = fixture.CreateSiteClient(site);
        client.DefaultRequestHeaders.Add("X-LiveInsight-Actor", "forged@example.com");
        using var foreign = fixture.CreateSiteClient(other);
        using var anonymous = fixture.CreateClient();

        var id = (await (await PostAsync(client, site, Good)).Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.NotFound, (await foreign.GetAsync($"/api/sites/{site.SiteId}/funnels")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await foreign.DeleteAsync($"/api/sites/{site.SiteId}/funnels/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await foreign.PostAsync($"/api/sites/{site.SiteId}/funnels/{id}/query", Json("{\"date_range\":\"7d\"}"))).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/sites/{site.SiteId}/funnels")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsync($"/api/sites/{site.SiteId}/funnels/{id}", Json(Good.Replace("}]}", "}],\"window\":\"7d\"}", StringComparison.Ordinal)))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/sites/{site.SiteId}/funnels/{id}")).StatusCode);

        var entries = (await fixture.Factory.Services.GetRequiredService<AuditLog>().ListAsync(site.SiteId, 50, CancellationToken.None))
            .Where(e => e.Action.StartsWith("funnel.", StringComparison.Ordinal)).OrderBy(e => e.At).ToList();
        Assert.Equal([AuditActions.FunnelCreate, AuditActions.FunnelUpdate, AuditActions.FunnelDelete], entries.Select(e => e.Action));
        Assert.All(entries, e => Assert.Equal((AuditLog.SecretKeyActor, id), (e.Actor, e.Target)));
        Assert.Equal("funnel 'Checkout' (session): page /pricing/** → event Signup plan=pro", entries[0].Details);
        Assert.Equal("funnel 'Checkout' (7d): page /pricing/** → event Signup plan=pro", entries[1].Details);
    }

    private static Task<HttpResponseMessage> PostAsync(HttpClient client, TestSite site, string body) =>
        client.PostAsync($"/api/sites/{site.SiteId}/funnels", Json(body));

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
