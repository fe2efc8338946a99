using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Stats;
using LiveInsight.Core.Stats;
using static LiveInsight.Api.Tests.Stats.KnownDataset;

namespace LiveInsight.Api.Tests.Imports;

/// <summary>Issue 20: Plausible's CSV export and Umami's data export imported into the day rollups, shown with native
/// days, clipped where native data starts, refused when overlapping, deletable.</summary>
[Collection(nameof(ApiCollection))]
public sealed class ImportApiTests(ApiFixture fixture)
{
    private static readonly DateOnly Today = DateOnly.FromDateTime(DateTime.UtcNow);

    private static string D(int daysAgo) => RollupLayout.DayBucket(Today.AddDays(-daysAgo));

    private static string C(int daysAgo) => Today.AddDays(-daysAgo).ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Known totals on D10 and D9; rows on D1 (a native day) and D0 (today) that must be clipped.</summary>
    private static Dictionary<string, string> PlausibleExport() => new()
    {
        [$"imported_visitors_{C(10)}_{C(0)}.csv"] = $"""
            date,visitors,pageviews,bounces,visits,visit_duration
            {D(10)},100,250,40,120,6000
            {D(9)},80,200,30,90,4500
            {D(1)},5,5,5,5,5
            {D(0)},7,7,7,7,7
            """,
        [$"imported_sources_{C(10)}_{C(0)}.csv"] = $"""
            date,source,referrer,utm_source,utm_medium,utm_campaign,utm_content,utm_term,pageviews,visitors,visits,visit_duration,bounces
            {D(10)},Google,,,,,,,150,60,70,3500,20
            {D(10)},Direct / None,,,,,,,100,40,50,2500,20
            {D(9)},Google,,,,,,,120,50,55,2700,15
            {D(9)},Hacker News,news.ycombinator.com/item,hn,social,"launch, day 1",,,80,30,35,1800,15
            """,
        [$"imported_pages_{C(10)}_{C(0)}.csv"] = $"""
            date,hostname,page,visits,visitors,pageviews,scroll_depth,pageleave_visitors
            {D(10)},example.com,/,100,90,180,,0
            {D(10)},www.example.com,/,5,5,10,,0
            {D(10)},example.com,/pricing,20,15,60,500,10
            {D(9)},example.com,/pricing,25,20,70,600,10
            {D(9)},example.com,"/<img src=x onerror=alert(1)>",1,1,1,,0
            """,
        [$"imported_entry_pages_{C(10)}_{C(0)}.csv"] = $"""
            date,entry_page,visitors,entrances,visit_duration,bounces,pageviews
            {D(10)},/,80,100,5000,30,150
            {D(10)},/pricing,15,20,1000,10,40
            """,
        [$"imported_exit_pages_{C(10)}_{C(0)}.csv"] = $"""
            date,exit_page,visitors,visit_duration,exits,bounces,pageviews
            {D(10)},/pricing,10,0,30,0,0
            """,
        [$"imported_custom_events_{C(10)}_{C(0)}.csv"] = $"""
            date,name,link_url,path,visitors,events
            {D(10)},Signup,,,12,15
            {D(9)},Signup,,,3,4
            {D(9)},Outbound Link: Click,https://github.com,,3,4
            """,
        [$"imported_locations_{C(10)}_{C(0)}.csv"] = $"""
            date,country,region,city,visitors,visits,visit_duration,bounces,pageviews
            {D(10)},US,US-CA,0,35,40,2000,10,80
            {D(10)},US,US-NY,0,25,30,1500,10,70
            {D(10)},KR,,0,40,50,2500,20,100
            """,
        [$"imported_devices_{C(10)}_{C(0)}.csv"] = $"""
            date,device,visitors,visits,visit_duration,bounces,pageviews
            {D(10)},Desktop,70,80,4000,25,170
            {D(10)},Mobile,30,40,2000,15,80
            """,
    };

