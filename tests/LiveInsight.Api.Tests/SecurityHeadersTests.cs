using LiveInsight.Api.Tests.Infrastructure;

namespace LiveInsight.Api.Tests;

[Collection(nameof(ApiCollection))]
public sealed class SecurityHeadersTests(ApiFixture fixture)
{
    [Theory]
    [InlineData("/health")]
    [InlineData("/api/sites")]
    [InlineData("/liveinsight.js")]
    public async Task Every_answer_forbids_mime_sniffing(string path)
    {
        using var client = fixture.CreateClient();

        var response = await client.GetAsync(path);

        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
    }

    [Fact]
    public async Task Https_answers_outside_development_carry_hsts()
    {
        // The fixture's environment is "Testing" (not Development); TestServer treats an https base address as TLS.
        using var client = fixture.Factory.CreateClient(new() { BaseAddress = new Uri("https://api.example.com") });

        var response = await client.GetAsync("/health");

        Assert.Contains("max-age=", response.Headers.GetValues("Strict-Transport-Security").Single());
    }
}
