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
        Assert.Equal(HttpStatusCode.NotFound, (await testing.GetAsync("/openapi/v1.json")).StatusCode);
    }
}
