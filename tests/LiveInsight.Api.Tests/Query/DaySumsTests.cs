using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Api.Tests.Stats;
using LiveInsight.Api.Query;
using LiveInsight.Core.Lake;

namespace LiveInsight.Api.Tests.Query;

/// <summary>
/// The day sums (<see cref="LakeDaySums"/>) answer exactly what the scan answers. Each site's lake holds visitors whose
/// ids change at each UTC midnight, as the Api's do (a session crossing it changes id there too), in three zones: UTC,
/// Seoul (+9: every UTC day lies in two site-days) and New York across its DST change (a 25-hour site-day). Every
/// question is asked before the sums exist (the scan) and after (the sums for the whole UTC days, the scan for the
/// period's ragged ends), and the answers must be identical to the byte.
/// </summary>
[Collection(nameof(ApiCollection))]
public sealed class DaySumsTests(ApiFixture fixture)
{
    private static readonly DateOnly First = new(2026, 10, 28);
    private static readonly DateOnly Last = new(2026, 11, 3);
    private static readonly string Range = $"\"date_range\":[\"{First:yyyy-MM-dd}\",\"{Last:yyyy-MM-dd}\"]";

    /// <summary>Questions the sums answer, and two they must not (a second filter, a page goal): those are scanned.</summary>
    public static readonly string[] Questions =
    [
        "\"metrics\":[\"visitors\",\"events\",\"pageviews\"]",
        "\"metrics\":[\"visitors\",\"events\"],\"dimensions\":[\"event:props:author\"]",
        "\"metrics\":[\"visitors\",\"events\",\"conversion_rate\"],\"dimensions\":[\"visit:source\"],\"filters\":[[\"is\",\"event:goal\",[\"Signup\"]]]",
        "\"metrics\":[\"visitors\",\"conversion_rate\"],\"filters\":[[\"is\",\"event:goal\",[\"Signup\"]]]",
        "\"metrics\":[\"visitors\",\"percentage\"],\"dimensions\":[\"visit:country\"]",
        "\"metrics\":[\"visitors\",\"events\",\"percentage\"],\"dimensions\":[\"event:name\"]",
        "\"metrics\":[\"visitors\",\"events\"],\"dimensions\":[\"event:props:plan\"],\"filters\":[[\"is\",\"event:name\",[\"Signup\"]]]",
        "\"metrics\":[\"visitors\",\"pageviews\"],\"dimensions\":[\"visit:entry_page\"],\"order_by\":[[\"visitors\",\"asc\"]],\"pagination\":{\"limit\":3,\"offset\":1},\"include\":{\"total_rows\":true}",
        "\"metrics\":[\"visitors\",\"events\"],\"dimensions\":[\"visit:device\"],\"filters\":[[\"is\",\"event:name\",[\"pageview\"]]],\"include\":{\"comparisons\":{\"mode\":\"previous_period\"}}",
        "\"metrics\":[\"visitors\",\"events\"],\"dimensions\":[\"event:props:missing\"]",
        "\"metrics\":[\"visitors\",\"events\",\"percentage\"],\"dimensions\":[\"visit:source\"],\"filters\":[[\"is\",\"event:name\",[\"(none)\"]]]",
        "\"metrics\":[\"visitors\"],\"dimensions\":[\"visit:source\"],\"filters\":[[\"is\",\"visit:country\",[\"DE\"]],[\"is\",\"event:name\",[\"pageview\"]]]",
        "\"metrics\":[\"visitors\",\"conversion_rate\"],\"dimensions\":[\"visit:source\"],\"filters\":[[\"is\",\"event:goal\",[\"Any landing\"]]]",
    ];

