using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Sites;

namespace LiveInsight.Api.Tests.Sites;

[Collection(nameof(ApiCollection))]
public sealed class SitesApiTests(ApiFixture fixture)
{
    [Fact]
    public async Task Creating_a_site_returns_its_keys_once_and_stores_only_the_secret_hash()
    {
        using var admin = fixture.CreateAdminClient();

        var response = await admin.PostAsJsonAsync("/api/sites", new { name = "Shop", domains = new[] { "Shop.Example.com" } });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        var siteId = body.GetProperty("site_id").GetString()!;
        var publicKey = body.GetProperty("public_key").GetString()!;
        var secretKey = body.GetProperty("secret_key").GetString()!;
        Assert.StartsWith("pk_", publicKey);
        Assert.StartsWith("sk_", secretKey);
        Assert.Equal(["shop.example.com"], body.GetProperty("domains").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal($"/api/sites/{siteId}", response.Headers.Location?.ToString());

        var item = (await fixture.Dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = fixture.TablePrefix + "Sites",
            Key = new() { ["site_id"] = new AttributeValue { S = siteId } },
        })).Item;
        Assert.Equal(SiteKeys.HashSecret(secretKey), item["secret_key_hash"].S);
        Assert.Equal(publicKey, item["public_key"].S);
        Assert.DoesNotContain(item.Values, value => value.S?.Contains(secretKey[3..], StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Listing_shows_created_sites_without_any_secret()
    {
        using var admin = fixture.CreateAdminClient();
        var created = await (await admin.PostAsJsonAsync("/api/sites", new { name = "Blog", domains = new[] { "blog.example.org" } }))
            .Content.ReadFromJsonAsync<JsonElement>();

        var listing = await admin.GetStringAsync("/api/sites");

        using var json = JsonDocument.Parse(listing);
        var site = json.RootElement.GetProperty("sites").EnumerateArray()
            .Single(s => s.GetProperty("site_id").GetString() == created.GetProperty("site_id").GetString());
        Assert.Equal("Blog", site.GetProperty("name").GetString());
        Assert.Equal(created.GetProperty("public_key").GetString(), site.GetProperty("public_key").GetString());
        Assert.DoesNotContain(created.GetProperty("secret_key").GetString()!, listing);
        // The one field named after the secret key says only when it was last used.
        Assert.DoesNotContain("secret", listing.Replace("\"secret_key_last_used_at\"", "", StringComparison.Ordinal));
        Assert.DoesNotContain(SiteKeys.HashSecret(created.GetProperty("secret_key").GetString()!), listing);
    }

    public static TheoryData<string, string?> UnauthorisedCases => new()
    {
        { "POST", null },
        { "POST", "Bearer wrong-token-0123456789" },
        { "POST", "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("admin:" + ApiFixture.AdminToken)) },
        { "GET", null },
        { "GET", "Bearer " + ApiFixture.AdminToken + "x" },
    };

    [Theory]
    [MemberData(nameof(UnauthorisedCases))]
    public async Task Without_the_admin_token_the_answer_is_401_problem_json(string method, string? authorization)
    {
        using var client = fixture.CreateClient();
        using var request = new HttpRequestMessage(new HttpMethod(method), "/api/sites");
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        if (method == "POST")
        {
            request.Content = JsonContent.Create(new { name = "X", domains = new[] { "x.com" } });
        }

        var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Bearer", response.Headers.WwwAuthenticate.ToString());
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
        Assert.Contains("admin token", problem.GetProperty("detail").GetString());
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"domains":["example.com"]}""", "name" },
        { """{"name":"","domains":["example.com"]}""", "name" },
        { $$"""{"name":"{{new string('n', 101)}}","domains":["example.com"]}""", "name" },
        { """{"name":"Site"}""", "domains" },
        { """{"name":"Site","domains":[]}""", "domains" },
        { """{"name":"Site","domains":["https://example.com/path"]}""", "domains" },
        { """{"name":"Site","domains":["exa mple.com"]}""", "domains" },
        { """{"name":"Site","domains":["<script>"]}""", "domains" },
        { """{"name":"Site","domains":["example.com"],"time_zone":"Mars/Olympus"}""", "time_zone" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task Invalid_sites_get_400_naming_the_field(string body, string field)
    {
        using var admin = fixture.CreateAdminClient();

        var response = await admin.PostAsync("/api/sites", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"no error for '{field}' in {problem}");
    }

    [Theory]
    [InlineData("""{"name":"Site",""", "not valid JSON")]
    [InlineData("""{"name":42,"domains":["example.com"]}""", "not valid JSON")]
    [InlineData("""{"name":"Site","domains":"example.com"}""", "not valid JSON")]
    public async Task Malformed_json_gets_400_problem_json_saying_why(string body, string expected)
    {
        using var admin = fixture.CreateAdminClient();

        var response = await admin.PostAsync("/api/sites", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(expected, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Health_is_healthy_with_redis_and_dynamodb_up()
    {
        using var client = fixture.CreateClient();

        var response = await client.GetAsync("/health");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("Healthy", await response.Content.ReadAsStringAsync());
    }
}
