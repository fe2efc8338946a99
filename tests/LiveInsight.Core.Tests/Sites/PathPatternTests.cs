using LiveInsight.Core.Sites;

namespace LiveInsight.Core.Tests.Sites;

public sealed class PathPatternTests
{
    // The pattern from issue 14: a backtracking matcher tries every split of the path between the seven "**".
    private const string Pathological = "/**a**a**a**a**a**a**b";

    public static TheoryData<string, string, bool> Cases => new()
    {
        { "/admin", "/admin", true },
        { "/admin", "/admin/users", false },
        { "/admin", "/Admin", false },
        { "/admin/*", "/admin/users", true },
        { "/admin/*", "/admin/", true },
        { "/admin/*", "/admin", false },
        { "/admin/*", "/admin/users/7", false },
        { "/admin/**", "/admin/users/7/edit", true },
        { "/admin/**", "/admin/", true },
        { "/admin/**", "/administrator", false },
        { "/preview/*", "/preview/draft-1", true },
        { "/preview/*", "/preview/draft-1/comments", false },
        { "/*/edit", "/posts/edit", true },
        { "/*/edit", "/posts/7/edit", false },
        { "/**/edit", "/posts/7/edit", true },
        { "/**/edit", "/edit", false },
        { "/blog/*-draft", "/blog/spring-draft", true },
        { "/blog/*-draft", "/blog/spring-draft/x", false },
        { "/*", "/", true },
        { "/*", "/a/b", false },
        { "/**", "/a/b/c", true },
        { "/a*b*c", "/aXbYc", true },
        { "/a*b*c", "/aXbY/c", false },
        { "/a**b*c", "/aX/bYc", true },
        { "/**.pdf", "/files/2026/report.pdf", true },
        { "/**.pdf", "/files/report.pdf.html", false },
        { "/app/#/**", "/app/#/users/7", true },
        { Pathological, "/" + new string('a', 39) + "b", true },
        { Pathological, "/" + new string('a', 99), false },
        { Pathological, "/" + string.Concat(Enumerable.Repeat("a/", 49)) + "b", true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    [InlineData("/a.b", "/aXb", false)]
    [InlineData("/(x|y)+[z]{2}", "/(x|y)+[z]{2}", true)]
    [InlineData("/(x|y)+[z]{2}", "/xz", false)]
    [InlineData("/$^\\d?", "/$^\\d?", true)]
    [InlineData("/café/*", "/café/menu", true)]
    public void The_regex_form_of_a_pattern_matches_exactly_what_the_pattern_matches(string pattern, string path, bool expected)
    {
        var regex = PathPattern.ToRegex(pattern);

        Assert.Equal(expected, PathPattern.Matches(pattern, path));
        Assert.Equal(expected, System.Text.RegularExpressions.Regex.IsMatch(path, "^(?:" + regex + ")$", System.Text.RegularExpressions.RegexOptions.NonBacktracking));
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Patterns_match_within_a_segment_with_one_star_and_across_segments_with_two(string pattern, string path, bool expected)
    {
        Assert.Equal(expected, PathPattern.Matches(pattern, path));
    }

    [Theory]
    [InlineData(Pathological, 25)]
    [InlineData("/*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", 25)]
    [InlineData(Pathological, 2000)]
    public void The_work_of_a_match_is_bounded_by_pattern_length_times_path_length(string pattern, int pathLength)
    {
        var path = "/" + new string('a', pathLength - 1);

        var matched = PathPattern.Matches(pattern, path, out var steps);

        Assert.False(matched);
        Assert.InRange(steps, 1, (long)(pattern.Length + 1) * (pathLength + 1));
    }

    [Fact]
    public async Task The_pathological_pattern_from_issue_14_against_a_100_character_path_returns_at_all()
    {
        // A guard, not a speed test: the backtracking matcher needed about 45 s here, the bound is far beyond any
        // scheduler hiccup of a polynomial matcher.
        var path = "/" + new string('a', 99);

        var matched = await Task.Run(() => PathPattern.Matches(Pathological, path)).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.False(matched);
    }
}