    [Theory]
    [InlineData("UTC")]
    [InlineData("Asia/Seoul")]
    [InlineData("America/New_York")]
    public async Task The_sums_answer_exactly_what_the_scan_answers(string zone)
    {
        var site = await SeedAsync(zone);
        var funnel = await FunnelAsync(site);
        var funnelScanned = await AskFunnelAsync(site, funnel);
        var scanned = await AskAllAsync(site);
        Assert.Contains(scanned, a => a.Contains("\"Signup\"", StringComparison.Ordinal) || a.Contains("Google", StringComparison.Ordinal));

        var written = TestLake.WriteDaySums(fixture.LakeRoot, site.SiteId);
        Assert.True(written >= 9, $"{written} day sums written");
        Assert.NotEmpty(SumsFiles(site.SiteId));
        var summed = await AskAllAsync(site);
        for (var i = 0; i < Questions.Length; i++)
        {
            Assert.True(scanned[i] == summed[i], $"{zone}, question {i} ({Questions[i]}):\nscan: {scanned[i]}\nsums: {summed[i]}");
        }

        // A funnel without filters takes its all row (the period's visitors) from the sums: the same answer.
        Assert.Equal(funnelScanned.GetRawText(), (await AskFunnelAsync(site, funnel)).GetRawText());

        // Which way each question went: with every summed count doctored, the summed questions change, the last two not.
        foreach (var file in SumsFiles(site.SiteId))
        {
            Doctor(file, "true");
        }

        var doctored = await AskAllAsync(site);
        for (var i = 0; i < Questions.Length; i++)
        {
            Assert.True((i < Questions.Length - 2) == (doctored[i] != scanned[i]), $"{zone}, question {i} ({Questions[i]}) with doctored sums:\n{doctored[i]}");
        }

        // The funnel's all row comes from the sums, its steps from the events.
        var funnelDoctored = await AskFunnelAsync(site, funnel);
        Assert.NotEqual(funnelScanned.GetProperty("all_visitors").GetRawText(), funnelDoctored.GetProperty("all_visitors").GetRawText());
        Assert.Equal(funnelScanned.GetProperty("steps").GetRawText(), funnelDoctored.GetProperty("steps").GetRawText());
    }

    /// <summary>Funnels of each window, one passing a step's pattern twice: answered from per-day partials once the
    /// sums exist (the first query writes them, the next reads them), to the byte as the scan answered; with every
    /// partial's step counts doctored, the answers move, so they did come from the partials.</summary>
    [Theory]
    [InlineData("UTC")]
    [InlineData("Asia/Seoul")]
    [InlineData("America/New_York")]
    public async Task Funnel_partials_answer_exactly_what_the_scan_answers(string zone)
    {
        var site = await SeedAsync(zone);
        string[] steps =
        [
            "[{\"kind\":\"page\",\"path\":\"/landing/**\"},{\"kind\":\"page\",\"path\":\"/page/**\"},{\"kind\":\"event\",\"event_name\":\"Signup\"}]",
            "[{\"kind\":\"page\",\"path\":\"/landing/**\"},{\"kind\":\"page\",\"path\":\"/page/**\"},{\"kind\":\"page\",\"path\":\"/page/**\"},{\"kind\":\"event\",\"event_name\":\"Download\"}]",
            "[{\"kind\":\"page\",\"path\":\"/page/**\"},{\"kind\":\"event\",\"event_name\":\"Signup\",\"prop_key\":\"plan\",\"prop_value\":\"pro\"}]",
        ];
        var funnels = new List<string>();
        foreach (var (window, i) in new[] { "session", "1h", "7d" }.SelectMany(w => Enumerable.Range(0, steps.Length).Select(i => (w, i))))
        {
            funnels.Add(await FunnelAsync(site, $"{{\"name\":\"F {window} {i}\",\"window\":\"{window}\",\"steps\":{steps[i]}}}"));
        }

        var scanned = new List<string>();
        foreach (var funnel in funnels)
        {
            scanned.Add((await AskFunnelAsync(site, funnel)).GetRawText());
        }

        Assert.Contains(scanned, a => a.Contains("\"median_seconds\":", StringComparison.Ordinal) && !a.Contains("\"median_seconds\":null,\"", StringComparison.Ordinal));
        TestLake.WriteDaySums(fixture.LakeRoot, site.SiteId);
        Assert.Empty(SumsFiles(site.SiteId, partials: true));
        for (var pass = 0; pass < 2; pass++)
        {
            for (var i = 0; i < funnels.Count; i++)
            {
                var answer = (await AskFunnelAsync(site, funnels[i])).GetRawText();
                Assert.True(scanned[i] == answer, $"{zone}, funnel {i}, pass {pass}:\nscan:     {scanned[i]}\npartials: {answer}");
            }
        }

        // A partial per summed day and distinct funnel definition (the same steps and window share one).
        var partials = SumsFiles(site.SiteId, partials: true);
        Assert.True(partials.Count >= 9 * 5, $"{partials.Count} partials");
        foreach (var file in partials)
        {
            var doctored = file + ".doctored";
            TestLake.Query<int>($"COPY (SELECT * REPLACE (CASE WHEN kind = 'c' THEN n + 1000 ELSE n END AS n) FROM read_parquet('{file}')) TO '{doctored}' (FORMAT parquet)", _ => 0);
            File.Move(doctored, file, overwrite: true);
        }

        for (var i = 0; i < funnels.Count; i++)
        {
            var steps0 = JsonDocument.Parse(scanned[i]).RootElement.GetProperty("steps")[0].GetProperty("visitors").GetInt64();
            var doctored = (await AskFunnelAsync(site, funnels[i])).GetProperty("steps")[0].GetProperty("visitors").GetInt64();
            Assert.True(doctored >= steps0 + 1000, $"funnel {i}: {steps0} scanned, {doctored} with doctored partials");
        }

        // Partials go with their definition: a rename keeps them, a new window or a deletion removes that funnel's only.
        Assert.Equal(0, partials.Count % funnels.Count);
        var each = partials.Count / funnels.Count;
        using var client = fixture.CreateSiteClient(site);
        async Task PutAsync(string body)
        {
            using var put = await client.PutAsync($"/api/sites/{site.SiteId}/funnels/{funnels[0]}", new StringContent(body, Encoding.UTF8, "application/json"));
            Assert.True(put.IsSuccessStatusCode, await put.Content.ReadAsStringAsync());
        }

        await PutAsync($"{{\"name\":\"Renamed\",\"window\":\"session\",\"steps\":{steps[0]}}}");
        Assert.Equal(partials.Count, SumsFiles(site.SiteId, partials: true).Count);
        await PutAsync($"{{\"name\":\"Renamed\",\"window\":\"24h\",\"steps\":{steps[0]}}}");
        Assert.Equal(partials.Count - each, SumsFiles(site.SiteId, partials: true).Count);
        using (var deleted = await client.DeleteAsync($"/api/sites/{site.SiteId}/funnels/{funnels[1]}"))
        {
            Assert.True(deleted.IsSuccessStatusCode);
        }

        Assert.Equal(partials.Count - 2 * each, SumsFiles(site.SiteId, partials: true).Count);
    }

