using LiveInsight.Api.Ingestion.Enrichment;

namespace LiveInsight.Api.Tests.Ingestion.Enrichment;

public sealed class PageUrlTests
{
    [Theory]
    [InlineData("https://example.com", "example.com", "/")]
    [InlineData("https://example.com/", "example.com", "/")]
    [InlineData("http://example.com/pricing", "example.com", "/pricing")]
    [InlineData("https://example.com/blog/post?id=7&utm_source=x", "example.com", "/blog/post")]
    [InlineData("https://example.com/blog/", "example.com", "/blog")]
    [InlineData("https://example.com/blog//", "example.com", "/blog")]
    [InlineData("https://example.com/docs#install", "example.com", "/docs")]
    [InlineData("https://Example.COM:8443/A/B", "example.com", "/A/B")]
    [InlineData("https://www.example.com/", "www.example.com", "/")]
    [InlineData("https://user:secret@example.com/x", "example.com", "/x")]
    [InlineData("  https://example.com/x  ", "example.com", "/x")]
    [InlineData("https://example.com/a/../b/./c", "example.com", "/b/c")]
    // Unicode and percent-encoding: readable where decoding is harmless.
    [InlineData("https://example.com/caf%C3%A9", "example.com", "/café")]
    [InlineData("https://example.com/café", "example.com", "/café")]
    [InlineData("https://example.com/%E6%97%A5%E6%9C%AC", "example.com", "/日本")]
    [InlineData("https://example.com/a%20b", "example.com", "/a b")]
    [InlineData("https://bücher.example/x", "xn--bcher-kva.example", "/x")]
    // Escapes that would change the path's structure stay escaped.
    [InlineData("https://example.com/a%2Fb", "example.com", "/a%2Fb")]
    [InlineData("https://example.com/a%3Fb%23c", "example.com", "/a%3Fb%23c")]
    [InlineData("https://example.com/100%25", "example.com", "/100%25")]
    [InlineData("https://example.com/%FF", "example.com", "/%FF")]
    // Control characters never come out decoded.
    [InlineData("https://example.com/a%0Ab", "example.com", "/a%0Ab")]
    [InlineData("https://example.com/a%00b", "example.com", "/a%00b")]
    [InlineData("https://example.com/a%C2%85b%C3%A9", "example.com", "/a%C2%85b%C3%A9")]
    [InlineData("https://example.com/a\u0001b", "example.com", "/a%01b")]
    public void Host_and_path(string url, string host, string path)
    {
        Assert.True(PageUrl.TryParse(url, hashRouting: false, out var page));
        Assert.Equal(host, page.Host);
        Assert.Equal(path, page.Path);
        Assert.DoesNotContain(page.Path, char.IsControl);
    }

    [Theory]
    [InlineData("https://a.com/app/#/users/7?x=1", true, "/app/#/users/7")]
    [InlineData("https://a.com/app/#/users/7?x=1", false, "/app")]
    [InlineData("https://a.com/#!/users/7/", true, "/#/users/7")]
    [InlineData("https://a.com/#/", true, "/")]
    [InlineData("https://a.com/app?q=1#/settings", true, "/app/#/settings")]
    [InlineData("https://a.com/docs#install", true, "/docs")]
    [InlineData("https://a.com/#/caf%C3%A9/a%0Ab", true, "/#/café/a%0Ab")]
    public void Hash_routing(string url, bool hashRouting, string path)
    {
        Assert.True(PageUrl.TryParse(url, hashRouting, out var page));
        Assert.Equal(path, page.Path);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("not a url")]
    [InlineData("/path")]
    [InlineData("path/only")]
    [InlineData("javascript:alert(1)")]
    [InlineData("ftp://x.com/file")]
    [InlineData("file:///etc/passwd")]
    [InlineData("data:text/html,hi")]
    [InlineData("http://")]
    [InlineData("https:///path")]
    public void Invalid_urls_are_refused(string? url)
    {
        Assert.False(PageUrl.TryParse(url, hashRouting: true, out var page));
        Assert.Null(page);
    }

    [Fact]
    public void Utm_comes_from_the_query()
    {
        Assert.True(PageUrl.TryParse(
            "https://a.com/p/?utm_source=newsletter&utm_medium=email&utm_campaign=spring+sale&utm_term=shoes&utm_content=hero",
            hashRouting: false, out var page));

        Assert.Equal(new Utm("newsletter", "email", "spring sale", "shoes", "hero"), page.Utm);
        Assert.Equal("/p", page.Path);
    }
}
