using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Stats;
using LiveInsight.Core.Lake;

namespace LiveInsight.Api.Tests.Query;

/// <summary>
/// Compact files of days well inside a query's period are read without the <c>ts</c> bounds (<c>LakeSelection.Inside</c>),
/// which holds only while every event of such a day lies in the period. The extreme case: a site whose events were
/// written under UTC+14 (their files' days are +14 days) and whose zone is now UTC−12, 26 hours apart. Each day's file holds
/// an event at 00:30 and at 23:30 (+14), and the answers are the events whose ts lies in the −12 period, counted from the
/// events themselves: the file of the period's second day starts 1.5 h before the period does, so reading it without
/// bounds would count its 00:30 event.
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class QueryInsideDaysTests(ApiFixture fixture)
{
    private static readonly TimeZoneInfo Written = TimeZoneInfo.FindSystemTimeZoneById("Pacific/Kiritimati"); // UTC+14
    private static readonly TimeZoneInfo Now = TimeZoneInfo.FindSystemTimeZoneById("Etc/GMT+12"); // UTC−12
    private static readonly DateOnly First = new(2026, 11, 10);
    private static readonly DateOnly Last = new(2026, 11, 16);

    [Theory]
    [InlineData("events", "\"metrics\":[\"events\"]")]
    [InlineData("with a visit filter (stamped scan)", "\"metrics\":[\"events\"],\"filters\":[[\"is\",\"visit:country\",[\"NZ\"]]]")]
    [InlineData("with a props dimension", "\"metrics\":[\"events\"],\"dimensions\":[\"event:props:k\"]")]
    public async Task Days_read_without_bounds_hold_only_events_of_the_period(string name, string query)
    {
        var (site, expected) = await SiteAsync();
        var answer = QueryApiTests.Rows(await QueryApiTests.QueryAsync(fixture, site, $"\"date_range\":[\"{First:yyyy-MM-dd}\",\"{Last:yyyy-MM-dd}\"],{query}"));
        Assert.True(answer.SequenceEqual([query.Contains("props", StringComparison.Ordinal) ? $"v = {expected}" : $"= {expected}"]),
            $"{name}: expected {expected} events, got [{string.Join("; ", answer)}]");
    }

    /// <summary>A funnel reads every file of the range, inside days without bounds too: each event is its own visitor's
    /// session on "/", so step 1 has as many visitors as the period has events.</summary>
    [Fact]
    public async Task A_funnel_counts_only_the_events_of_the_period()
    {
        var (site, expected) = await SiteAsync();
        using var client = fixture.CreateSiteClient(site);
        using var created = await client.PostAsync($"/api/sites/{site.SiteId}/funnels", new StringContent(
            "{\"name\":\"Inside\",\"steps\":[{\"kind\":\"page\",\"path\":\"/**\"},{\"kind\":\"event\",\"event_name\":\"Never\"}]}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(System.Net.HttpStatusCode.Created, created.StatusCode);
        var id = System.Text.Json.JsonDocument.Parse(await created.Content.ReadAsStringAsync()).RootElement.GetProperty("id").GetString();
        using var response = await client.PostAsync($"/api/sites/{site.SiteId}/funnels/{id}/query", new StringContent(
            $"{{\"date_range\":[\"{First:yyyy-MM-dd}\",\"{Last:yyyy-MM-dd}\"]}}", System.Text.Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var steps = System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("steps").EnumerateArray().Select(s => s.GetProperty("visitors").GetInt32()).ToList();
        Assert.Equal([expected, 0], steps);
    }

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static (TestSite Site, int Expected)? shared;

    private async Task<(TestSite Site, int Expected)> SiteAsync()
    {
        await Gate.WaitAsync();
        try
        {
            return shared ??= await CreateAsync();
        }
        finally
        {
            Gate.Release();
        }
    }

    private async Task<(TestSite Site, int Expected)> CreateAsync()
    {
        var site = await fixture.CreateAsync(timeZone: "Etc/GMT+12");
        var rows = new List<LakeRow>();
        for (var day = First.AddDays(-1); day <= Last.AddDays(1); day = day.AddDays(1))
        {
            foreach (var (hour, minute) in new[] { (0, 30), (23, 30) })
            {
                var local = day.ToDateTime(new TimeOnly(hour, minute));
                rows.Add(new LakeRow($"e{day:MMdd}{hour:D2}", local, $"V{day:MMdd}{hour}", $"S{day:MMdd}{hour}") { Country = "NZ", Props = new Dictionary<string, string> { ["k"] = "v" } });
            }
        }

        TestLake.Write(fixture.LakeRoot, site.SiteId, Written, LakeLayout.CompactFile, rows);
        var from = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(First.ToDateTime(TimeOnly.MinValue), Now)).ToUnixTimeMilliseconds();
        var to = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(Last.AddDays(1).ToDateTime(TimeOnly.MinValue), Now)).ToUnixTimeMilliseconds();
        var expected = rows.Count(r =>
        {
            var ts = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(r.Local, DateTimeKind.Unspecified), Written)).ToUnixTimeMilliseconds();
            return ts >= from && ts < to;
        });
        Assert.InRange(expected, 1, rows.Count - 3); // the period's edges do cut some events off
        return (site, expected);
    }
}
