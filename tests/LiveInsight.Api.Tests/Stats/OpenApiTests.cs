using System.Net;
using LiveInsight.Api.Tests.Infrastructure;
using Microsoft.AspNetCore.Hosting;

namespace LiveInsight.Api.Tests.Stats;

[Collection(nameof(ApiCollection))]
public sealed class OpenApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task Development_serves_the_openapi_document_and_the_scalar_reference()
    {
        await using var development = fixture.Factory.WithWebHostBuilder(web => web.UseEnvironment("Development"));
        using var client = development.CreateClient();
        using var testing = fixture.CreateClient();

        var document = await client.GetStringAsync("/openapi/v1.json");
        var scalar = await client.GetAsync("/scalar");

        foreach (var path in new[] { "/api/realtime/users", "/api/realtime/pages", "/api/realtime/stream", "/api/stats/daily", "/api/stats/pages", "/api/stats/summary", "/api/stats/sources" })
        {
            Assert.Contains($"\"{path}\"", document);
        }

        Assert.Contains("GetDailyStats", document);
        Assert.Equal(HttpStatusCode.OK, scalar.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await testing.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await testing.GetAsync("/scalar")).StatusCode);
    }

    [Fact]
    public async Task Every_environment_serves_the_document_with_the_admin_token_and_it_declares_the_bearer_scheme()
    {
        var site = await fixture.CreateAsync();
        using var anonymous = fixture.CreateClient();
        using var siteKey = fixture.CreateClient();
        siteKey.DefaultRequestHeaders.Authorization = new("Bearer", site.SecretKey);
        using var admin = fixture.CreateAdminClient();

        var refused = await siteKey.GetAsync("/openapi/v1.json");
        var document = System.Text.Json.JsonDocument.Parse(await admin.GetStringAsync("/openapi/v1.json")).RootElement;

        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/openapi/v1.json")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        var scheme = document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer");
        Assert.Equal(("http", "bearer"), (scheme.GetProperty("type").GetString(), scheme.GetProperty("scheme").GetString()));
        Assert.True(document.GetProperty("security")[0].TryGetProperty("bearer", out _));
        // The tracker's public routes need nothing: their own requirement is empty.
        var ingest = document.GetProperty("paths").GetProperty("/api/events").GetProperty("post");
        Assert.Equal(System.Text.Json.JsonValueKind.Object, ingest.GetProperty("security")[0].ValueKind);
        Assert.Empty(ingest.GetProperty("security")[0].EnumerateObject());
        Assert.True(document.GetProperty("paths").TryGetProperty("/api/sites/{siteId}/installation", out _));
    }
}
