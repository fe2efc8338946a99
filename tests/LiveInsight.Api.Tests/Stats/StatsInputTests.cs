using System.Net;
using LiveInsight.Api.Stats;
using LiveInsight.Api.Tests.Infrastructure;

namespace LiveInsight.Api.Tests.Stats;

/// <summary>
/// Input at the edges (dates far out, reversed ranges, kilobytes of filter) answers 400 problem+json on every stats
/// endpoint and in every format, never 500: each of these once reached date arithmetic or a DynamoDB key unchecked.
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class StatsInputTests(ApiFixture fixture)
{
    private static readonly string[] Formats = ["json", "html", "csv"];

    public static IEnumerable<string> Endpoints =>
        new[] { "summary", "timeseries", "daily", "pages" }.Concat(BreakdownKind.All.Select(k => k.Route));

    public static TheoryData<string, string> BadQueries => new()
    {
        { "from=0001-01-01&to=0001-01-01", "between 2000-01-01" },
        { "from=9999-12-31&to=9999-12-31", "between 2000-01-01" },
        { "from=1999-12-31&to=2000-01-05", "between 2000-01-01" },
        { "from=2024-03-10&to=2024-03-01", "must not be after" },
        { "from=2024-03-01", "both be dates" },
        { "range=" + new string('r', 3000), "is not one of" },
        { "page=/" + new string('p', 3000), "page may be at most 1,000 bytes" },
        { "page=/" + string.Concat(Enumerable.Repeat("%C3%A9", 501)), "page may be at most 1,000 bytes" },
        { "source=" + new string('s', 201), "source may be at most 200" },
        { "country=" + new string('c', 3000), "country may be at most 200" },
        { "device=" + new string('d', 201), "device may be at most 200" },
        { "limit=0", "limit must be between" },
        { "limit=1001", "limit must be between" },
        { "limit=99999999999", "limit" },
    };

    [Theory]
    [MemberData(nameof(BadQueries))]
    public async Task Out_of_range_or_oversized_stats_input_is_a_400_on_every_endpoint_and_format(string query, string detail)
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateSiteClient(site);

        foreach (var endpoint in Endpoints)
        {
            foreach (var format in Formats)
            {
                var url = $"/api/stats/{endpoint}?site_id={site.SiteId}&format={format}&{query}";
                var response = await client.GetAsync(url);
                Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{endpoint} {format}: {(int)response.StatusCode}");
                await StatsApiTests.AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
            }
        }
    }

    [Fact]
    public async Task The_first_date_tomorrow_and_the_longest_page_filter_are_answered()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateSiteClient(site);
        var tomorrow = DateTime.UtcNow.AddDays(1).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var longestPage = "/" + new string('p', 999);

        foreach (var format in Formats)
        {
            foreach (var endpoint in Endpoints)
            {
                var first = await client.GetAsync($"/api/stats/{endpoint}?site_id={site.SiteId}&format={format}&from=2000-01-01&to=2000-01-03");
                Assert.True(first.IsSuccessStatusCode, $"{endpoint} {format} 2000-01-01: {(int)first.StatusCode}");
            }

            foreach (var endpoint in new[] { "summary", "timeseries", "daily" })
            {
                var toTomorrow = await client.GetAsync($"/api/stats/{endpoint}?site_id={site.SiteId}&format={format}&from={tomorrow}&to={tomorrow}");
                var filtered = await client.GetAsync($"/api/stats/{endpoint}?site_id={site.SiteId}&format={format}&range=7d&page={longestPage}");
                Assert.True(toTomorrow.IsSuccessStatusCode, $"{endpoint} {format} tomorrow: {(int)toTomorrow.StatusCode}");
                Assert.True(filtered.IsSuccessStatusCode, $"{endpoint} {format} 1,000-byte page: {(int)filtered.StatusCode}");
            }
        }
    }
}
