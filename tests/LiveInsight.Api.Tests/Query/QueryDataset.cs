using System.Net.Http.Json;
using LiveInsight.Api.Tests.Infrastructure;

namespace LiveInsight.Api.Tests.Query;

/// <summary>
/// A small known lake for site A (Europe/Berlin, UTC+1 in November) and site B, local times:
/// <code>
/// S1 V1 11-10 10:00 pv /  10:01 pv /pricing  10:03 custom Signup /pricing {plan: pro}   Google, DE, Desktop, Chrome, Windows, utm google/cpc/fall
/// S2 V2 11-10 23:59:30 pv /blog   11-11 00:00:30 pv /                                  (direct), US, Mobile, Safari, iOS
/// S3 V1 11-11 09:00 pv /blog                                                             Twitter, DE, Desktop, Firefox, Linux
/// S4 V3 11-11 12:00 pv /pricing  12:00:40 engagement                                     Google, FR, Mobile, Chrome, Android
/// S5 V4 11-11 15:00 custom Download /docs {file: a.pdf}                                 (direct), DE, Desktop, Edge, Windows
/// S6 V5 11-09 23:30 pv /old        (before the range in Berlin, on 11-09 22:30 UTC)
/// S7 V6 11-12 00:10 pv /late       (after the range in Berlin, though 11-11 23:10 UTC)
/// site B: V9 11-10 12:00 pv /  and 11-11 12:00 pv /b
/// </code>
/// Files: 11-10 compact.parquet (S1, S2's first) + part-1 (S1's /pricing again); 11-11 part-a (S3, S4) + part-b (S2's
/// second, S5, and S3's event again). So for 11-10..11-11: visitors 4, visits 5, pageviews 6, events 8, bounces S3 and
/// S4 (40 %), durations 180 + 60 + 0 + 0 + 0 s (mean 48), views per visit 1.2.
/// Site A's goals: "Visit /pricing" (page /pricing: e1b V1, e4a V3), "Signup" (event: e1c V1), "Pro signup" (Signup with
/// plan=pro: e1c), "Visit /b*" (page: e2a V2, e3a V1), and three that convert nothing: "B download" (Download with
/// file=b.pdf), "Regex-looking" (page /p(r|x)i.+ing, literally) and an event named like SQL.
/// </summary>
/// <para>Site E holds the engagement of the aggregator's EngagementTests (issue 16) on 2026-11-20, the events whose
/// /api/stats/pages answer is /a 12 s and 55 %, /b 6 s and 100 %, the site 10 s and 70 %.</para>
/// <para>Site C has one visit per acquisition channel on 2026-11-21 (see <c>Channels</c> in QueryApiTests).</para>
public sealed record QueryDataset(TestSite A, TestSite B, TestSite E, TestSite C)
{
    public static readonly TimeZoneInfo Berlin = TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");

    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static QueryDataset? shared;

    public static async Task<QueryDataset> GetAsync(ApiFixture fixture)
    {
        await Gate.WaitAsync();
        try
        {
            return shared ??= await CreateAsync(fixture);
        }
        finally
        {
            Gate.Release();
        }
    }

