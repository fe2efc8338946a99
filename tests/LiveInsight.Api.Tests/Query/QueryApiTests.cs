using System.Net;
using System.Text;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Stats;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace LiveInsight.Api.Tests.Query;

/// <summary>POST /api/v2/query against real Parquet files read by DuckDB: exact answers on <see cref="QueryDataset"/>.</summary>
[Collection(nameof(ApiCollection))]
public sealed class QueryApiTests(ApiFixture fixture)
{
    private const string Range = "\"date_range\":[\"2026-11-10\",\"2026-11-11\"]";

    public static TheoryData<string, string, string[]> Cases => new()
    {
        // Totals: duplicates across compact and part files counted once, engagement events not counted, Berlin days.
        { "totals", "\"metrics\":[\"visitors\",\"visits\",\"pageviews\",\"events\",\"bounce_rate\",\"visit_duration\",\"views_per_visit\"]", ["= 4,5,6,8,40,48,1.2"] },
        // Visit dimensions: the session's first event decides.
        { "sources", "\"metrics\":[\"visitors\",\"visits\",\"pageviews\",\"events\",\"bounce_rate\",\"visit_duration\",\"percentage\"],\"dimensions\":[\"visit:source\"]",
            ["Direct / None = 2,2,2,3,0,30,50", "Google = 2,2,3,4,50,90,50", "Twitter = 1,1,1,1,100,0,25"] },
        { "referrers", "\"metrics\":[\"visits\"],\"dimensions\":[\"visit:referrer\"]", ["Direct / None = 2", "google.com = 2", "t.co = 1"] },
        { "utm", "\"metrics\":[\"visitors\"],\"dimensions\":[\"visit:utm_source\",\"visit:utm_medium\",\"visit:utm_campaign\"]",
            ["(not set)|(not set)|(not set) = 4", "google|cpc|fall = 1"] },
        { "utm content and term", "\"metrics\":[\"visits\"],\"dimensions\":[\"visit:utm_content\",\"visit:utm_term\"]", ["(not set)|(not set) = 5"] },
        { "countries", "\"metrics\":[\"visitors\",\"visits\"],\"dimensions\":[\"visit:country\"]", ["DE = 2,3", "FR = 1,1", "US = 1,1"] },
        { "country names", "\"metrics\":[\"visitors\",\"visits\"],\"dimensions\":[\"visit:country_name\"]", ["Germany = 2,3", "France = 1,1", "United States = 1,1"] },
        { "country name filter", "\"metrics\":[\"visits\"],\"filters\":[[\"contains\",\"visit:country_name\",[\"united\"],{\"case_sensitive\":false}]]", ["= 1"] },
        { "devices", "\"metrics\":[\"visits\",\"bounce_rate\"],\"dimensions\":[\"visit:device\"]", ["Desktop = 3,33", "Mobile = 2,50"] },
        { "browsers", "\"metrics\":[\"visits\"],\"dimensions\":[\"visit:browser\"]", ["Chrome = 2", "Edge = 1", "Firefox = 1", "Safari = 1"] },
        { "os", "\"metrics\":[\"visits\"],\"dimensions\":[\"visit:os\"]", ["Windows = 2", "Android = 1", "Linux = 1", "iOS = 1"] },
        { "entry pages", "\"metrics\":[\"visitors\",\"visits\"],\"dimensions\":[\"visit:entry_page\"]", ["/blog = 2,2", "(none) = 1,1", "/ = 1,1", "/pricing = 1,1"] },
        { "exit pages", "\"metrics\":[\"visits\",\"visit_duration\"],\"dimensions\":[\"visit:exit_page\"]", ["/pricing = 2,90", "(none) = 1,0", "/ = 1,60", "/blog = 1,0"] },
        // Event dimensions: each event where it happened.
        { "pages", "\"metrics\":[\"visitors\",\"visits\",\"pageviews\",\"events\",\"percentage\"],\"dimensions\":[\"event:page\"]",
            ["/ = 2,2,2,2,50", "/blog = 2,2,2,2,50", "/pricing = 2,2,2,3,50", "/docs = 1,1,0,1,25"] },
        { "hostnames", "\"metrics\":[\"events\"],\"dimensions\":[\"event:hostname\"]", ["example.com = 8"] },
        { "event names", "\"metrics\":[\"visitors\",\"events\"],\"dimensions\":[\"event:name\"]", ["pageview = 3,6", "Download = 1,1", "Signup = 1,1"] },
        { "props", "\"metrics\":[\"visitors\",\"events\"],\"dimensions\":[\"event:props:plan\"]", ["(none) = 4,7", "pro = 1,1"] },
        // Time in the site's zone: S2 starts on the 10th and ends on the 11th.
        { "days", "\"metrics\":[\"visitors\",\"visits\",\"pageviews\"],\"dimensions\":[\"time:day\"]", ["2026-11-10 = 2,2,3", "2026-11-11 = 4,3,3"] },
        { "time picks days", "\"metrics\":[\"pageviews\"],\"dimensions\":[\"time\"]", ["2026-11-10 = 3", "2026-11-11 = 3"] },
        { "weeks", "\"metrics\":[\"visitors\"],\"dimensions\":[\"time:week\"]", ["2026-11-09 = 4"] },
        { "months", "\"metrics\":[\"visitors\"],\"dimensions\":[\"time:month\"]", ["2026-11-01 = 4"] },
        { "hours", "\"metrics\":[\"pageviews\"],\"dimensions\":[\"time:hour\"],\"filters\":[[\"is\",\"visit:country\",[\"US\"]]]",
            ["2026-11-10 23:00:00 = 1", "2026-11-11 00:00:00 = 1"] },
        // Filters, each operator.
        { "is (visit)", "\"metrics\":[\"visitors\",\"visits\",\"pageviews\",\"events\",\"bounce_rate\",\"visit_duration\"],\"filters\":[[\"is\",\"visit:country\",[\"DE\"]]]",
            ["= 2,3,3,5,33,60"] },
        { "is_not (visit)", "\"metrics\":[\"visitors\",\"visits\",\"pageviews\"],\"filters\":[[\"is_not\",\"visit:country\",[\"DE\"]]]", ["= 2,2,3"] },
        { "is, any clause", "\"metrics\":[\"visitors\",\"visits\"],\"filters\":[[\"is\",\"visit:country\",[\"FR\",\"US\"]]]", ["= 2,2"] },
        { "is, case-insensitive", "\"metrics\":[\"visitors\"],\"filters\":[[\"is\",\"visit:source\",[\"google\"],{\"case_sensitive\":false}]]", ["= 2"] },
        { "is, case-sensitive", "\"metrics\":[\"visitors\"],\"filters\":[[\"is\",\"visit:source\",[\"google\"]]]", ["= 0"] },
        { "contains (event)", "\"metrics\":[\"visitors\",\"visits\",\"pageviews\",\"events\"],\"filters\":[[\"contains\",\"event:page\",[\"pric\"]]]", ["= 2,2,2,3"] },
        { "contains_not", "\"metrics\":[\"visitors\",\"visits\",\"pageviews\",\"events\"],\"filters\":[[\"contains_not\",\"event:page\",[\"/blog\",\"/docs\"]]]", ["= 3,3,4,5"] },
        { "matches", "\"metrics\":[\"visitors\",\"pageviews\",\"events\"],\"filters\":[[\"matches\",\"event:page\",[\"^/(blog|docs)$\"]]]", ["= 3,2,3"] },
        { "matches_not", "\"metrics\":[\"visitors\",\"pageviews\",\"events\"],\"filters\":[[\"matches_not\",\"event:page\",[\"^/(blog|docs)$\"]]]", ["= 3,4,5"] },
        { "event name", "\"metrics\":[\"visitors\",\"events\"],\"filters\":[[\"is\",\"event:name\",[\"Signup\"]]]", ["= 1,1"] },
        { "prop", "\"metrics\":[\"visitors\",\"events\"],\"filters\":[[\"is\",\"event:props:file\",[\"a.pdf\"]]]", ["= 1,1"] },
        { "entry page", "\"metrics\":[\"visits\",\"pageviews\"],\"filters\":[[\"is\",\"visit:entry_page\",[\"/blog\"]]]", ["= 2,3"] },
        // and / or / not, and visit with event filters.
        { "or", "\"metrics\":[\"visitors\",\"visits\",\"pageviews\"],\"filters\":[[\"or\",[[\"is\",\"visit:country\",[\"FR\"]],[\"is\",\"visit:country\",[\"US\"]]]]]", ["= 2,2,3"] },
        { "not", "\"metrics\":[\"visitors\",\"visits\"],\"filters\":[[\"not\",[\"is\",\"visit:source\",[\"Google\"]]]]", ["= 3,3"] },
        { "and of visit and event", "\"metrics\":[\"visitors\",\"visits\",\"pageviews\"],\"filters\":[[\"and\",[[\"is\",\"visit:device\",[\"Desktop\"]],[\"is\",\"event:page\",[\"/blog\"]]]]]", ["= 1,1,1"] },
        { "implicit and, breakdown", "\"metrics\":[\"visitors\",\"pageviews\"],\"dimensions\":[\"event:page\"],\"filters\":[[\"is\",\"visit:country\",[\"DE\"]],[\"is_not\",\"event:name\",[\"Download\"]]]",
            ["/ = 1,1", "/blog = 1,1", "/pricing = 1,1"] },
        { "filtered breakdown by source", "\"metrics\":[\"visitors\"],\"dimensions\":[\"visit:source\"],\"filters\":[[\"contains\",\"event:page\",[\"/\"]],[\"not\",[\"is\",\"visit:device\",[\"Mobile\"]]]]",
            ["Direct / None = 1", "Google = 1", "Twitter = 1"] },
        // Goals (issue 17): a row per goal an event converts; visitors are converters, events conversions, and the rate
        // is over the visitors of the same query without the goal (4 in all; per device: Desktop 2, Mobile 2).
        { "goals", "\"metrics\":[\"visitors\",\"events\",\"conversion_rate\"],\"dimensions\":[\"event:goal\"]",
            ["Visit /b* = 2,2,50", "Visit /pricing = 2,2,50", "Pro signup = 1,1,25", "Signup = 1,1,25"] },
        { "goal filter", "\"metrics\":[\"visitors\",\"events\",\"conversion_rate\"],\"filters\":[[\"is\",\"event:goal\",[\"Signup\"]]]", ["= 1,1,25"] },
        { "goal filter by device", "\"metrics\":[\"visitors\",\"conversion_rate\"],\"dimensions\":[\"visit:device\"],\"filters\":[[\"is\",\"event:goal\",[\"Visit /b*\"]]]",
            ["Desktop = 1,50", "Mobile = 1,50"] },
        { "goal filter by source", "\"metrics\":[\"visitors\",\"events\",\"conversion_rate\"],\"dimensions\":[\"visit:source\"],\"filters\":[[\"is\",\"event:goal\",[\"Visit /pricing\"]]]",
            ["Google = 2,2,100"] },
        { "goal filter by day", "\"metrics\":[\"events\"],\"dimensions\":[\"time:day\"],\"filters\":[[\"is\",\"event:goal\",[\"Visit /b*\"]]]",
            ["2026-11-10 = 1", "2026-11-11 = 1"] },
        { "goal filter, two goals", "\"metrics\":[\"visitors\",\"events\"],\"filters\":[[\"is\",\"event:goal\",[\"Signup\",\"Visit /b*\"]]]", ["= 2,3"] },
        // is_not and contains_not are NOT is and NOT contains, per event: an event converting no goal passes them.
        { "goal is_not", "\"metrics\":[\"visitors\",\"events\"],\"filters\":[[\"is_not\",\"event:goal\",[\"Visit /pricing\"]]]", ["= 3,6"] },
        { "goal contains, case-insensitive", "\"metrics\":[\"visitors\",\"events\"],\"filters\":[[\"contains\",\"event:goal\",[\"SIGNUP\"],{\"case_sensitive\":false}]]", ["= 1,1"] },
        { "goal contains_not", "\"metrics\":[\"visitors\",\"events\"],\"filters\":[[\"contains_not\",\"event:goal\",[\"Visit\"]]]", ["= 3,4"] },
        { "goals of desktop visits", "\"metrics\":[\"visitors\",\"conversion_rate\"],\"dimensions\":[\"event:goal\"],\"filters\":[[\"is\",\"visit:device\",[\"Desktop\"]]]",
            ["Pro signup = 1,50", "Signup = 1,50", "Visit /b* = 1,50", "Visit /pricing = 1,50"] },
        // A goal filter narrows the goal dimension too: e1c converts Signup and Pro signup, but only Signup was asked for.
        { "goal breakdown under a goal filter", "\"metrics\":[\"visitors\",\"events\",\"conversion_rate\"],\"dimensions\":[\"event:goal\"],\"filters\":[[\"is\",\"event:goal\",[\"Signup\",\"Visit /b*\"]]]",
            ["Visit /b* = 2,2,50", "Signup = 1,1,25"] },
        { "goal breakdown without one goal", "\"metrics\":[\"visitors\"],\"dimensions\":[\"event:goal\"],\"filters\":[[\"is_not\",\"event:goal\",[\"Visit /pricing\"]]]",
            ["Visit /b* = 2", "Pro signup = 1", "Signup = 1"] },
        // Engagement: only /pricing's page view (S4) reported any, 40 s and no scroll depth.
        { "time on page", "\"metrics\":[\"visitors\",\"time_on_page\",\"scroll_depth\"],\"dimensions\":[\"event:page\"]",
            ["/ = 2,null,null", "/blog = 2,null,null", "/pricing = 2,40,null", "/docs = 1,null,null"] },
        { "time on page of Google visits", "\"metrics\":[\"time_on_page\"],\"filters\":[[\"is\",\"visit:source\",[\"Google\"]]]", ["= 40"] },
        // Channels: S1 google/cpc (Google is a search engine), S4 Google untagged, S3 Twitter (not a known name: a referral).
        { "channels", "\"metrics\":[\"visits\",\"visitors\"],\"dimensions\":[\"visit:channel\"]",
            ["Direct = 2,2", "Organic Search = 1,1", "Paid Search = 1,1", "Referral = 1,1"] },
        { "channel filter", "\"metrics\":[\"visitors\",\"pageviews\"],\"filters\":[[\"is\",\"visit:channel\",[\"Paid Search\",\"Referral\"]]]", ["= 1,3"] },
        // Order and pages.
        { "order_by", "\"metrics\":[\"visitors\"],\"dimensions\":[\"visit:source\"],\"order_by\":[[\"visitors\",\"asc\"],[\"visit:source\",\"desc\"]]",
            ["Twitter = 1", "Google = 2", "Direct / None = 2"] },
        { "page 2", "\"metrics\":[\"visitors\"],\"dimensions\":[\"visit:source\"],\"pagination\":{\"limit\":1,\"offset\":1}", ["Google = 2"] },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_metric_dimension_and_filter_gives_the_exact_answer_on_the_known_lake(string name, string query, string[] expected)
    {
        var data = await QueryDataset.GetAsync(fixture);

        var answer = await QueryAsync(data.A, $"{Range},{query}");

        Assert.True(expected.SequenceEqual(Rows(answer)), $"{name}: expected [{string.Join("; ", expected)}], got [{string.Join("; ", Rows(answer))}]");
    }

    /// <summary>The events of the aggregator's EngagementTests, whose rollups answer /api/stats/pages with /a 12 s and
    /// 55 %, /b 6 s and 100 % (asserted there through the real PageRollup): the lake gives the same numbers.</summary>
    [Fact]
    public async Task Time_on_page_and_scroll_depth_are_the_numbers_the_rollups_give_for_the_same_events()
    {
        var data = await QueryDataset.GetAsync(fixture);
        const string Day = "\"date_range\":[\"2026-11-20\",\"2026-11-20\"]";

        var pages = await QueryAsync(data.E, $"{Day},\"metrics\":[\"pageviews\",\"time_on_page\",\"scroll_depth\"],\"dimensions\":[\"event:page\"]");
        var site = await QueryAsync(data.E, $"{Day},\"metrics\":[\"time_on_page\",\"scroll_depth\"]");
        var byHour = await QueryAsync(data.E, $"{Day},\"metrics\":[\"time_on_page\"],\"dimensions\":[\"time:hour\"],\"filters\":[[\"is\",\"event:page\",[\"/a\"]]]");

        Assert.Equal(["/a = 3,12,55", "/b = 1,6,100"], Rows(pages));
        Assert.Equal(["= 10,70"], Rows(site));
        Assert.Equal(["2026-11-20 10:00:00 = 12"], Rows(byHour));
    }

    [Fact]
    public async Task A_previous_period_comparison_gives_each_row_the_old_metrics_the_change_and_meta_the_range()
    {
        var data = await QueryDataset.GetAsync(fixture);

        // 11-08..11-09 holds only S6: one visitor, one page view, a bounce.
        var answer = await QueryAsync(data.A, $"{Range},\"metrics\":[\"visitors\",\"pageviews\",\"bounce_rate\"],\"include\":{{\"comparisons\":{{\"mode\":\"previous_period\"}}}}");

        var row = Assert.Single(answer.GetProperty("results").EnumerateArray());
        Assert.Equal("[4,6,40]", row.GetProperty("metrics").GetRawText());
        Assert.Equal("{\"dimensions\":[],\"metrics\":[1,1,100],\"change\":[300,500,-60]}", row.GetProperty("comparison").GetRawText());
        Assert.Equal("[\"2026-11-08T00:00:00+01:00\",\"2026-11-09T23:59:59+01:00\"]", answer.GetProperty("meta").GetProperty("comparison_date_range").GetRawText());
        Assert.Equal("{\"comparisons\":{\"mode\":\"previous_period\"}}", answer.GetProperty("query").GetProperty("include").GetRawText());
    }

    [Fact]
    public async Task A_custom_comparison_matches_rows_by_dimensions_and_a_row_missing_then_compares_with_zeros()
    {
        var data = await QueryDataset.GetAsync(fixture);
        const string Compare = "\"include\":{\"comparisons\":{\"mode\":\"custom\",\"date_range\":[\"2026-11-11\",\"2026-11-12\"]}}";

        var pages = await QueryAsync(data.A, $"{Range},\"metrics\":[\"visitors\",\"pageviews\"],\"dimensions\":[\"event:page\"],{Compare}");
        var goal = await QueryAsync(data.A, $"{Range},\"metrics\":[\"visitors\",\"conversion_rate\"],\"filters\":[[\"is\",\"event:goal\",[\"Visit /b*\"]]],{Compare}");
        var lastYear = await QueryAsync(data.A, $"{Range},\"metrics\":[\"visitors\"],\"dimensions\":[\"visit:device\"],\"include\":{{\"comparisons\":{{\"mode\":\"year_over_year\"}}}}");

        Assert.Equal(
            ["/ = 2,2 was 1,1 change 100,100", "/blog = 2,2 was 1,1 change 100,100", "/pricing = 2,2 was 1,1 change 100,100", "/docs = 1,0 was 1,0 change 0,0"],
            Compared(pages));
        // The goal's converters were 2 of 4 visitors (50 %), then 1 (V1 on /blog) of 5 (20 %): 30 points more.
        Assert.Equal(["= 2,50 was 1,20 change 100,30"], Compared(goal));
        Assert.Equal(["Desktop = 2 was 0 change 100", "Mobile = 2 was 0 change 100"], Compared(lastYear));
        Assert.Equal("[\"2025-11-10T00:00:00+01:00\",\"2025-11-11T23:59:59+01:00\"]", lastYear.GetProperty("meta").GetProperty("comparison_date_range").GetRawText());
    }

    /// <summary>With a time dimension the Nth bucket compares with the Nth bucket of the other period, which the
    /// comparison's dimensions name; a bucket with nothing then compares with zeros.</summary>
    [Fact]
    public async Task A_comparison_by_day_or_hour_lines_up_the_nth_bucket_of_each_period()
    {
        var data = await QueryDataset.GetAsync(fixture);

        // 11-08..11-09 holds only S6 (11-09 23:30): the 11th, the second day, compares with the 9th.
        var days = await QueryAsync(data.A, $"{Range},\"metrics\":[\"visitors\"],\"dimensions\":[\"time\"],\"include\":{{\"comparisons\":{{\"mode\":\"previous_period\"}}}}");
        var hours = await QueryAsync(data.A, "\"date_range\":[\"2026-11-10\",\"2026-11-10\"],\"metrics\":[\"pageviews\"],\"dimensions\":[\"time:hour\"],\"include\":{\"comparisons\":{\"mode\":\"custom\",\"date_range\":[\"2026-11-11\",\"2026-11-11\"]}}");

        Assert.Equal(["2026-11-10 = 2 was 0 change 100", "2026-11-11 = 4 was 1 change 300"], Compared(days));
        Assert.Equal(["2026-11-08", "2026-11-09"], CompareDimensions(days));
        // The 10th's hours 10 and 23 against the 11th's: 10:00 had nothing on the 11th (09:00, 12:00, 00:00 did).
        Assert.Equal(["2026-11-10 10:00:00 = 2 was 0 change 100", "2026-11-10 23:00:00 = 1 was 0 change 100"], Compared(hours));
        Assert.Equal(["2026-11-11 10:00:00", "2026-11-11 23:00:00"], CompareDimensions(hours));
    }

    private static List<string> CompareDimensions(JsonElement answer) => answer.GetProperty("results").EnumerateArray()
        .Select(r => string.Join("|", r.GetProperty("comparison").GetProperty("dimensions").EnumerateArray().Select(d => d.GetString()))).ToList();

    private static List<string> Compared(JsonElement answer) => answer.GetProperty("results").EnumerateArray()
        .Select(r => (string.Join("|", r.GetProperty("dimensions").EnumerateArray().Select(d => d.GetString())) + " = "
            + Join(r.GetProperty("metrics")) + " was " + Join(r.GetProperty("comparison").GetProperty("metrics"))
            + " change " + Join(r.GetProperty("comparison").GetProperty("change"))).TrimStart())
        .ToList();

    private static string Join(JsonElement array) => string.Join(",", array.EnumerateArray().Select(m => m.GetRawText()));

    [Fact]
    public async Task Channels_follow_plausibles_rules_from_source_medium_and_utm_tags()
    {
        var data = await QueryDataset.GetAsync(fixture);

        var answer = await QueryAsync(data.C, "\"date_range\":[\"2026-11-21\",\"2026-11-21\"],\"metrics\":[\"visits\"],\"dimensions\":[\"visit:channel\"]");

        Assert.Equal(
            ["Affiliates = 1", "Cross-network = 1", "Direct = 1", "Display = 1", "Email = 1", "Organic Social = 1", "Paid Other = 1", "Paid Search = 1",
             "Paid Social = 1", "SMS = 1"],
            Rows(answer));
    }

    [Fact]
    public async Task Total_rows_counts_every_row_beyond_the_page_and_the_query_is_echoed_as_run()
    {
        var data = await QueryDataset.GetAsync(fixture);

        var answer = await QueryAsync(data.A, $"{Range},\"metrics\":[\"visitors\"],\"dimensions\":[\"visit:source\"],\"include\":{{\"total_rows\":true}},\"pagination\":{{\"limit\":2}}");

        Assert.Equal(["Direct / None = 2", "Google = 2"], Rows(answer));
        Assert.Equal(3, answer.GetProperty("meta").GetProperty("total_rows").GetInt32());
        var echoed = answer.GetProperty("query");
        Assert.Equal(data.A.SiteId, echoed.GetProperty("site_id").GetString());
        Assert.Equal("[\"2026-11-10T00:00:00+01:00\",\"2026-11-11T23:59:59+01:00\"]", echoed.GetProperty("date_range").GetRawText());
        Assert.Equal("[[\"visitors\",\"desc\"]]", echoed.GetProperty("order_by").GetRawText());
        Assert.Equal("{\"limit\":2,\"offset\":0}", echoed.GetProperty("pagination").GetRawText());
    }

    [Fact]
    public async Task A_page_past_the_end_has_no_rows_and_still_the_total()
    {
        var data = await QueryDataset.GetAsync(fixture);

        var answer = await QueryAsync(data.A, $"{Range},\"metrics\":[\"visitors\"],\"dimensions\":[\"visit:source\"],\"include\":{{\"total_rows\":true}},\"pagination\":{{\"limit\":2,\"offset\":10}}");

        Assert.Empty(Rows(answer));
        Assert.Equal(3, answer.GetProperty("meta").GetProperty("total_rows").GetInt32());
    }

    [Fact]
    public async Task The_days_are_the_sites_days_and_another_sites_events_never_count()
    {
        var data = await QueryDataset.GetAsync(fixture);

        var late = await QueryAsync(data.A, "\"date_range\":[\"2026-11-12\",\"2026-11-12\"],\"metrics\":[\"visitors\",\"pageviews\"],\"dimensions\":[\"event:page\"]");
        var early = await QueryAsync(data.A, "\"date_range\":[\"2026-11-09\",\"2026-11-09\"],\"metrics\":[\"visitors\"],\"dimensions\":[\"event:page\"]");
        var all = await QueryAsync(data.A, "\"date_range\":\"all\",\"metrics\":[\"visitors\",\"visits\",\"pageviews\"]");
        var other = await QueryAsync(data.B, $"{Range},\"metrics\":[\"visitors\",\"visits\",\"pageviews\"],\"dimensions\":[\"event:page\"]");

        Assert.Equal(["/late = 1,1"], Rows(late));
        Assert.Equal(["/old = 1"], Rows(early));
        Assert.Equal(["= 6,7,8"], Rows(all));
        Assert.Equal(["/ = 1,1,1", "/b = 1,1,1"], Rows(other));
    }

    [Fact]
    public async Task A_site_without_lake_files_answers_zeros_and_no_rows()
    {
        var site = await fixture.CreateAsync();

        var totals = await QueryAsync(site, "\"date_range\":\"all\",\"metrics\":[\"visitors\",\"visits\",\"pageviews\",\"bounce_rate\",\"visit_duration\",\"views_per_visit\"]");
        var breakdown = await QueryAsync(site, "\"date_range\":\"30d\",\"metrics\":[\"visitors\",\"percentage\"],\"dimensions\":[\"visit:source\"]");

        Assert.Equal(["= 0,0,0,0,0,0"], Rows(totals));
        Assert.Empty(Rows(breakdown));
    }

    [Theory]
    [InlineData("\"metrics\":[\"conversion_rate\"]", "conversion_rate")]
    [InlineData("\"metrics\":[\"conversion_rate\"],\"filters\":[[\"is\",\"event:goal\",[\"Signup\"]],[\"not\",[\"is\",\"event:goal\",[\"Visit /b*\"]]]]", "top level")]
    [InlineData("\"metrics\":[\"visitors\"],\"filters\":[[\"is\",\"event:goal\",[\"Nope\"]]]", "no goal named 'Nope'")]
    [InlineData("\"metrics\":[\"visitors\"],\"filters\":[[\"matches\",\"event:goal\",[\"^S\"]]]", "event:goal filters take is")]
    [InlineData("\"metrics\":[\"bounce_rate\"],\"dimensions\":[\"event:goal\"]", "bounce_rate")]
    [InlineData("\"metrics\":[\"time_on_page\"],\"dimensions\":[\"event:name\"]", "time_on_page' cannot be used with dimension 'event:name'")]
    [InlineData("\"metrics\":[\"scroll_depth\"],\"filters\":[[\"is\",\"event:goal\",[\"Signup\"]]]", "scroll_depth' cannot be used with a filter on 'event:goal'")]
    [InlineData("\"metrics\":[\"visitors\"],\"dimensions\":[\"time:day\"],\"include\":{\"comparisons\":{\"mode\":\"previous_period\",\"match_day_of_week\":true}}", "match_day_of_week")]
    [InlineData("\"metrics\":[\"visitors\"],\"include\":{\"comparisons\":{\"mode\":\"last_decade\"}}", "include.comparisons is")]
    [InlineData("\"metrics\":[\"visitors\"],\"include\":{\"comparisons\":{\"mode\":\"custom\"}}", "include.comparisons is")]
    [InlineData("\"metrics\":[\"visitors\"],\"include\":{\"comparisons\":{\"mode\":\"custom\",\"date_range\":[\"2026-11-12\",\"2026-11-01\"]}}", "must not end before it starts")]
    [InlineData("\"metrics\":[\"bounce_rate\"],\"dimensions\":[\"event:page\"]", "bounce_rate")]
    [InlineData("\"metrics\":[\"visitors\"],\"filters\":[[\"matches\",\"event:page\",[\"(unclosed\"]]]", "RE2")]
    [InlineData("\"metrics\":[\"visitors\"],\"filters\":[[\"has_done\",[\"is\",\"event:name\",[\"Signup\"]]]]", "has_done")]
    [InlineData("\"metrics\":[\"percentage\"]", "percentage")]
    public async Task What_is_not_supported_is_a_400_that_names_it(string query, string named)
    {
        var data = await QueryDataset.GetAsync(fixture);
        using var client = fixture.CreateSiteClient(data.A);

        using var response = await client.PostAsync("/api/v2/query", Json(data.A, $"{Range},{query}"));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(named, body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Another_sites_key_gets_404_and_no_key_401()
    {
        var data = await QueryDataset.GetAsync(fixture);
        using var other = fixture.CreateSiteClient(data.B);
        using var anonymous = fixture.CreateClient();

        using var foreign = await other.PostAsync("/api/v2/query", Json(data.A, $"{Range},\"metrics\":[\"visitors\"]"));
        using var none = await anonymous.PostAsync("/api/v2/query", Json(data.A, $"{Range},\"metrics\":[\"visitors\"]"));

        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
    }

    [Fact]
    public async Task With_the_lake_off_the_query_api_says_so_with_503_rather_than_answering_zeros()
    {
        var data = await QueryDataset.GetAsync(fixture);
        await using var lakeOff = fixture.Factory.WithWebHostBuilder(web => web.UseSetting("Lake:Enabled", "false"));
        using var client = lakeOff.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", data.A.SecretKey);
        using var anonymous = lakeOff.CreateClient();

        using var response = await client.PostAsync("/api/v2/query", Json(data.A, $"{Range},\"metrics\":[\"visitors\"]"));
        using var none = await anonymous.PostAsync("/api/v2/query", Json(data.A, $"{Range},\"metrics\":[\"visitors\"]"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Lake:Enabled=false", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
    }

    [Fact]
    public async Task A_listed_file_that_compaction_removed_before_the_read_is_told_apart_so_the_query_lists_again()
    {
        var data = await QueryDataset.GetAsync(fixture);
        var engine = fixture.Factory.Services.GetRequiredService<LiveInsight.Api.Query.QueryEngine>();
        var lake = fixture.Factory.Services.GetRequiredService<LiveInsight.Api.Query.LakeFiles>();
        using var body = JsonDocument.Parse($"{{\"site_id\":\"{data.A.SiteId}\",{Range},\"metrics\":[\"visitors\"]}}");
        var (query, error) = LiveInsight.Api.Query.QueryParser.Parse(body.RootElement);
        Assert.Null(error);
        var period = LiveInsight.Api.Query.QueryPeriods.Resolve(query!.DateRange, TimeZoneInfo.Utc, DateTimeOffset.UtcNow, () => null);
        var files = (await lake.FilesAsync(await lake.ListAsync(data.A.SiteId, CancellationToken.None), period.First, period.Last, CancellationToken.None)).ToList();
        Assert.NotEmpty(files);

        var gone = Path.Combine(Path.GetDirectoryName(files[0])!, "part-merged-away.parquet");
        await Assert.ThrowsAsync<LiveInsight.Api.Query.LakeFilesChangedException>(() =>
            engine.RunAsync(LiveInsight.Api.Query.QuerySql.Build(query, period, [.. files, gone]), CancellationToken.None));
        Assert.NotEmpty(await engine.RunAsync(LiveInsight.Api.Query.QuerySql.Build(query, period, files), CancellationToken.None));
    }

    private Task<JsonElement> QueryAsync(TestSite site, string query) => QueryAsync(fixture, site, query);

    internal static async Task<JsonElement> QueryAsync(ApiFixture fixture, TestSite site, string query)
    {
        using var client = fixture.CreateSiteClient(site);
        using var response = await client.PostAsync("/api/v2/query", Json(site, query));
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static StringContent Json(TestSite site, string query) =>
        new($"{{\"site_id\":\"{site.SiteId}\",{query}}}", Encoding.UTF8, "application/json");

    /// <summary>Each result as "dim|dim = metric,metric".</summary>
    internal static List<string> Rows(JsonElement answer) => answer.GetProperty("results").EnumerateArray()
        .Select(r => (string.Join("|", r.GetProperty("dimensions").EnumerateArray().Select(d => d.GetString())) + " = "
            + string.Join(",", r.GetProperty("metrics").EnumerateArray().Select(m => m.GetRawText()))).TrimStart())
        .ToList();
}
