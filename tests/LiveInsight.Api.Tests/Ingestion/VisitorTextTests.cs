using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveInsight.Api.Ingestion;
using LiveInsight.Api.Tests.Infrastructure;
using static LiveInsight.Api.Tests.Ingestion.EventPosting;
using static LiveInsight.Api.Tests.Stats.StatsApiTests;

namespace LiveInsight.Api.Tests.Ingestion;

/// <summary>
/// Issue 14: text a visitor's browser can send that .NET will not turn into a string. An escaped lone surrogate is
/// valid JSON (JSON.stringify writes one for a title cut mid-emoji) and becomes U+FFFD; bytes that are not UTF-8, or
/// another charset, refuse the whole body.
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class VisitorTextTests(ApiFixture fixture)
{
    [Fact]
    public async Task A_lone_or_reversed_surrogate_in_any_event_string_becomes_a_replacement_character_and_the_event_is_kept()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();
        var id = Guid.NewGuid().ToString();
        var body = RawBatch(site.PublicKey, $$$"""
            {"id":"{{{id}}}","event_type":"custom","name":"sign\ud800up","page_url":"https://example.com/a",
             "referrer":"https://ref.example/\udfff","title":"T\udfff\ud800\ud83c\udf89","session_id":"s1",
             "timestamp":{{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}}},
             "props":{"pl\ud800an":"pro\udc00","raw":["\ud800"]}}
            """);

        var response = await client.SendAsync(RawRequest(body));

        Assert.True(response.StatusCode == HttpStatusCode.Accepted, await response.Content.ReadAsStringAsync());
        Assert.Equal(1, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accepted").GetInt32());
        var stored = Assert.Single(await fixture.StreamEventsAsync(site.SiteId));
        Assert.Equal(id, stored.GetProperty("event_id").GetString());
        Assert.Equal("sign\uFFFDup", stored.GetProperty("name").GetString());
        Assert.Equal("T\uFFFD\uFFFD🎉", stored.GetProperty("title").GetString());
        Assert.Equal("pro\uFFFD", stored.GetProperty("props").GetProperty("pl\uFFFDan").GetString());
    }

    [Fact]
    public async Task An_event_id_with_a_lone_surrogate_drops_that_event_as_invalid_and_keeps_the_rest_of_the_batch()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();
        var good = PageView().ToJsonString();
        var body = RawBatch(site.PublicKey, good.Replace("\"id\":\"", "\"id\":\"\\ud800", StringComparison.Ordinal), PageView().ToJsonString());

        var response = await client.SendAsync(RawRequest(body));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var answer = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, answer.GetProperty("accepted").GetInt32());
        Assert.Equal("invalid_event=1", Assert.Single(response.Headers.GetValues("X-LiveInsight-Dropped")));
        Assert.Single(await fixture.StreamEventsAsync(site.SiteId));
    }

    [Fact]
    public async Task A_body_with_bytes_that_are_not_utf8_is_refused_whole_even_inside_props()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();
        var json = RawBatch(site.PublicKey, PageView().ToJsonString()[..^1] + ",\"props\":{\"k\":\"BAD\"}}");
        var bytes = Encoding.UTF8.GetBytes(json);
        var at = json.IndexOf("BAD", StringComparison.Ordinal);
        (bytes[at], bytes[at + 1], bytes[at + 2]) = (0xED, 0xA0, 0x80); // a surrogate encoded as UTF-8: not UTF-8

        using var request = RawRequest(bytes);
        var response = await client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "not valid UTF-8");
        Assert.Empty(await fixture.StreamEventsAsync(site.SiteId));
    }

    [Theory]
    [InlineData("application/json; charset=utf-16", "utf-16")]
    [InlineData("text/plain; charset=iso-8859-1", "iso-8859-1")]
    [InlineData("application/json; charset=nonsense", "nonsense")]
    public async Task A_batch_in_a_charset_other_than_utf8_gets_415_naming_it(string contentType, string charset)
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateClient();
        using var request = RawRequest(Encoding.UTF8.GetBytes(Batch(site.PublicKey, PageView()).ToJsonString()));
        request.Content!.Headers.Remove("Content-Type");
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);

        var response = await client.SendAsync(request);

        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, $"charset \"{charset}\"");
        Assert.Empty(await fixture.StreamEventsAsync(site.SiteId));
    }

    [Theory]
    [InlineData(@"plain", "plain")]
    [InlineData(@"a\""b\\c\/d\b\f\n\r\t", "a\"b\\c/d\b\f\n\r\t")]
    [InlineData(@"\u00e9\u6771", "é東")]
    [InlineData(@"\ud83c\udf89", "🎉")]
    [InlineData(@"x\ud800y", "x\uFFFDy")]
    [InlineData(@"\udfff\ud800", "\uFFFD\uFFFD")]
    [InlineData(@"\ud800", "\uFFFD")]
    [InlineData(@"café\ud800", "café\uFFFD")]
    public void Escaped_json_text_is_unescaped_with_lone_surrogates_replaced(string escaped, string expected) =>
        Assert.Equal(expected, VisitorJsonText.Unescape(Encoding.UTF8.GetBytes(escaped)));

    [Fact]
    public void A_string_element_is_read_the_same_way()
    {
        using var document = JsonDocument.Parse("""["ok","a\ud800"]""");

        Assert.Equal("ok", VisitorJsonText.Read(document.RootElement[0]));
        Assert.Equal("a\uFFFD", VisitorJsonText.Read(document.RootElement[1]));
    }

    private static string RawBatch(string key, params string[] events) => $"{{\"key\":\"{key}\",\"events\":[{string.Join(",", events)}]}}";

    private static HttpRequestMessage RawRequest(string json) => RawRequest(Encoding.UTF8.GetBytes(json));

    private static HttpRequestMessage RawRequest(byte[] body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/events") { Content = new ByteArrayContent(body) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        request.Headers.TryAddWithoutValidation("User-Agent", ChromeOnWindows);
        request.Headers.Add(TestClientIpStartupFilter.Header, "8.8.8.8");
        return request;
    }
}
