using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace LiveInsight.AppHost.Tests;

[Collection(nameof(AppHostCollection))]
public sealed class StackTests(AppHostFixture fixture)
{
    [Theory]
    [InlineData("api")]
    [InlineData("aggregator")]
    [InlineData("dashboard")]
    public async Task Every_service_answers_healthy(string service)
    {
        using var client = fixture.App.CreateHttpClient(service);

        var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_site_created_through_the_stack_is_listed_and_the_token_is_required()
    {
        using var client = fixture.App.CreateHttpClient("api");
        var unauthenticated = await client.PostAsJsonAsync("/api/sites", new { name = "E2E", domains = new[] { "e2e.example.com" } });
        Assert.Equal(HttpStatusCode.Unauthorized, unauthenticated.StatusCode);

        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AppHostFixture.AdminToken);
        var created = await client.PostAsJsonAsync("/api/sites", new { name = "E2E", domains = new[] { "e2e.example.com" } });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var siteId = (await created.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("site_id").GetString();

        var listing = await client.GetFromJsonAsync<JsonElement>("/api/sites");
        Assert.Contains(listing.GetProperty("sites").EnumerateArray(), s => s.GetProperty("site_id").GetString() == siteId);
    }

    [Fact]
    public async Task The_dashboard_serves_its_page()
    {
        using var client = fixture.App.CreateHttpClient("dashboard");

        var page = await client.GetStringAsync("/");

        Assert.Contains("<title>LiveInsight", page);
    }

    [Fact]
    public async Task Redis_and_dynamodb_hand_out_connection_strings_of_the_same_shape_as_containers_would()
    {
        var redis = await fixture.App.GetConnectionStringAsync("redis");
        var dynamo = await fixture.App.GetConnectionStringAsync("dynamodb");

        Assert.Matches(@"^(localhost|127\.0\.0\.1):\d+$", redis);
        Assert.Matches(@"^http://(localhost|127\.0\.0\.1):\d+$", dynamo);
    }
}
