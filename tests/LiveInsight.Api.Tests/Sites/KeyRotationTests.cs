using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using static LiveInsight.Api.Tests.Ingestion.EventPosting;

namespace LiveInsight.Api.Tests.Sites;

[Collection(nameof(ApiCollection))]
public sealed class KeyRotationTests(ApiFixture fixture)
{
    [Fact]
    public async Task Rotated_out_keys_work_during_the_grace_period_and_are_refused_after_it()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        using var client = fixture.CreateClient();

        // Wide enough that the four in-grace calls finish inside it on a loaded machine; the wait below counts from
        // the rotation's answer, so it always ends after the grace.
        var rotated = await (await admin.PostAsync($"/api/sites/{site.SiteId}/rotate-keys?grace_seconds=6", null))
            .Content.ReadFromJsonAsync<JsonElement>();
        var rotatedAt = System.Diagnostics.Stopwatch.StartNew();
        var newPublic = rotated.GetProperty("public_key").GetString()!;
        var newSecret = rotated.GetProperty("secret_key").GetString()!;

        Assert.NotEqual(site.PublicKey, newPublic);
        Assert.Equal(HttpStatusCode.Accepted, await IngestAsync(client, site.PublicKey));
        Assert.Equal(HttpStatusCode.Accepted, await IngestAsync(client, newPublic));
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(site.SiteId, site.SecretKey));
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(site.SiteId, newSecret));

        var rest = TimeSpan.FromSeconds(6.5) - rotatedAt.Elapsed;
        if (rest > TimeSpan.Zero)
        {
            await Task.Delay(rest);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, await IngestAsync(client, site.PublicKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadAsync(site.SiteId, site.SecretKey));
        Assert.Equal(HttpStatusCode.Accepted, await IngestAsync(client, newPublic));
        Assert.Equal(HttpStatusCode.OK, await ReadAsync(site.SiteId, newSecret));
    }

    [Fact]
    public async Task A_rotation_with_no_grace_revokes_the_old_keys_at_once()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        using var client = fixture.CreateClient();
        Assert.Equal(HttpStatusCode.Accepted, await IngestAsync(client, site.PublicKey));

        var response = await admin.PostAsync($"/api/sites/{site.SiteId}/rotate-keys?grace_seconds=0", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, await IngestAsync(client, site.PublicKey));
        Assert.Equal(HttpStatusCode.Unauthorized, await ReadAsync(site.SiteId, site.SecretKey));
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(30 * 24 * 3600 + 1)]
    public async Task A_grace_period_out_of_range_is_refused(int grace)
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();

        var response = await admin.PostAsync($"/api/sites/{site.SiteId}/rotate-keys?grace_seconds={grace}", null);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("grace_seconds", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Retired_key_aliases_never_show_up_as_sites()
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();
        await admin.PostAsync($"/api/sites/{site.SiteId}/rotate-keys", null);

        var listing = await admin.GetStringAsync("/api/sites");

        Assert.DoesNotContain("retired-", listing);
        Assert.Single(JsonDocument.Parse(listing).RootElement.GetProperty("sites").EnumerateArray(),
            s => s.GetProperty("site_id").GetString() == site.SiteId);
    }

    private static async Task<HttpStatusCode> IngestAsync(HttpClient client, string publicKey) =>
        (await client.SendAsync(Request(Batch(publicKey, PageView())))).StatusCode;

    private async Task<HttpStatusCode> ReadAsync(string siteId, string secretKey)
    {
        using var reader = fixture.CreateClient();
        reader.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", secretKey);
        return (await reader.GetAsync($"/api/realtime/users?site_id={siteId}")).StatusCode;
    }
}
