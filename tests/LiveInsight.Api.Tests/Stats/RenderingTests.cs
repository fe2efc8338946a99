using System.Net.Http.Headers;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Stats;
using static LiveInsight.Api.Tests.Stats.KnownDataset;

namespace LiveInsight.Api.Tests.Stats;

[Collection(nameof(ApiCollection))]
public sealed class RenderingTests(ApiFixture fixture)
{
    private const string ScriptPath = "/<script>alert(1)</script>";
    private const string AttributePath = "/\"><img src=x onerror=alert(1)>";
    private const string CommaQuotePath = "/a,b\"c";
    private const string FormulaEvent = "=HYPERLINK(\"http://evil\")";

    private async Task<(TestSite Site, string Range)> SeedAsync()
    {
        var site = await fixture.CreateAsync();
        var data = new KnownDataset(fixture, site.SiteId);
        var today = RollupLayout.DayBucket(DateOnly.FromDateTime(DateTime.UtcNow));
        await data.HashAsync(Granularity.Day, today, RollupLayout.Page, ScriptPath, M(pageviews: 3, entries: 1));
        await data.HashAsync(Granularity.Day, today, RollupLayout.Page, AttributePath, M(pageviews: 2, entries: 1));
        await data.HashAsync(Granularity.Day, today, RollupLayout.Page, CommaQuotePath, M(pageviews: 1, entries: 1));
        await data.HashAsync(Granularity.Day, today, RollupLayout.Event, FormulaEvent, M(events: 4));
        await data.HashAsync(Granularity.Day, today, RollupLayout.Event, "-1+2", M(events: 1));
        // The seeded day by name, not range=today: the Api resolves "today" on its own clock, and a UTC midnight between
        // the seeding and a read had it read the next day, which holds nothing.
        return (site, $"site_id={site.SiteId}&from={today}&to={today}");
    }

    [Fact]
    public async Task Html_fragments_escape_script_tags_and_attribute_breaking_strings()
    {
        var (site, range) = await SeedAsync();
        using var client = fixture.CreateSiteClient(site);
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/html"));

        var response = await client.GetAsync($"/api/stats/pages?{range}");
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("<table class=\"li-table\" data-report=\"pages\">", html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("\"><", html);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html);
        Assert.Contains("/&quot;&gt;&lt;img src=x onerror=alert(1)&gt;", html);
        Assert.Equal(3, html.Split("<tr>").Length - 2); // three rows besides the header
    }

    [Fact]
    public async Task Csv_quotes_per_rfc_4180_and_defuses_spreadsheet_formulas()
    {
        var (site, range) = await SeedAsync();
        using var client = fixture.CreateSiteClient(site);
        using var acceptCsv = fixture.CreateSiteClient(site);
        acceptCsv.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("text/csv"));

        var pages = await client.GetAsync($"/api/stats/pages?{range}&format=csv");
        var pagesCsv = await pages.Content.ReadAsStringAsync();
        var eventsCsv = await (await acceptCsv.GetAsync($"/api/stats/events?{range}")).Content.ReadAsStringAsync();

        Assert.Equal("text/csv", pages.Content.Headers.ContentType?.MediaType);
        var lines = pagesCsv.Split("\r\n");
        Assert.Equal("path,pageviews,visitors,entries,exits,time_on_page_seconds,scroll_depth", lines[0]);
        Assert.Contains("\"/a,b\"\"c\",1,0,1,0,,", lines); // no engagement: empty cells, not 0
        Assert.Contains("/<script>alert(1)</script>,3,0,1,0,,", lines);
        Assert.Contains("\"'=HYPERLINK(\"\"http://evil\"\")\",4,0", eventsCsv.Split("\r\n"));
        Assert.Contains("'-1+2,1,0", eventsCsv.Split("\r\n"));
    }
}
