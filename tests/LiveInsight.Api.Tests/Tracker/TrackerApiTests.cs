using System.IO.Compression;
using System.Net;
using System.Text;
using LiveInsight.Api.Apis;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Ingestion;

namespace LiveInsight.Api.Tests.Tracker;

[Collection(nameof(ApiCollection))]
public sealed class TrackerApiTests(ApiFixture fixture)
{
    private const int GzipBudget = 2048;

    [Theory]
    [InlineData("br, gzip, deflate", "br")]
    [InlineData("gzip, deflate", "gzip")]
    [InlineData("br;q=0, gzip", "gzip")]
    [InlineData("identity", null)]
    [InlineData(null, null)]
    public async Task Serves_the_encoding_the_client_accepts(string? acceptEncoding, string? expected)
    {
        using var response = await GetAsync(acceptEncoding);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(expected, response.Content.Headers.ContentEncoding.SingleOrDefault());
        var script = Decode(await response.Content.ReadAsByteArrayAsync(), expected);
        Assert.Contains("data-", script, StringComparison.Ordinal);
        Assert.Contains("/api/events", script, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Headers_make_it_cacheable_public_and_typed()
    {
        using var response = await GetAsync("gzip");

        Assert.Equal("text/javascript; charset=utf-8", response.Content.Headers.ContentType!.ToString());
        Assert.Equal(TrackerApi.CacheControl, response.Headers.CacheControl!.ToString());
        Assert.Contains("max-age=86400", TrackerApi.CacheControl, StringComparison.Ordinal);
        Assert.Contains("Accept-Encoding", response.Headers.Vary);
        Assert.Equal("*", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.NotNull(response.Headers.ETag);
        Assert.False(response.Headers.ETag!.IsWeak);
    }

    [Fact]
    public async Task Each_encoding_has_its_own_strong_etag()
    {
        using var br = await GetAsync("br");
        using var gzip = await GetAsync("gzip");
        using var identity = await GetAsync(null);

        var tags = new[] { br, gzip, identity }.Select(r => r.Headers.ETag!.Tag).ToArray();
        Assert.Equal(3, tags.Distinct().Count());
    }

    [Fact]
    public async Task A_matching_if_none_match_gets_304_without_a_body()
    {
        using var first = await GetAsync("br");
        var etag = first.Headers.ETag!.Tag;

        using var again = await GetAsync("br", etag);
        Assert.Equal(HttpStatusCode.NotModified, again.StatusCode);
        Assert.Empty(await again.Content.ReadAsByteArrayAsync());
        Assert.Equal(etag, again.Headers.ETag!.Tag);

        using var other = await GetAsync("br", "\"0000000000\"");
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task The_gzipped_script_stays_within_2048_bytes()
    {
        using var response = await GetAsync("gzip");
        var gzipped = await response.Content.ReadAsByteArrayAsync();

        Assert.InRange(gzipped.Length, 1, GzipBudget);
    }

    [Fact]
    public async Task Ingestion_refusals_carry_cors_headers_so_the_tracker_can_read_them()
    {
        var site = await fixture.CreateAsync(domains: ["shop.example"]);
        using var client = fixture.CreateClient();

        using var response = await client.SendAsync(EventPosting.Request(
            EventPosting.Batch(site.PublicKey, EventPosting.PageView("https://elsewhere.example/")),
            contentType: "text/plain", origin: "https://elsewhere.example"));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("https://elsewhere.example", response.Headers.GetValues("Access-Control-Allow-Origin").Single());
        Assert.Contains("Retry-After", response.Headers.GetValues("Access-Control-Expose-Headers").Single(), StringComparison.Ordinal);
        Assert.Empty(await fixture.StreamEventsAsync(site.SiteId));
    }

    private async Task<HttpResponseMessage> GetAsync(string? acceptEncoding, string? ifNoneMatch = null)
    {
        using var client = fixture.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/liveinsight.js");
        if (acceptEncoding is not null)
        {
            request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        }

        if (ifNoneMatch is not null)
        {
            request.Headers.TryAddWithoutValidation("If-None-Match", ifNoneMatch);
        }

        return await client.SendAsync(request);
    }

    private static string Decode(byte[] body, string? encoding)
    {
        using var input = new MemoryStream(body);
        using Stream decoded = encoding switch
        {
            "br" => new BrotliStream(input, CompressionMode.Decompress),
            "gzip" => new GZipStream(input, CompressionMode.Decompress),
            _ => input,
        };
        using var reader = new StreamReader(decoded, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
