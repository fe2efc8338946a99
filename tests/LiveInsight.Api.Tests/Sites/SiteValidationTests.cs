using LiveInsight.Api.Sites;

namespace LiveInsight.Api.Tests.Sites;

public sealed class SiteValidationTests
{
    [Theory]
    [InlineData("example.com", true)]
    [InlineData("shop.example.co.uk", true)]
    [InlineData("localhost", true)]
    [InlineData("127.0.0.1", true)]
    [InlineData("xn--bcher-kva.example", true)]
    [InlineData("", false)]
    [InlineData("https://example.com", false)]
    [InlineData("example.com/path", false)]
    [InlineData("example.com:8080", false)]
    [InlineData(".example.com", false)]
    [InlineData("example.com.", false)]
    [InlineData("exa mple.com", false)]
    [InlineData("<script>alert(1)</script>", false)]
    public void Domain_rules(string domain, bool valid)
    {
        Assert.Equal(valid, SiteValidation.IsValidDomain(domain));
    }

    [Fact]
    public void Domains_are_trimmed_lowercased_and_deduplicated()
    {
        var errors = SiteValidation.Validate(new CreateSiteRequest("Site", [" Example.COM ", "example.com", "www.example.com"], null, null), out var domains);

        Assert.Empty(errors);
        Assert.Equal(["example.com", "www.example.com"], domains);
    }

    [Fact]
    public void Every_problem_is_reported_at_once()
    {
        var errors = SiteValidation.Validate(new CreateSiteRequest(null, ["bad domain", "ok.com", "also bad/"], "Nowhere/Zone", null), out _);

        Assert.Equal(["domains", "name", "time_zone"], errors.Keys.Order());
        Assert.Equal(2, errors["domains"].Length);
    }

    [Fact]
    public void More_than_fifty_domains_are_refused()
    {
        var domains = Enumerable.Range(0, SiteValidation.MaxDomains + 1).Select(i => $"d{i}.example.com").ToList();

        var errors = SiteValidation.Validate(new CreateSiteRequest("Site", domains, null, null), out _);

        Assert.Contains("domains", errors.Keys);
    }

    public static TheoryData<string[], string> BadExclusions => new()
    {
        { Enumerable.Range(0, SiteValidation.MaxExclusions + 1).Select(i => $"/p{i}/**").ToArray(), "At most 50 excluded path patterns (got 51)" },
        { ["admin/**"], "invalid: admin/**" },
        { ["/" + new string('a', 200)], "at most 200 characters" },
        { ["/a***b"], "invalid: /a***b" },
    };

    [Theory]
    [MemberData(nameof(BadExclusions))]
    public void Excluded_paths_are_capped_in_count_and_length_with_a_message_that_says_which_cap(string[] paths, string message)
    {
        var errors = SiteValidation.Validate(new CreateSiteRequest("Site", ["example.com"], null, null, ExcludedPaths: paths), out _);

        Assert.Contains(message, Assert.Single(errors["excluded_paths"]), StringComparison.Ordinal);
    }

    [Fact]
    public void Fifty_excluded_paths_are_accepted()
    {
        var paths = Enumerable.Range(0, SiteValidation.MaxExclusions).Select(i => $"/p{i}/**").ToArray();

        Assert.Empty(SiteValidation.Validate(new CreateSiteRequest("Site", ["example.com"], null, null, ExcludedPaths: paths), out _));
    }
}