    private async Task<string> FunnelAsync(TestSite site, string body =
        "{\"name\":\"Landing to signup\",\"steps\":[{\"kind\":\"page\",\"path\":\"/landing/**\"},{\"kind\":\"event\",\"event_name\":\"Signup\"}]}")
    {
        using var client = fixture.CreateSiteClient(site);
        using var created = await client.PostAsync($"/api/sites/{site.SiteId}/funnels", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await created.Content.ReadAsStringAsync();
        Assert.True(created.IsSuccessStatusCode, text);
        return JsonDocument.Parse(text).RootElement.GetProperty("id").GetString()!;
    }

    private async Task<JsonElement> AskFunnelAsync(TestSite site, string funnel)
    {
        using var client = fixture.CreateSiteClient(site);
        using var response = await client.PostAsync($"/api/sites/{site.SiteId}/funnels/{funnel}/query", new StringContent($"{{{Range}}}", Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var answer = JsonDocument.Parse(text).RootElement;
        Assert.True(answer.GetProperty("all_visitors").GetInt64() > 0, text);
        return answer.Clone();
    }

    /// <summary>Adds 1,000 visitors to the rows of a sums file that <paramref name="where"/> picks (SQL over its columns).</summary>
    private static void Doctor(string file, string where)
    {
        var doctored = file + ".doctored";
        TestLake.Query<int>($"COPY (SELECT dim, value, name, visitors + CASE WHEN {where} THEN 1000 ELSE 0 END AS visitors, events, pageviews FROM read_parquet('{file}')) TO '{doctored}' (FORMAT parquet)", _ => 0);
        File.Move(doctored, file, overwrite: true);
    }

    /// <summary>The sums hold the values the query shows: each summed dimension's expression is the query's own.</summary>
    [Fact]
    public void The_sums_group_by_the_querys_own_expressions()
    {
        Assert.Equal(LakeDaySums.NameExpression, LiveInsight.Api.Query.QueryFields.EventDimensions["event:name"]);
        Assert.Equal(LakeDaySums.PropsPrefix, LiveInsight.Api.Query.QueryFields.PropsPrefix);
        Assert.All(LakeDaySums.Dimensions, d => Assert.Equal(LiveInsight.Api.Query.QueryFields.VisitDimensions[d.Key].Expression, d.Value));
    }

    /// <summary>The answer above could be the scan's twice; a doctored sums file shows in the answer, so the sums are
    /// what answered, and a changed events file (a re-compaction) makes the sums of its days unused at once.</summary>
    [Fact]
    public async Task The_sums_answer_while_they_match_the_files_and_not_after_a_file_changes()
    {
        var site = await SeedAsync("Asia/Seoul");
        var total = $"{Range},{Questions[0]}";
        var scanned = QueryApiTests.Rows(await QueryApiTests.QueryAsync(fixture, site, total));
        var ahead = $"\"date_range\":[\"{First:yyyy-MM-dd}\",\"{Last.AddDays(40):yyyy-MM-dd}\"],{Questions[0]}";
        var aheadScanned = Visitors(QueryApiTests.Rows(await QueryApiTests.QueryAsync(fixture, site, ahead)));
        TestLake.WriteDaySums(fixture.LakeRoot, site.SiteId);

        // Add 1,000 visitors to one UTC day's total row.
        var file = SumsFiles(site.SiteId).Single(f => f.Contains($"day={First.AddDays(2):yyyy-MM-dd}", StringComparison.Ordinal));
        Doctor(file, "dim = '' AND name IS NULL");
        var withDoctored = QueryApiTests.Rows(await QueryApiTests.QueryAsync(fixture, site, total));
        Assert.Equal(Visitors(scanned) + 1000, Visitors(withDoctored));
        // A period reaching 40 days past the data (a "month" or "year" still going on) while the last day still takes
        // parts: the days between cannot be summed, and the 40 empty days ahead must not outweigh the summed ones.
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Seoul");
        var part = Path.Combine(LakeLayout.SitePartition(fixture.LakeRoot, site.SiteId, Last), "part-1-1.parquet");
        TestLake.Write(fixture.LakeRoot, site.SiteId, zone, Path.GetFileName(part), [new LakeRow("part-event", Last.ToDateTime(new TimeOnly(12, 0)), Id(Last, 8888), "part-session")]);
        Assert.Equal(aheadScanned + 1 + 1000, Visitors(QueryApiTests.Rows(await QueryApiTests.QueryAsync(fixture, site, ahead))));
        File.Delete(part);

        // A covering day's compact file rewritten with one more event: the version no longer matches, the day is scanned.
        var day = DateOnly.ParseExact(Path.GetFileName(Path.GetDirectoryName(file)!)["day=".Length..], "yyyy-MM-dd");
        var local = day.ToDateTime(new TimeOnly(12, 0));
        var extra = Rows(zone).Where(r => DateOnly.FromDateTime(r.Local) == day)
            .Append(new LakeRow("extra-event", local, Id(day, 9999), "extra-session")).OrderBy(r => r.Local).ToList();
        TestLake.Write(fixture.LakeRoot, site.SiteId, zone, LakeLayout.CompactFile, extra);
        var after = QueryApiTests.Rows(await QueryApiTests.QueryAsync(fixture, site, total));
        Assert.Equal(Visitors(scanned) + 1, Visitors(after));

        // The compactor's pass deletes the stale sums and writes the new version.
        TestLake.WriteDaySums(fixture.LakeRoot, site.SiteId);
        Assert.DoesNotContain(file, SumsFiles(site.SiteId));
        Assert.Equal(Visitors(scanned) + 1, Visitors(QueryApiTests.Rows(await QueryApiTests.QueryAsync(fixture, site, total))));
    }

    /// <summary>A UTC day inside the period whose files hold none of its events adds no row: a props breakdown where
    /// every event has the key shows no "(none)" (a grouping over no rows still makes a row of zeros).</summary>
    [Fact]
    public async Task A_day_without_events_adds_no_row()
    {
        var site = await fixture.CreateAsync(timeZone: "UTC");
        var rows = new List<LakeRow>();
        for (var d = First; d <= Last; d = d.AddDays(1))
        {
            if (d == First.AddDays(3))
            {
                continue;
            }

            rows.Add(new LakeRow($"e{d:MMdd}", d.ToDateTime(new TimeOnly(10, 0)), Id(d, 1), $"s{d:MMdd}") { Props = new Dictionary<string, string> { ["k"] = "v" } });
        }

        TestLake.Write(fixture.LakeRoot, site.SiteId, TimeZoneInfo.Utc, LakeLayout.CompactFile, rows);
        var question = $"{Range},\"metrics\":[\"visitors\",\"events\"],\"dimensions\":[\"event:props:k\"],\"include\":{{\"total_rows\":true}}";
        var scanned = (await QueryApiTests.QueryAsync(fixture, site, question)).GetRawText();
        Assert.True(TestLake.WriteDaySums(fixture.LakeRoot, site.SiteId) > 0);
        var summed = await QueryApiTests.QueryAsync(fixture, site, question);
        Assert.Equal(["v = 6,6"], QueryApiTests.Rows(summed));
        Assert.Equal(scanned, summed.GetRawText());
    }

    /// <summary>Ids not of the Api's form (an import, a test writing by hand) may repeat across days: such days get a
    /// marker, never sums, and are scanned.</summary>
    [Fact]
    public async Task Days_with_ids_not_made_by_the_Api_get_no_sums()
    {
        var site = await fixture.CreateAsync(timeZone: "UTC");
        var rows = new List<LakeRow>();
        for (var d = First; d <= Last; d = d.AddDays(1))
        {
            rows.Add(new LakeRow($"e{d:MMdd}", d.ToDateTime(new TimeOnly(10, 0)), "same-visitor-every-day", $"s{d:MMdd}"));
        }

        TestLake.Write(fixture.LakeRoot, site.SiteId, TimeZoneInfo.Utc, LakeLayout.CompactFile, rows);
        TestLake.WriteDaySums(fixture.LakeRoot, site.SiteId);
        // The days with events get the marker; the days either side (files near them, no event of theirs) sums of nothing.
        var files = SumsFiles(site.SiteId);
        for (var d = First; d <= Last; d = d.AddDays(1))
        {
            var file = Assert.Single(files, f => f.Contains($"day={d:yyyy-MM-dd}", StringComparison.Ordinal));
            Assert.EndsWith($"{LakeDaySums.NoneSuffix}.parquet", file, StringComparison.Ordinal);
        }
        Assert.Equal(["= 1,7"], QueryApiTests.Rows(await QueryApiTests.QueryAsync(fixture, site, $"{Range},\"metrics\":[\"visitors\",\"events\"]")));
    }

    private static long Visitors(List<string> rows) => long.Parse(rows.Single()[2..].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The site's sums files, or with <paramref name="partials"/> its funnels' partials.</summary>
    private List<string> SumsFiles(string siteId, bool partials = false)
    {
        var folder = Path.Combine(fixture.LakeRoot, LakeDaySums.SiteKeyPrefix(siteId));
        return Directory.Exists(folder)
            ? Directory.EnumerateFiles(folder, "*.parquet", SearchOption.AllDirectories).Where(f => f.Contains(LakeDaySums.FunnelSuffixPrefix, StringComparison.Ordinal) == partials)
                .Order(StringComparer.Ordinal).ToList()
            : [];
    }

    private async Task<List<string>> AskAllAsync(TestSite site)
    {
        var answers = new List<string>();
        foreach (var question in Questions)
        {
            var answer = await QueryApiTests.QueryAsync(fixture, site, $"{Range},{question}");
            answers.Add(answer.GetProperty("results").GetRawText() + answer.GetProperty("meta").GetRawText());
        }

        return answers;
    }

    private async Task<TestSite> SeedAsync(string zoneId)
    {
        var site = await fixture.CreateAsync(timeZone: zoneId);
        using (var admin = fixture.CreateAdminClient())
        {
            (await admin.PostAsJsonAsync($"/api/sites/{site.SiteId}/goals", new { kind = "event", event_name = "Signup" })).EnsureSuccessStatusCode();
            (await admin.PostAsJsonAsync($"/api/sites/{site.SiteId}/goals", new { kind = "page", path = "/landing/**", display_name = "Any landing" })).EnsureSuccessStatusCode();
        }

        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        TestLake.Write(fixture.LakeRoot, site.SiteId, zone, LakeLayout.CompactFile, Rows(zone));
        return site;
    }

    /// <summary>An id as the Api makes them: 16 hex characters, new for each UTC day.</summary>
    private static string Id(DateOnly utcDay, int visitor) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{utcDay:yyyy-MM-dd}/{visitor}"))[..8]);

    /// <summary>Visitors over the period and two days either side: 1–2 sessions a UTC day each (some with two visitor
    /// ids), 1–5 events 1–40 minutes
    /// apart (to the millisecond) (so sessions cross midnights), visit attributes fixed per session, props on some events.</summary>
    private static List<LakeRow> Rows(TimeZoneInfo zone)
    {
        var random = new Random(17);
        string? Pick(params string?[] values) => values[random.Next(values.Length)];
        var rows = new List<LakeRow>();
        var n = 0;
        for (var utcDay = First.AddDays(-2); utcDay <= Last.AddDays(2); utcDay = utcDay.AddDays(1))
        {
            for (var visitor = 0; visitor < 30; visitor++)
            {
                for (var session = random.Next(1, 3); session > 0; session--)
                {
                    var at = new DateTimeOffset(utcDay.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero).AddMinutes(random.Next(0, 24 * 60));
                    var (source, country, device) = (Pick(null, "Google", "Bing", "Twitter"), Pick("US", "DE", "KR"), Pick("Desktop", "Mobile"));
                    var sessionId = $"s{n++}";
                    // One session in four changes network midway (the id is a hash of IP and user agent): from then on
                    // its events carry another visitor's id, one session with two visitors.
                    var (id, switchAt) = (visitor, random.Next(4) == 0 ? random.Next(1, 5) : -1);
                    for (var e = random.Next(1, 6); e > 0; e--)
                    {
                        if (e == switchAt)
                        {
                            id = (visitor + 7) % 30;
                        }

                        var eventDay = DateOnly.FromDateTime(at.UtcDateTime);
                        var kind = random.Next(10);
                        // Custom events may be unnamed or named like what event:name shows for others ("pageview", "(none)").
                        var (type, name) = kind switch { 0 => ("custom", "Signup"), 1 => ("custom", "Download"), 2 => ("custom", Pick(null, "pageview", "(none)")), 3 => ("engagement", null), _ => ("page_view", null) };
                        var props = type == "custom" ? new Dictionary<string, string> { ["plan"] = Pick("free", "pro")! }
                            : type == "page_view" && random.Next(3) == 0 ? new Dictionary<string, string> { ["author"] = Pick("ann", "bob", "cy")! } : null;
                        rows.Add(new LakeRow($"e{n++}", TimeZoneInfo.ConvertTime(at, zone).DateTime, Id(eventDay, id), sessionId, type,
                            type == "page_view" ? Pick("/landing/a", "/landing/b", "/page/1", "/page/2") : null)
                        {
                            Name = name, Source = source, Referrer = source is null ? null : source.ToLowerInvariant() + ".com", Country = country, Device = device, Props = props,
                        });
                        at = at.AddMilliseconds(random.Next(60_000, 2_400_000)); // 1 to 40 minutes, to the millisecond
                    }
                }
            }
        }

        // And on a day well inside the period, one such session by construction: visitor 900 lands at 10:00, changes
        // network (visitor 901's id from then on), lands again, reads a page and signs up; visitor 900 also has a session
        // across midnight. A funnel counts the session once, as 900's (its first landing): never as 901's, never split.
        var day = First.AddDays(3);
        DateTime Local(int hour, int minute, int dayOffset = 0) =>
            TimeZoneInfo.ConvertTime(new DateTimeOffset(day.AddDays(dayOffset).ToDateTime(new TimeOnly(hour, minute)), TimeSpan.Zero), zone).DateTime;
        rows.Add(new LakeRow("two-1", Local(10, 0), Id(day, 900), "two", "page_view", "/landing/a") { Source = "Google", Country = "US", Device = "Desktop" });
        rows.Add(new LakeRow("two-2", Local(10, 10), Id(day, 901), "two", "page_view", "/landing/b") { Source = "Google", Country = "US", Device = "Desktop" });
        rows.Add(new LakeRow("two-3", Local(10, 20), Id(day, 901), "two", "page_view", "/page/1") { Source = "Google", Country = "US", Device = "Desktop" });
        rows.Add(new LakeRow("two-4", Local(10, 30), Id(day, 901), "two", "custom", null) { Name = "Signup", Source = "Google", Country = "US", Device = "Desktop" });
        rows.Add(new LakeRow("late-1", Local(23, 50), Id(day, 900), "late", "page_view", "/landing/a") { Source = "Bing", Country = "DE", Device = "Mobile" });
        rows.Add(new LakeRow("late-2", Local(0, 10, 1), Id(day.AddDays(1), 900), "late", "page_view", "/page/2") { Source = "Bing", Country = "DE", Device = "Mobile" });
        return rows.OrderBy(r => r.Local).ToList();
    }
}