    private async Task<HttpResponseMessage> UploadAsync(TestSite site, string source, byte[] body, string contentType = "application/zip")
    {
        using var admin = fixture.CreateAdminClient();
        using var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        return await admin.PostAsync($"/api/sites/{site.SiteId}/imports?source={source}", content);
    }

    private static byte[] Zip(Dictionary<string, string> files)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, text) in files)
            {
                using var writer = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
                writer.Write(text.Replace("\r\n", "\n") + "\n");
            }
        }

        return memory.ToArray();
    }

    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static Dictionary<string, JsonElement> Rows(JsonElement body, string property = "rows", string key = "value") =>
        body.GetProperty(property).EnumerateArray().ToDictionary(r => r.GetProperty(key).GetString()!);

    [Fact]
    public async Task A_Plausible_export_gives_exactly_its_totals_per_day_and_dimension_clipped_where_native_data_starts()
    {
        var site = await fixture.CreateAsync();
        // Native data from yesterday on: the import keeps only the days before it.
        await new KnownDataset(fixture, site.SiteId).ItemAsync(
            Granularity.Day, RollupLayout.Summary, D(1), "", M(pageviews: 4, sessions: 2, bounces: 1, durationMs: 20_000), ["a", "b"]);

        var response = await UploadAsync(site, "plausible", Zip(PlausibleExport()));
        var created = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.True(response.StatusCode == HttpStatusCode.Created, created.ToString());
        Assert.Equal(D(10), created.GetProperty("from").GetString());
        Assert.Equal(D(9), created.GetProperty("to").GetString());
        Assert.Equal(2, created.GetProperty("days").GetInt32());
        Assert.Equal(2, created.GetProperty("clipped_days").GetInt32());
        Assert.Equal("done", created.GetProperty("status").GetString());

        using var client = fixture.CreateSiteClient(site);
        var range = $"site_id={site.SiteId}&from={D(10)}&to={D(9)}";
        var summary = await client.GetJsonAsync($"/api/stats/summary?{range}");
        AssertValue(summary, "visitors", 180);
        AssertValue(summary, "pageviews", 450);
        AssertValue(summary, "sessions", 210);
        AssertValue(summary, "bounce_rate", 0.3333);
        AssertValue(summary, "avg_duration_seconds", 50);

        // Imported and native days side by side: imported visitors add to the native sketch's count.
        var both = await client.GetJsonAsync($"/api/stats/summary?site_id={site.SiteId}&from={D(10)}&to={D(1)}");
        AssertValue(both, "visitors", 182);
        AssertValue(both, "pageviews", 454);
        var daily = (await client.GetJsonAsync($"/api/stats/timeseries?site_id={site.SiteId}&from={D(10)}&to={D(9)}&interval=day"))
            .GetProperty("points").EnumerateArray().ToList();
        Assert.Equal([250, 200], daily.Select(p => p.GetProperty("pageviews").GetInt64()));

        var sources = Rows(await client.GetJsonAsync($"/api/stats/sources?{range}"));
        AssertNumbers(sources["Google"], ("visitors", 110), ("sessions", 125), ("pageviews", 270));
        AssertNumbers(sources["Direct"], ("visitors", 40), ("sessions", 50));
        AssertNumbers(sources["Hacker News"], ("visitors", 30), ("sessions", 35));
        AssertNumbers(Rows(await client.GetJsonAsync($"/api/stats/referrers?{range}"))["news.ycombinator.com"], ("sessions", 35));
        AssertNumbers(Rows(await client.GetJsonAsync($"/api/stats/campaigns?{range}"))["launch, day 1"], ("sessions", 35));

        var pages = Rows(await client.GetJsonAsync($"/api/stats/pages?{range}"), "pages", "path");
        AssertNumbers(pages["/"], ("pageviews", 190), ("visitors", 95), ("entries", 100));
        AssertNumbers(pages["/pricing"], ("pageviews", 130), ("visitors", 35), ("entries", 20), ("exits", 30), ("scroll_depth", 55));
        Assert.True(pages.ContainsKey("/<img src=x onerror=alert(1)>"), "a visitor's path is kept as text, to be escaped on the way out");

        var events = Rows(await client.GetJsonAsync($"/api/stats/events?{range}"));
        AssertNumbers(events["Signup"], ("events", 19), ("visitors", 15));
        AssertNumbers(events["Outbound Link: Click"], ("events", 4));
        var countries = Rows(await client.GetJsonAsync($"/api/stats/countries?{range}"));
        AssertNumbers(countries["US"], ("visitors", 60), ("sessions", 70), ("pageviews", 150));
        AssertNumbers(countries["KR"], ("visitors", 40));
        AssertNumbers(Rows(await client.GetJsonAsync($"/api/stats/devices?{range}"))["Mobile"], ("visitors", 30), ("sessions", 40));

        // The clipped days show only native data.
        var yesterday = await client.GetJsonAsync($"/api/stats/summary?site_id={site.SiteId}&from={D(1)}&to={D(1)}");
        AssertValue(yesterday, "pageviews", 4);
    }

    [Fact]
    public async Task A_re_import_is_refused_and_deleting_an_import_restores_the_previous_numbers()
    {
        var site = await fixture.CreateAsync();
        using var client = fixture.CreateSiteClient(site);
        var range = $"site_id={site.SiteId}&from={D(10)}&to={D(9)}";
        AssertValue(await client.GetJsonAsync($"/api/stats/summary?{range}"), "pageviews", 0);

        var first = await UploadAsync(site, "plausible", Zip(PlausibleExport()));
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var firstBody = await first.Content.ReadFromJsonAsync<JsonElement>();
        var importId = firstBody.GetProperty("import_id").GetString();
        // No native data yet: yesterday (which may still get events up to 24 h old) and today are clipped all the same.
        Assert.Equal(2, firstBody.GetProperty("clipped_days").GetInt32());
        Assert.Equal(D(9), firstBody.GetProperty("to").GetString());
        AssertValue(await client.GetJsonAsync($"/api/stats/summary?{range}"), "pageviews", 450);

        var again = await ProblemAsync(await UploadAsync(site, "plausible", Zip(PlausibleExport())), HttpStatusCode.Conflict);
        Assert.Contains(importId!, again.GetProperty("detail").GetString());
        AssertValue(await client.GetJsonAsync($"/api/stats/summary?{range}"), "pageviews", 450);

        using var admin = fixture.CreateAdminClient();
        var listed = await admin.GetFromJsonAsync<JsonElement>($"/api/sites/{site.SiteId}/imports");
        Assert.Equal([importId], listed.GetProperty("imports").EnumerateArray().Select(i => i.GetProperty("import_id").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/sites/{site.SiteId}/imports/{importId}")).StatusCode);

        AssertValue(await client.GetJsonAsync($"/api/stats/summary?{range}"), "pageviews", 0);
        Assert.Empty((await client.GetJsonAsync($"/api/stats/sources?{range}")).GetProperty("rows").EnumerateArray());
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement>($"/api/sites/{site.SiteId}/imports")).GetProperty("imports").EnumerateArray());
        await ProblemAsync(await admin.DeleteAsync($"/api/sites/{site.SiteId}/imports/{importId}"), HttpStatusCode.NotFound);
        // Deleted, the same export imports again.
        Assert.Equal(HttpStatusCode.Created, (await UploadAsync(site, "plausible", Zip(PlausibleExport()))).StatusCode);
    }

    [Fact]
    public async Task An_Umami_data_export_becomes_visits_visitors_pages_and_sources_as_ingestion_counts_them()
    {
        var site = await fixture.CreateAsync();
        // Two sessions on D5: s1 has visit v1 (two page views from Google, 90 s apart, then a Signup) and, later,
        // visit v2 (one page view, a bounce); s2 has visit v3 (one page view, direct, on a phone).
        var csv = $"""
            website_id,session_id,visit_id,event_id,hostname,browser,os,device,screen,language,country,url_path,url_query,utm_source,utm_medium,utm_campaign,utm_content,utm_term,referrer_path,referrer_query,referrer_domain,page_title,event_type,event_name,created_at
            w,s1,v1,e1,example.com,chrome,Mac OS,laptop,1440x900,en,DE,/,,,,,,,/search,,www.google.com,Home,1,,{D(5)} 10:00:00
            w,s1,v1,e2,example.com,chrome,Mac OS,laptop,1440x900,en,DE,/pricing,,,,,,,,,,Pricing,1,,{D(5)} 10:01:30
            w,s1,v1,e3,example.com,chrome,Mac OS,laptop,1440x900,en,DE,/pricing,,,,,,,,,,Pricing,2,Signup,{D(5)} 10:01:40
            w,s1,v2,e4,example.com,chrome,Mac OS,laptop,1440x900,en,DE,/blog,,,,,,,,,,Blog,1,,{D(5)} 18:00:00
            w,s2,v3,e5,example.com,ios,iOS,mobile,390x844,en,KR,/,,,,,,,,,,Home,1,,{D(5)} 12:00:00
            """;

        var response = await UploadAsync(site, "umami", Encoding.UTF8.GetBytes(csv.Replace("\r\n", "\n")), "text/csv");
        Assert.True(response.StatusCode == HttpStatusCode.Created, await response.Content.ReadAsStringAsync());

        using var client = fixture.CreateSiteClient(site);
        var range = $"site_id={site.SiteId}&from={D(5)}&to={D(5)}";
        var summary = await client.GetJsonAsync($"/api/stats/summary?{range}");
        AssertValue(summary, "visitors", 2);
        AssertValue(summary, "sessions", 3);
        AssertValue(summary, "pageviews", 4);
        AssertValue(summary, "bounce_rate", 0.6667);
        AssertValue(summary, "avg_duration_seconds", 33.3);
        var sources = Rows(await client.GetJsonAsync($"/api/stats/sources?{range}"));
        AssertNumbers(sources["Google"], ("sessions", 1), ("visitors", 1), ("pageviews", 2));
        AssertNumbers(sources["Direct"], ("sessions", 2), ("visitors", 2));
        var pages = Rows(await client.GetJsonAsync($"/api/stats/pages?{range}"), "pages", "path");
        AssertNumbers(pages["/"], ("pageviews", 2), ("visitors", 2), ("entries", 2), ("exits", 1));
        AssertNumbers(pages["/pricing"], ("pageviews", 1), ("exits", 1));
        AssertNumbers(Rows(await client.GetJsonAsync($"/api/stats/devices?{range}"))["Desktop"], ("sessions", 2), ("visitors", 1));
        AssertNumbers(Rows(await client.GetJsonAsync($"/api/stats/browsers?{range}"))["Mobile Safari"], ("sessions", 1));
        AssertNumbers(Rows(await client.GetJsonAsync($"/api/stats/os?{range}"))["Mac OS X"], ("sessions", 2));
        AssertNumbers(Rows(await client.GetJsonAsync($"/api/stats/events?{range}"))["Signup"], ("events", 1), ("visitors", 1));
    }

    [Theory]
    [InlineData("nope", "zip", "source=plausible")]
    [InlineData("plausible", "csv", "zip of CSV files")]
    [InlineData("plausible", "bad-number", "imported_visitors_20240101_20240102.csv line 3: 'pageviews' is not a whole number")]
    [InlineData("plausible", "bad-date", "line 2: '01/02/2024' is not a date")]
    [InlineData("plausible", "missing-column", "no column 'visits'")]
    [InlineData("plausible", "unknown-file", "not a file of Plausible's export")]
    [InlineData("plausible", "open-quote", "quoted field is not closed")]
    [InlineData("plausible", "not-utf8", "not UTF-8")]
    [InlineData("umami", "bad-type", "line 2: event_type '7'")]
    [InlineData("umami", "bad-time", "created_at 'yesterday'")]
    [InlineData("plausible", "empty", "Send the export")]
    public async Task A_bad_export_is_a_400_naming_the_file_and_line_and_imports_nothing(string source, string kind, string expected)
    {
        var site = await fixture.CreateAsync();
        var visitorsFile = "imported_visitors_20240101_20240102.csv";
        byte[] body = kind switch
        {
            "zip" or "csv" => Encoding.UTF8.GetBytes("date,visitors\n2024-01-01,1\n"),
            "bad-number" => Zip(new() { [visitorsFile] = "date,visitors,pageviews,bounces,visits,visit_duration\n2024-01-01,1,1,0,1,0\n2024-01-02,1,-5,0,1,0" }),
            "bad-date" => Zip(new() { [visitorsFile] = "date,visitors,pageviews,bounces,visits,visit_duration\n01/02/2024,1,1,0,1,0" }),
            "missing-column" => Zip(new() { [visitorsFile] = "date,visitors,pageviews,bounces,visit_duration\n2024-01-01,1,1,0,0" }),
            "unknown-file" => Zip(new() { ["passwords.csv"] = "date\n2024-01-01" }),
            "open-quote" => Zip(new() { [visitorsFile] = "date,visitors,pageviews,bounces,visits,visit_duration\n\"2024-01-01,1,1,0,1,0" }),
            "not-utf8" => ZipBytes(visitorsFile, [.. Encoding.ASCII.GetBytes("date,visitors\n"), 0xff, 0xfe, 0x41, 0x0a]),
            "bad-type" => Encoding.UTF8.GetBytes("session_id,visit_id,created_at,url_path,event_type\ns,v,2024-01-01 10:00:00,/,7\n"),
            "bad-time" => Encoding.UTF8.GetBytes("session_id,visit_id,created_at,url_path,event_type\ns,v,yesterday,/,1\n"),
            _ => [],
        };

        var problem = await ProblemAsync(await UploadAsync(site, source, body), HttpStatusCode.BadRequest);

        Assert.Contains(expected, problem.GetProperty("detail").GetString());
        using var admin = fixture.CreateAdminClient();
        Assert.Empty((await admin.GetFromJsonAsync<JsonElement>($"/api/sites/{site.SiteId}/imports")).GetProperty("imports").EnumerateArray());
    }

    [Fact]
    public async Task Imports_need_the_admin_token_and_an_existing_site()
    {
        var site = await fixture.CreateAsync();
        using var siteClient = fixture.CreateSiteClient(site);
        using var content = new ByteArrayContent(Zip(PlausibleExport()));
        Assert.Equal(HttpStatusCode.Unauthorized, (await siteClient.PostAsync($"/api/sites/{site.SiteId}/imports?source=plausible", content)).StatusCode);
        using var admin = fixture.CreateAdminClient();
        await ProblemAsync(await admin.GetAsync("/api/sites/nosuchsite00/imports"), HttpStatusCode.NotFound);
    }

    private static byte[] ZipBytes(string name, byte[] bytes)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var stream = zip.CreateEntry(name).Open();
            stream.Write(bytes);
        }

        return memory.ToArray();
    }

    private static void AssertNumbers(JsonElement row, params (string Name, double Expected)[] fields)
    {
        foreach (var (name, expected) in fields)
        {
            Assert.True(Math.Abs(expected - row.GetProperty(name).GetDouble()) < 1e-9, $"{name}: expected {expected}, got {row.GetProperty(name)} in {row}");
        }
    }

    private static void AssertValue(JsonElement summary, string metric, double expected) =>
        Assert.Equal(expected, summary.GetProperty(metric).GetProperty("value").GetDouble(), 4);
}
