using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Audit;
using LiveInsight.Core.Sites;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Api.Tests.Sites;

[Collection(nameof(ApiCollection))]
public sealed class IdentifySettingTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_new_site_has_identify_off_and_a_secret_that_no_answer_and_no_audit_entry_shows()
    {
        using var admin = fixture.CreateAdminClient();
        var site = await fixture.CreateAsync();

        var secret = await StoredSecretAsync(site.SiteId);
        var enabledAtFirst = (await fixture.GetSummaryAsync(site.SiteId)).GetProperty("identify_enabled").GetBoolean();
        var listing = await admin.GetStringAsync("/api/sites");
        var patched = await (await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new { identify_enabled = true })).Content.ReadAsStringAsync();
        var audit = await fixture.Factory.Services.GetRequiredService<AuditLog>().ListAsync(site.SiteId, 50, CancellationToken.None);

        Assert.Equal(Identify.SecretBytes, secret.Length);
        Assert.False(enabledAtFirst);
        foreach (var text in new[] { listing, patched }.Concat(audit.Select(e => e.Details ?? "")))
        {
            Assert.DoesNotContain(Convert.ToBase64String(secret), text);
            Assert.DoesNotContain(Convert.ToHexString(secret), text, StringComparison.OrdinalIgnoreCase);
        }

        Assert.Contains("\"identify_enabled\":true", patched);
        Assert.Contains(audit, e => e.Action == AuditActions.SiteUpdate && e.Details == "identify_enabled=true");
    }

    [Fact]
    public async Task Identify_is_off_unless_asked_for_and_the_setting_is_kept_by_other_changes()
    {
        using var admin = fixture.CreateAdminClient();
        var off = await fixture.CreateAsync();
        var on = await fixture.CreateAsync(identifyEnabled: true);

        await admin.PatchAsJsonAsync($"/api/sites/{on.SiteId}", new { name = "Renamed" });

        Assert.False((await fixture.GetSummaryAsync(off.SiteId)).GetProperty("identify_enabled").GetBoolean());
        Assert.True((await fixture.GetSummaryAsync(on.SiteId)).GetProperty("identify_enabled").GetBoolean());
    }

    [Fact]
    public async Task Resetting_the_secret_replaces_it_and_the_audit_entry_shows_only_a_fingerprint()
    {
        using var admin = fixture.CreateAdminClient();
        var site = await fixture.CreateAsync(identifyEnabled: true);
        var before = await StoredSecretAsync(site.SiteId);

        var response = await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new { reset_identify_secret = true });
        var after = await StoredSecretAsync(site.SiteId);
        var entry = (await fixture.Factory.Services.GetRequiredService<AuditLog>().ListAsync(site.SiteId, 50, CancellationToken.None))
            .Single(e => e.Action == AuditActions.SiteUpdate);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotEqual(Convert.ToHexString(before), Convert.ToHexString(after));
        Assert.Matches("^identify_secret=[0-9a-f]{8}$", entry.Details);
        Assert.NotEqual(Identify.Hash(before, "user-1"), Identify.Hash(after, "user-1"));
    }

    [Fact]
    public async Task A_site_stored_before_identify_gets_its_secret_at_its_next_change()
    {
        using var admin = fixture.CreateAdminClient();
        var site = await fixture.CreateAsync();
        await fixture.Dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = fixture.TablePrefix + "Sites",
            Key = new() { ["site_id"] = new AttributeValue { S = site.SiteId } },
            UpdateExpression = "REMOVE identify_secret, identify_enabled",
        });

        var response = await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new { identify_enabled = true });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Identify.SecretBytes, (await StoredSecretAsync(site.SiteId)).Length);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("identify_enabled").GetBoolean());
    }

    private async Task<byte[]> StoredSecretAsync(string siteId)
    {
        var item = (await fixture.Dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = fixture.TablePrefix + "Sites",
            Key = new() { ["site_id"] = new AttributeValue { S = siteId } },
        })).Item;
        return item["identify_secret"].B.ToArray();
    }
}