    private static async Task<QueryDataset> CreateAsync(ApiFixture fixture)
    {
        var a = await fixture.CreateAsync(timeZone: "Europe/Berlin");
        var b = await fixture.CreateAsync(timeZone: "Europe/Berlin");
        static DateTime T(int day, int h, int m, int s = 0) => new(2026, 11, day, h, m, s);
        var s1 = new Func<string, DateTime, string, LakeRow>((id, t, path) => new LakeRow(id, t, "V1", "S1", "page_view", path)
        {
            Source = "Google", Referrer = "google.com", Country = "DE", Device = "Desktop", Browser = "Chrome", Os = "Windows",
            UtmSource = "google", UtmMedium = "cpc", UtmCampaign = "fall",
        });
        var s1Pricing = s1("e1b", T(10, 10, 1), "/pricing");
        var s1Signup = s1("e1c", T(10, 10, 3), "/pricing") with { Type = "custom", Name = "Signup", Props = new Dictionary<string, string> { ["plan"] = "pro" } };
        var s2 = new LakeRow("e2a", T(10, 23, 59, 30), "V2", "S2", "page_view", "/blog") { Country = "US", Device = "Mobile", Browser = "Safari", Os = "iOS" };
        var s2Next = s2 with { EventId = "e2b", Local = T(11, 0, 0, 30), Path = "/" };
        var s3 = new LakeRow("e3a", T(11, 9, 0), "V1", "S3", "page_view", "/blog")
        {
            Source = "Twitter", Referrer = "t.co", Country = "DE", Device = "Desktop", Browser = "Firefox", Os = "Linux",
        };
        var s4 = new LakeRow("e4a", T(11, 12, 0), "V3", "S4", "page_view", "/pricing")
        {
            Source = "Google", Referrer = "google.com", Country = "FR", Device = "Mobile", Browser = "Chrome", Os = "Android",
        };
        var s4Engaged = s4 with { EventId = "e4b", Local = T(11, 12, 0, 40), Type = "engagement", EngagedMs = 40_000 };
        var s5 = new LakeRow("e5a", T(11, 15, 0), "V4", "S5", "custom", "/docs")
        {
            Name = "Download", Country = "DE", Device = "Desktop", Browser = "Edge", Os = "Windows", Props = new Dictionary<string, string> { ["file"] = "a.pdf" },
        };

        using (var admin = fixture.CreateAdminClient())
        {
            foreach (var goal in new object[]
                     {
                         new { kind = "page", path = "/pricing" }, new { kind = "event", event_name = "Signup" },
                         new { kind = "event", event_name = "Signup", prop_key = "plan", prop_value = "pro", display_name = "Pro signup" },
                         new { kind = "page", path = "/b*" }, new { kind = "event", event_name = "Download", prop_key = "file", prop_value = "b.pdf", display_name = "B download" },
                         // Values are data: as a regex this would match /pricing, as SQL text it would match every event.
                         new { kind = "page", path = "/p(r|x)i.+ing", display_name = "Regex-looking" }, new { kind = "event", event_name = "x' OR '1'='1" },
                     })
            {
                (await admin.PostAsJsonAsync($"/api/sites/{a.SiteId}/goals", goal)).EnsureSuccessStatusCode();
            }
        }

        var root = fixture.LakeRoot;
        TestLake.Write(root, a.SiteId, Berlin, "compact.parquet", [s1("e1a", T(10, 10, 0), "/"), s1Pricing, s1Signup, s2]);
        TestLake.Write(root, a.SiteId, Berlin, "part-1-0-2-0.parquet", [s1Pricing]);
        TestLake.Write(root, a.SiteId, Berlin, "part-3-0-4-0.parquet", [s3, s4, s4Engaged]);
        TestLake.Write(root, a.SiteId, Berlin, "part-5-0-6-0.parquet", [s2Next, s5, s3]);
        TestLake.Write(root, a.SiteId, Berlin, "compact.parquet", [new LakeRow("e6a", T(9, 23, 30), "V5", "S6", "page_view", "/old")]);
        TestLake.Write(root, a.SiteId, Berlin, "compact.parquet", [new LakeRow("e7a", T(12, 0, 10), "V6", "S7", "page_view", "/late")]);
        TestLake.Write(root, b.SiteId, Berlin, "compact.parquet",
            [new LakeRow("e9a", T(10, 12, 0), "V9", "S9"), new LakeRow("e9b", T(11, 12, 0), "V9", "S9b", "page_view", "/b")]);
        var e = await fixture.CreateAsync(timeZone: "Europe/Berlin");
        LakeRow View(string id, int minute, string visitor, string session, string path) => new(id, T(20, 10, minute), visitor, session, "page_view", path);
        LakeRow Engage(string id, int minute, string visitor, string session, string path, long ms, int depth) =>
            new(id, T(20, 10, minute), visitor, session, "engagement", path) { EngagedMs = ms, ScrollDepth = depth };
        TestLake.Write(root, e.SiteId, Berlin, "compact.parquet",
        [
            View("x1", 0, "v1", "S1", "/a"), Engage("x2", 1, "v1", "S1", "/a", 10_000, 40), Engage("x3", 2, "v1", "S1", "/a", 5_000, 80),
            Engage("x4", 3, "v1", "S1", "/a", 3_000, 80), View("x5", 4, "v2", "S2", "/a"), Engage("x6", 5, "v2", "S2", "/a", 6_000, 30),
            View("x7", 6, "v3", "S3", "/a"), View("x8", 7, "v1", "S1", "/b"), Engage("x9", 8, "v1", "S1", "/b", 4_000, 100),
            Engage("x10", 9, "v1", "S1", "/b", 2_000, 100),
        ]);
        var c = await fixture.CreateAsync(timeZone: "Europe/Berlin");
        LakeRow Visit(int n, string? source, string? utmSource, string? utmMedium, string? campaign = null) =>
            new($"c{n}", T(21, 9, n), $"cv{n}", $"CS{n}") { Source = source, UtmSource = utmSource, UtmMedium = utmMedium, UtmCampaign = campaign };
        TestLake.Write(root, c.SiteId, Berlin, "compact.parquet",
        [
            Visit(1, "newsletter", "newsletter", "email"), Visit(2, "Facebook", "fb", "paid-social"), Visit(3, "Reddit", null, null),
            Visit(4, "ads.example", "ads.example", "display"), Visit(5, "Google", "google", "cpc", "spring_cross-network"),
            Visit(6, "Bing", "bing", "cpc"), Visit(7, "partner.example", "partner.example", "affiliate"), Visit(8, "sms", "sms", "text"),
            Visit(9, "partner.example", "partner.example", "banner-cpc"), Visit(10, null, null, null),
        ]);
        return new QueryDataset(a, b, e, c);
    }
}
