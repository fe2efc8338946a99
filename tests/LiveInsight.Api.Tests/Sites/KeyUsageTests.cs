using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Sites;
using static LiveInsight.Api.Tests.Ingestion.EventPosting;

namespace LiveInsight.Api.Tests.Sites;

/// <summary>Last-used times of keys, the retired keys a rotation leaves, and revoking them early.</summary>
[Collection(nameof(ApiCollection))]
public sealed class KeyUsageTests(ApiFixture fixture)
{
    [Fact]
    public async Task Unused_keys_have_no_last_used_time()
    {
        var site = await fixture.CreateAsync();

        var summary = await fixture.GetSummaryAsync(site.SiteId);

        Assert.Equal(JsonValueKind.Null, summary.GetProperty("public_key_last_used_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("secret_key_last_used_at").ValueKind);
        Assert.Empty(summary.GetProperty("retired_keys").EnumerateArray());
    }

    [Fact]
    public async Task Ingestion_stamps_the_public_key_and_a_read_stamps_the_secret_key()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);

        Assert.Equal(HttpStatusCode.Accepted, await IngestAsync(client, site.PublicKey));
        var afterIngest = await fixture.GetSummaryAsync(site.SiteId);
        Assert.InRange(afterIngest.GetProperty("public_key_last_used_at").GetDateTimeOffset(), before, DateTimeOffset.UtcNow);
        Assert.Equal(JsonValueKind.Null, afterIngest.GetProperty("secret_key_last_used_at").ValueKind);

        Assert.Equal(HttpStatusCode.OK, await ReadAsync(site.SiteId, site.SecretKey));
        // The secret key is stamped without making the read wait.
        var secretUsed = await EventuallyAsync(async () =>
            (await fixture.GetSummaryAsync(site.SiteId)).GetProperty("secret_key_last_used_at") is { ValueKind: JsonValueKind.String } at
                ? at.GetDateTimeOffset()
                : (DateTimeOffset?)null);
        Assert.InRange(secretUsed, before, DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task A_rotation_lists_the_retired_key_without_secret_material_and_its_use()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        using var client = fixture.CreateClient();
        var rotated = await RotateAsync(admin, site.SiteId, grace: 3600);

        Assert.Equal(HttpStatusCode.Accepted, await IngestAsync(client, site.PublicKey));
        var listing = await admin.GetStringAsync("/api/sites");
        var summary = await fixture.GetSummaryAsync(site.SiteId);

        var retired = Assert.Single(summary.GetProperty("retired_keys").EnumerateArray());
        Assert.Equal(site.PublicKey, retired.GetProperty("public_key").GetString());
        Assert.InRange(retired.GetProperty("valid_until").GetDateTimeOffset(), DateTimeOffset.UtcNow.AddMinutes(59), DateTimeOffset.UtcNow.AddMinutes(61));
        Assert.Equal(JsonValueKind.String, retired.GetProperty("last_used_at").ValueKind);
        Assert.Equal(JsonValueKind.Null, summary.GetProperty("public_key_last_used_at").ValueKind);
        Assert.Equal(rotated.PublicKey, summary.GetProperty("public_key").GetString());
        foreach (var secret in new[] { site.SecretKey, rotated.SecretKey })
        {
            Assert.DoesNotContain(secret, listing);
            Assert.DoesNotContain(SiteKeys.HashSecret(secret), listing);
        }
    }

    [Fact]
    public async Task Revoking_retired_keys_refuses_both_old_keys_at_once_and_keeps_the_new_ones()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        using var client = fixture.CreateClient();
        var rotated = await RotateAsync(admin, site.SiteId, grace: 3600);
        // Warm the caches with the old keys, so the test shows they are dropped, not merely missed.
        Assert.Equal(HttpStatusCode.Accepted, await IngestAsync(client, site.PublicKey));
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(site.SiteId, site.SecretKey));

        var response = await admin.DeleteAsync($"/api/sites/{site.SiteId}/retired-keys");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var summary = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(site.SiteId, summary.GetProperty("site_id").GetString());
        Assert.Empty(summary.GetProperty("retired_keys").EnumerateArray());
        Assert.Equal(HttpStatusCode.Unauthorized, await IngestAsync(client, site.PublicKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadAsync(site.SiteId, site.SecretKey));
        Assert.Equal(HttpStatusCode.Accepted, await IngestAsync(client, rotated.PublicKey));
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(site.SiteId, rotated.SecretKey));
        Assert.Empty((await fixture.GetSummaryAsync(site.SiteId)).GetProperty("retired_keys").EnumerateArray());
    }

    [Fact]
    public async Task Two_rotations_list_both_retired_keys_and_one_revoke_ends_both()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        using var client = fixture.CreateClient();
        var first = await RotateAsync(admin, site.SiteId, grace: 3600);
        await RotateAsync(admin, site.SiteId, grace: 3600);

        var retired = (await fixture.GetSummaryAsync(site.SiteId)).GetProperty("retired_keys").EnumerateArray()
            .Select(k => k.GetProperty("public_key").GetString()).ToList();
        Assert.Equal([site.PublicKey, first.PublicKey], retired);

        Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync($"/api/sites/{site.SiteId}/retired-keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await IngestAsync(client, site.PublicKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await IngestAsync(client, first.PublicKey));
    }

    [Fact]
    public async Task Revoking_needs_the_admin_token_and_a_known_site()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        using var owner = fixture.CreateClient();
        owner.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", site.SecretKey);

        Assert.Equal(HttpStatusCode.NotFound, (await admin.DeleteAsync("/api/sites/nosuchsite00/retired-keys")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await owner.DeleteAsync($"/api/sites/{site.SiteId}/retired-keys")).StatusCode);
    }

    internal sealed record Keys(string PublicKey, string SecretKey);

    internal static async Task<Keys> RotateAsync(HttpClient admin, string siteId, int grace)
    {
        var response = await admin.PostAsync($"/api/sites/{siteId}/rotate-keys?grace_seconds={grace}", null);
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return new Keys(body.GetProperty("public_key").GetString()!, body.GetProperty("secret_key").GetString()!);
    }

    internal static async Task<HttpStatusCode> IngestAsync(HttpClient client, string publicKey) =>
        (await client.SendAsync(Request(Batch(publicKey, PageView())))).StatusCode;

    private async Task<HttpStatusCode> ReadAsync(string siteId, string secretKey)
    {
        using var reader = fixture.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secretKey);
        return (await reader.GetAsync($"/api/realtime/users?site_id={siteId}")).StatusCode;
    }

    private static async Task<T> EventuallyAsync<T>(Func<Task<T?>> probe) where T : struct
    {
        for (var attempt = 0; attempt < 50; attempt++)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(100);
        }

        throw new Xunit.Sdk.XunitException("The value did not appear within 5 s.");
    }
}
