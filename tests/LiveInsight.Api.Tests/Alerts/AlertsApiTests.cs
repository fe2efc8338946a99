using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Stats;
using LiveInsight.Core.Audit;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Api.Tests.Alerts;

[Collection(nameof(ApiCollection))]
public sealed class AlertsApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_site_has_no_rules_until_its_owner_adds_one_and_a_new_rule_is_off_with_defaults_filled_in()
    {
        var site = await fixture.CreateAsync();
        using var owner = fixture.CreateSiteClient(site);

        var empty = await owner.GetJsonAsync($"/api/sites/{site.SiteId}/alerts");
        Assert.Empty(empty.GetProperty("rules").EnumerateArray());
        Assert.Equal(3.0, empty.GetProperty("defaults").GetProperty("spike_factor").GetDouble());

        var created = await owner.PostAsJsonAsync($"/api/sites/{site.SiteId}/alerts", new { kind = "spike", emails = new[] { "owner@example.com" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var body = await created.Content.ReadFromJsonAsync<JsonElement>();
        Assert.StartsWith("whsec_", body.GetProperty("webhook_secret").GetString());
        var rule = body.GetProperty("rule");
        Assert.False(rule.GetProperty("enabled").GetBoolean());
        Assert.Equal(3.0, rule.GetProperty("baseline_factor").GetDouble());

        var listed = (await owner.GetJsonAsync($"/api/sites/{site.SiteId}/alerts")).GetProperty("rules");
        var only = Assert.Single(listed.EnumerateArray());
        Assert.False(only.TryGetProperty("webhook_secret", out _)); // shown once, at creation
        Assert.Equal(rule.GetProperty("id").GetString(), only.GetProperty("id").GetString());
    }

    [Fact]
    public async Task A_rule_can_be_replaced_and_deleted_and_every_change_is_audited()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        var created = await (await admin.PostAsJsonAsync($"/api/sites/{site.SiteId}/alerts", new { kind = "goal", goal = "Signup", threshold = 5 }))
            .Content.ReadFromJsonAsync<JsonElement>();
        var id = created.GetProperty("rule").GetProperty("id").GetString();

        var replaced = await admin.PutAsJsonAsync($"/api/sites/{site.SiteId}/alerts/{id}", new { kind = "goal", goal = "Signup", threshold = 9, direction = "below", enabled = true });
        Assert.Equal(HttpStatusCode.OK, replaced.StatusCode);
        var rule = await replaced.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(9, rule.GetProperty("threshold").GetInt64());
        Assert.True(rule.GetProperty("enabled").GetBoolean());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/sites/{site.SiteId}/alerts/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync($"/api/sites/{site.SiteId}/alerts/{id}")).StatusCode);
        Assert.Empty((await admin.GetJsonAsync($"/api/sites/{site.SiteId}/alerts")).GetProperty("rules").EnumerateArray());

        var audit = await fixture.Factory.Services.GetRequiredService<AuditLog>().ListAsync(site.SiteId, 50, CancellationToken.None);
        Assert.Equal(["alert.create", "alert.update", "alert.delete"], audit.Where(e => e.Action.StartsWith("alert.", StringComparison.Ordinal)).Select(e => e.Action).Reverse());
    }

    [Fact]
    public async Task A_site_holds_at_most_20_rules()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync($"/api/sites/{site.SiteId}/alerts", new { kind = "drop" })).StatusCode);
        }

        var refused = await admin.PostAsJsonAsync($"/api/sites/{site.SiteId}/alerts", new { kind = "drop" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task One_site_s_secret_key_cannot_see_or_change_another_site_s_rules()
    {
        var (mine, theirs) = (await fixture.CreateAsync(), await fixture.CreateAsync());
        using var admin = fixture.CreateAdminClient();
        await admin.PostAsJsonAsync($"/api/sites/{theirs.SiteId}/alerts", new { kind = "spike" });
        using var me = fixture.CreateSiteClient(mine);

        Assert.Equal(HttpStatusCode.NotFound, (await me.GetAsync($"/api/sites/{theirs.SiteId}/alerts")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await me.PostAsJsonAsync($"/api/sites/{theirs.SiteId}/alerts", new { kind = "spike" })).StatusCode);
        Assert.Single((await admin.GetJsonAsync($"/api/sites/{theirs.SiteId}/alerts")).GetProperty("rules").EnumerateArray());
    }

    [Theory]
    [InlineData("{\"kind\":\"spike\",\"baseline_factor\":0.5}", "baseline_factor")]
    [InlineData("{\"kind\":\"drop\",\"silent_minutes\":2}", "silent_minutes")]
    [InlineData("{\"kind\":\"goal\",\"threshold\":3}", "goal")]
    [InlineData("{\"kind\":\"spike\",\"emails\":[\"a@b.example\\r\\nBcc: x@y.example\"]}", "emails")]
    [InlineData("{\"kind\":\"spike\",\"webhooks\":[{\"url\":\"ftp://h.example/x\"}]}", "webhooks")]
    [InlineData("{\"kind\":\"spike\",\"quiet_hours\":{\"from\":5,\"to\":5}}", "quiet_hours")]
    [InlineData("{\"kind\":\"uptime\"}", "kind")]
    public async Task A_bad_rule_is_refused_naming_the_field(string json, string field)
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        var response = await admin.PostAsync($"/api/sites/{site.SiteId}/alerts", new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }
}
