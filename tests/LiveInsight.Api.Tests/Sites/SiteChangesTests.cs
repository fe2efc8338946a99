using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Ingestion;
using LiveInsight.Api.Tests.Stats;

namespace LiveInsight.Api.Tests.Sites;

[Collection(nameof(ApiCollection))]
public sealed class SiteChangesTests(ApiFixture fixture)
{
    [Fact]
    public async Task Patch_changes_only_the_given_settings_and_ingestion_sees_them_at_once()
    {
        var site = await fixture.CreateAsync(domains: ["old.example"]);
        using var admin = fixture.CreateAdminClient();

        var response = await admin.PatchAsJsonAsync($"/api/sites/{site.SiteId}", new
        {
            domains = new[] { "New.Example" },
            time_zone = "Europe/Berlin",
            honor_dnt = false,
            excluded_paths = new[] { "/admin/**" },
            excluded_ip_ranges = new[] { "203.0.113.0/24" },
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("Test site", body.GetProperty("name").GetString());
        Assert.Equal(["new.example"], body.GetProperty("domains").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal("Europe/Berlin", body.GetProperty("time_zone").GetString());
        Assert.False(body.GetProperty("honor_dnt").GetBoolean());
        Assert.Equal(["/admin/**"], body.GetProperty("excluded_paths").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal(["203.0.113.0/24"], body.GetProperty("excluded_ip_ranges").EnumerateArray().Select(d => d.GetString()));
        Assert.DoesNotContain("secret", (await response.Content.ReadAsStringAsync()).Replace("\"secret_key_last_used_at\"", "", StringComparison.Ordinal));

        using var client = fixture.CreateClient();
        var fromNew = await client.SendAsync(EventPosting.Request(
            EventPosting.Batch(site.PublicKey, EventPosting.PageView("https://new.example/")), origin: "https://new.example"));
        var fromOld = await client.SendAsync(EventPosting.Request(
            EventPosting.Batch(site.PublicKey, EventPosting.PageView("https://old.example/")), origin: "https://old.example"));
        Assert.Equal(HttpStatusCode.Accepted, fromNew.StatusCode);
        Assert.NotEqual(HttpStatusCode.Accepted, fromOld.StatusCode);
    }

    public static TheoryData<string, string> InvalidPatches => new()
    {
        { """{"domains":[]}""", "domains" },
        { """{"name":""}""", "name" },
        { """{"time_zone":"Mars/Olympus"}""", "time_zone" },
        { """{"excluded_paths":["admin"]}""", "excluded_paths" },
        { """{"excluded_paths":[null]}""", "excluded_paths" },
        { """{"excluded_paths":["/a/**/b", "/**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**a**b"]}""", "excluded_paths" },
        { """{"excluded_ip_ranges":["not-a-range"]}""", "excluded_ip_ranges" },
    };

    [Theory]
    [MemberData(nameof(InvalidPatches))]
    public async Task An_invalid_patch_is_400_naming_the_field_and_changes_nothing(string patch, string field)
    {
        var site = await fixture.CreateAsync();
        using var admin = fixture.CreateAdminClient();

        var response = await admin.PatchAsync($"/api/sites/{site.SiteId}", new StringContent(patch, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for '{field}' in {problem}");
        var listing = await admin.GetFromJsonAsync<JsonElement>("/api/sites");
        var stored = listing.GetProperty("sites").EnumerateArray().Single(s => s.GetProperty("site_id").GetString() == site.SiteId);
        Assert.Equal(["example.com"], stored.GetProperty("domains").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal("UTC", stored.GetProperty("time_zone").GetString());
    }

    [Fact]
    public async Task Rotating_keys_without_grace_returns_new_keys_once_and_the_old_ones_stop_working()
    {
        var site = await fixture.CreateAsync();
        using var oldReader = fixture.CreateSiteClient(site);
        Assert.Equal(HttpStatusCode.OK, (await oldReader.GetAsync($"/api/realtime/users?site_id={site.SiteId}")).StatusCode);
        using var admin = fixture.CreateAdminClient();

        var response = await admin.PostAsync($"/api/sites/{site.SiteId}/rotate-keys?grace_seconds=0", null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var keys = await response.Content.ReadFromJsonAsync<JsonElement>();
        var publicKey = keys.GetProperty("public_key").GetString()!;
        var secretKey = keys.GetProperty("secret_key").GetString()!;
        Assert.StartsWith("pk_", publicKey);
        Assert.StartsWith("sk_", secretKey);
        Assert.NotEqual(site.PublicKey, publicKey);
        Assert.NotEqual(site.SecretKey, secretKey);

        Assert.Equal(HttpStatusCode.Unauthorized, (await oldReader.GetAsync($"/api/realtime/users?site_id={site.SiteId}")).StatusCode);
        using var newReader = fixture.CreateSiteClient(site with { SecretKey = secretKey });
        Assert.Equal(HttpStatusCode.OK, (await newReader.GetAsync($"/api/realtime/users?site_id={site.SiteId}")).StatusCode);

        using var client = fixture.CreateClient();
        var withOld = await client.SendAsync(EventPosting.Request(
            EventPosting.Batch(site.PublicKey, EventPosting.PageView()), origin: "https://example.com"));
        var withNew = await client.SendAsync(EventPosting.Request(
            EventPosting.Batch(publicKey, EventPosting.PageView()), origin: "https://example.com"));
        Assert.NotEqual(HttpStatusCode.Accepted, withOld.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, withNew.StatusCode);

        var listing = await admin.GetStringAsync("/api/sites");
        Assert.DoesNotContain(secretKey, listing);
    }

    [Theory]
    [InlineData("PATCH", "/api/sites/nosuchsite00")]
    [InlineData("POST", "/api/sites/nosuchsite00/rotate-keys")]
    public async Task An_unknown_site_is_404(string method, string url)
    {
        using var admin = fixture.CreateAdminClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), url) { Content = JsonContent.Create(new { name = "X" }) };

        Assert.Equal(HttpStatusCode.NotFound, (await admin.SendAsync(request)).StatusCode);
    }

    [Theory]
    [InlineData("PATCH", "/api/sites/any")]
    [InlineData("POST", "/api/sites/any/rotate-keys")]
    public async Task Changes_need_the_admin_token(string method, string url)
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateSiteClient(site);
        using var request = new HttpRequestMessage(new HttpMethod(method), url.Replace("any", site.SiteId))
        {
            Content = JsonContent.Create(new { name = "X" }),
        };

        Assert.Equal(HttpStatusCode.Unauthorized, (await client.SendAsync(request)).StatusCode);
    }
}
