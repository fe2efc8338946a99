using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Core.Stats;
using LiveInsight.Core.Storage;
using LiveInsight.Testing;
using StackExchange.Redis;
using static LiveInsight.Api.Tests.Stats.KnownDataset;

namespace LiveInsight.Api.Tests.Stats;

/// <summary>
/// Issue 22: the unfiltered summary reads settled whole ISO weeks pre-merged (<see cref="SummaryWeeks"/>). Every
/// answer must be exactly what the day items give (an Api with <c>SummaryWeeks=false</c> reads only days): on the pass
/// that builds the weeks, on the pass that reads them, and after every writer that changes a merged day (erasure,
/// import, reset, a new epoch as the flusher puts for a late day); a week from another epoch is never served, and
/// site deletion leaves no week behind. The fixture has overlapping visitors between days (a union, not a sum), a day
/// without a row, a week with a single day (its visitors are that day's stored count) and a week without any.
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class SummaryWeekTests(ApiFixture fixture)
{
    private static readonly DateOnly Monday = new(2026, 8, 3);

    private static string Day(int offset) => RollupLayout.DayBucket(Monday.AddDays(offset));

    private static readonly (int From, int To)[] Ranges =
    [
        (0, 55), // eight whole weeks; the eight before are empty
        (17, 46), // 30 days: edge days around whole weeks, the previous 30 days too
        (21, 27), // the week with a single day, after a full week
        (42, 48), // the week without any row
        (2, 53),
        (30, 32), // no whole week
    ];

    [Fact]
    public async Task Weeks_answer_exactly_what_their_days_answer_when_built_and_when_read()
    {
        var site = await SeedAsync();
        var fromDays = await AnswersAsync(site, weeks: false);

        var building = await AnswersAsync(site, weeks: true);
        var built = await WeekItemsAsync(site.SiteId);
        var fromWeeks = await AnswersAsync(site, weeks: true);

        Assert.Equal(fromDays, building);
        Assert.Equal(fromDays, fromWeeks);
        // The 16 whole weeks of the first range and the one before it, 7 of them with days (one has none; the eight
        // before are empty and stored as such, so they are not read day by day again).
        Assert.Equal(16, built.Count(i => i["sk"].S != SummaryWeeks.EpochSortKey));
        Assert.Equal(7, built.Count(i => i.TryGetValue("days", out var days) && days.N != "0"));
        // Not trivially equal: the seeded numbers are in them, and visitors are a union (fewer than the days' sum).
        Assert.Equal(1490, Value(fromDays[0], "pageviews"));
        Assert.True(Value(fromDays[0], "visitors") is > 50 and < 70, fromDays[0]);
        Assert.Equal(3, Value(fromDays[2], "visitors"));
    }

    [Fact]
    public async Task A_week_is_read_only_under_the_sites_current_epoch_and_rebuilt_after_a_new_one()
    {
        var site = await SeedAsync();
        var fromDays = await AnswersAsync(site, weeks: false);
        await AnswersAsync(site, weeks: true);
        var table = fixture.TablePrefix + Tables.Stats.LogicalName;
        var key = SummaryWeeks.Key(site.SiteId, SummaryWeeks.SortKey(Monday.AddDays(28)));
        await fixture.Dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = table,
            Key = key,
            UpdateExpression = "SET pageviews = :n",
            ExpressionAttributeValues = new() { [":n"] = new() { N = "99999" } },
        });

        // A week that disagrees with its days wins under the current epoch: proof its days are not read.
        var tampered = await AnswersAsync(site, weeks: true);
        // The flusher (or any writer of a settled day) puts a new epoch: that week is never served again, but rebuilt.
        await fixture.Dynamo.PutItemAsync(new PutItemRequest { TableName = table, Item = SummaryWeeks.EpochItem(site.SiteId) });
        var afterEpoch = await AnswersAsync(site, weeks: true);
        var rebuilt = (await fixture.Dynamo.GetItemAsync(table, key)).Item;

        Assert.True(Value(tampered[0], "pageviews") > 99_999, tampered[0]);
        Assert.Equal(fromDays, afterEpoch);
        Assert.NotEqual("99999", rebuilt["pageviews"].N);
    }

    [Fact]
    public async Task Erasing_a_day_inside_a_merged_week_deletes_the_week_and_the_answer_is_the_days_again()
    {
        var site = await SeedAsync();
        await AnswersAsync(site, weeks: true);
        var before = await AnswersAsync(site, weeks: false);
        var epoch = await EpochAsync(site.SiteId);
        using var admin = fixture.CreateAdminClient();

        var erased = await admin.PostAsJsonAsync($"/api/sites/{site.SiteId}/erase", new { from = Day(31), to = Day(31) });
        var weeksLeft = (await WeekItemsAsync(site.SiteId)).Select(i => i["sk"].S).ToList();
        var fromWeeks = await AnswersAsync(site, weeks: true);
        var fromDays = await AnswersAsync(site, weeks: false);

        Assert.Equal(HttpStatusCode.OK, erased.StatusCode);
        Assert.DoesNotContain(SummaryWeeks.SortKey(Monday.AddDays(28)), weeksLeft);
        Assert.Contains(SummaryWeeks.SortKey(Monday.AddDays(21)), weeksLeft);
        Assert.NotEqual(epoch, await EpochAsync(site.SiteId));
        Assert.NotEqual(before[0], fromDays[0]);
        Assert.Equal(fromDays, fromWeeks);
    }

    [Fact]
    public async Task An_import_into_the_empty_days_of_a_merged_week_is_counted_as_from_the_days()
    {
        // Native data starts on a Wednesday: the first week is merged with its empty Monday and Tuesday.
        var site = await SeedAsync(firstDay: 2);
        await AnswersAsync(site, weeks: true);
        var before = await AnswersAsync(site, weeks: false);
        var epoch = await EpochAsync(site.SiteId);

        var csv = $"""
            website_id,session_id,visit_id,event_id,hostname,browser,os,device,screen,language,country,url_path,url_query,utm_source,utm_medium,utm_campaign,utm_content,utm_term,referrer_path,referrer_query,referrer_domain,page_title,event_type,event_name,created_at
            w,s1,v1,e1,example.com,chrome,Mac OS,laptop,1440x900,en,DE,/,,,,,,,,,,Home,1,,{Day(0)} 18:00:00
            w,s1,v1,e2,example.com,chrome,Mac OS,laptop,1440x900,en,DE,/pricing,,,,,,,,,,Pricing,1,,{Day(0)} 18:01:30
            w,s2,v2,e3,example.com,ios,iOS,mobile,390x844,en,KR,/,,,,,,,,,,Home,1,,{Day(1)} 18:00:00
            """;
        using var admin = fixture.CreateAdminClient();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes(csv.Replace("\r\n", "\n")));
        content.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var imported = await admin.PostAsync($"/api/sites/{site.SiteId}/imports?source=umami", content);
        var fromWeeks = await AnswersAsync(site, weeks: true);
        var fromDays = await AnswersAsync(site, weeks: false);

        Assert.True(imported.StatusCode == HttpStatusCode.Created, await imported.Content.ReadAsStringAsync());
        Assert.NotEqual(epoch, await EpochAsync(site.SiteId));
        Assert.NotEqual(before[0], fromDays[0]);
        Assert.Equal(fromDays, fromWeeks);
    }

    [Fact]
    public async Task A_reset_leaves_only_a_new_epoch_and_site_deletion_leaves_nothing()
    {
        var site = await SeedAsync();
        await AnswersAsync(site, weeks: true);
        var epoch = await EpochAsync(site.SiteId);
        using var admin = fixture.CreateAdminClient();

        var reset = await admin.PostAsync($"/api/sites/{site.SiteId}/reset?confirm=Test%20site", null);
        var afterReset = await WeekItemsAsync(site.SiteId);
        var fromWeeks = await AnswersAsync(site, weeks: true);
        var fromDays = await AnswersAsync(site, weeks: false);
        await SeedAsync(site);
        await AnswersAsync(site, weeks: true);
        var rebuilt = await WeekItemsAsync(site.SiteId);
        var deleted = await admin.DeleteAsync($"/api/sites/{site.SiteId}?confirm=Test%20site");
        var afterDeletion = await WeekItemsAsync(site.SiteId);

        Assert.Equal(HttpStatusCode.OK, reset.StatusCode);
        Assert.Equal([SummaryWeeks.EpochSortKey], afterReset.Select(i => i["sk"].S));
        Assert.NotEqual(epoch, SummaryWeeks.EpochOf(afterReset[0]));
        Assert.Equal(fromDays, fromWeeks);
        Assert.True(rebuilt.Count > 1);
        Assert.Equal(HttpStatusCode.Accepted, deleted.StatusCode);
        Assert.Empty(afterDeletion);
    }

    [Fact]
    public async Task The_union_in_process_is_what_Redis_merges_sparse_and_dense()
    {
        var db = fixture.Redis.GetDatabase();
        var prefix = $"test:hllunion:{Guid.NewGuid():N}:";
        int[] sizes = [1, 40, 700, 3000, 30_000];
        var keys = new List<RedisKey>();
        for (var i = 0; i < sizes.Length; i++)
        {
            keys.Add(prefix + i.ToString(CultureInfo.InvariantCulture));
            var members = Enumerable.Range(0, sizes[i]).Select(n => (RedisValue)$"v{(n * 7) + i}").ToArray();
            foreach (var chunk in members.Chunk(1000))
            {
                await db.HyperLogLogAddAsync(keys[^1], chunk);
            }
        }

        try
        {
            foreach (var count in new[] { 2, 3, 4, 5 })
            {
                var parts = keys.Take(count).ToArray();
                var sketches = new List<byte[]>();
                foreach (var part in parts)
                {
                    sketches.Add((byte[])(await db.StringGetAsync(part))!);
                }

                var union = HyperLogLogUnion.Union(sketches);
                var mine = prefix + "mine" + count.ToString(CultureInfo.InvariantCulture);
                var merged = prefix + "merged" + count.ToString(CultureInfo.InvariantCulture);
                await db.StringSetAsync(mine, union);
                await db.HyperLogLogMergeAsync(merged, parts);
                keys.Add(mine);
                keys.Add(merged);

                Assert.Equal(await db.HyperLogLogLengthAsync(parts), await db.HyperLogLogLengthAsync(mine));
                Assert.Equal(HyperLogLogUnion.RegistersOf([(byte[])(await db.StringGetAsync(merged))!]), HyperLogLogUnion.RegistersOf([union]));
                Assert.Equal(count < 5 ? 1 : 0, union[4]); // sparse while that is smaller, dense once 30,000 visitors are in
            }
        }
        finally
        {
            await db.KeyDeleteAsync(keys.ToArray());
        }
    }

    private async Task<TestSite> SeedAsync(int firstDay = 0)
    {
        var site = await fixture.CreateAsync(timeZone: "America/New_York");
        await SeedAsync(site, firstDay);
        return site;
    }

    /// <summary>Eight weeks of summary days from <see cref="Monday"/>: day 10 without a row, week 3 with day 23 only,
    /// week 6 without any row; visitors overlap between days.</summary>
    private async Task SeedAsync(TestSite site, int firstDay = 0)
    {
        var data = new KnownDataset(fixture, site.SiteId);
        for (var d = firstDay; d < 56; d++)
        {
            if (d == 10 || (d >= 21 && d <= 27 && d != 23) || (d >= 42 && d <= 48))
            {
                continue;
            }

            await data.ItemAsync(Granularity.Day, RollupLayout.Summary, Day(d), "",
                M(pageviews: 10 + d, sessions: 3 + (d % 4), bounces: d % 3, durationMs: 1_000 * d),
                [$"v{d % 9}", $"w{d / 7}", $"u{d}"]);
        }
    }

    private async Task<List<string>> AnswersAsync(TestSite site, bool weeks)
    {
        await using var api = fixture.WithCountedDynamo(new DynamoCallCounter(),
            ("LiveInsight:Read:DisableCache", "true"), ("LiveInsight:Read:SummaryWeeks", weeks ? "true" : "false"));
        using var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", site.SecretKey);
        var answers = new List<string>();
        foreach (var (from, to) in Ranges)
        {
            answers.Add((await client.GetJsonAsync($"/api/stats/summary?site_id={site.SiteId}&from={Day(from)}&to={Day(to)}")).GetRawText());
        }

        return answers;
    }

    private static double Value(string summary, string metric) =>
        System.Text.Json.JsonDocument.Parse(summary).RootElement.GetProperty(metric).GetProperty("value").GetDouble();

    private async Task<List<Dictionary<string, AttributeValue>>> WeekItemsAsync(string siteId)
    {
        var response = await fixture.Dynamo.QueryAsync(new QueryRequest
        {
            TableName = fixture.TablePrefix + Tables.Stats.LogicalName,
            KeyConditionExpression = "pk = :pk",
            ExpressionAttributeValues = new() { [":pk"] = new() { S = SummaryWeeks.PartitionKey(siteId) } },
            ConsistentRead = true,
        });
        return response.Items ?? [];
    }

    private async Task<string> EpochAsync(string siteId) =>
        SummaryWeeks.EpochOf((await WeekItemsAsync(siteId)).FirstOrDefault(i => i["sk"].S == SummaryWeeks.EpochSortKey));
}
