using System.Globalization;
using System.Net;
using System.Text.Json;
using LiveInsight.Api.Imports;
using LiveInsight.Api.Ingestion;
using LiveInsight.Core.Stats;
using L = LiveInsight.Core.Stats.RollupLayout;

namespace LiveInsight.Api.Demo;

/// <summary>
/// Realistic traffic for the demo site (issue 23), the same on every run (seeded by the day): a weekly rhythm (quieter
/// weekends, a slow upward trend), sources, UTM campaigns, countries, devices, browsers, entry and exit pages, custom
/// events with props. History goes in as an import (<see cref="History"/>: day rollups, as a Plausible export would
/// give them); the last hours go through the real ingestion path (<see cref="Sessions"/>: one request per session,
/// from a visitor address and browser of its own, with deterministic event ids so a second run adds nothing).
/// </summary>
public static class DemoTraffic
{
    public const string SiteName = "Demo";
    public const string Domain = "demo.liveinsight.example";

    private static readonly (string Path, int Weight)[] Pages =
    [
        ("/", 30), ("/pricing", 14), ("/features", 10), ("/docs/getting-started", 9), ("/docs/api", 6), ("/blog/realtime-analytics", 8),
        ("/blog/privacy-first", 6), ("/signup", 7), ("/about", 4), ("/changelog", 3), ("/careers", 2), ("/contact", 1),
    ];

    private static readonly (string Source, string Medium, string? Referrer, string? UtmSource, string? UtmCampaign, int Weight)[] Sources =
    [
        ("Direct", "direct", null, null, null, 30), ("Google", "search", "www.google.com", null, null, 28),
        ("Bing", "search", "www.bing.com", null, null, 5), ("DuckDuckGo", "search", "duckduckgo.com", null, null, 4),
        ("Hacker News", "social", "news.ycombinator.com", null, null, 8), ("Reddit", "social", "www.reddit.com", null, null, 5),
        ("GitHub", "referral", "github.com", null, null, 6), ("newsletter", "email", null, "newsletter", "november-launch", 7),
        ("Twitter", "social", "t.co", "twitter", "launch-thread", 4), ("dev.to", "referral", "dev.to", null, null, 3),
    ];

    private static readonly (string Country, string IpPrefix, int Weight)[] Countries =
    [
        ("US", "3.80.", 30), ("DE", "85.214.", 12), ("GB", "81.2.", 9), ("KR", "211.234.", 9), ("FR", "90.84.", 7), ("JP", "133.242.", 7),
        ("IN", "49.36.", 8), ("BR", "177.67.", 6), ("CA", "24.48.", 5), ("NL", "145.100.", 4), ("AU", "1.120.", 3),
    ];

    private static readonly (string Device, string Browser, string Os, string UserAgent, int Weight)[] Clients =
    [
        ("Desktop", "Chrome", "Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", 34),
        ("Desktop", "Safari", "Mac OS X", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", 14),
        ("Desktop", "Firefox", "Linux", "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", 7),
        ("Desktop", "Edge", "Windows", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", 6),
        ("Mobile", "Mobile Safari", "iOS", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", 20),
        ("Mobile", "Chrome Mobile", "Android", "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", 15),
        ("Tablet", "Mobile Safari", "iOS", "Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", 4),
    ];

    private static readonly string[] Plans = ["free", "pro", "team"];

    /// <summary>One generated visit: what ingestion would see of it.</summary>
    public sealed record Visit(
        string Source, string Medium, string? Referrer, string? UtmSource, string? UtmCampaign, string Country, string IpPrefix,
        string Device, string Browser, string Os, string UserAgent, IReadOnlyList<(string Path, int Seconds)> Pages,
        IReadOnlyList<(string Name, int Seconds, Dictionary<string, string> Props)> Events);

    /// <summary>Visits on a day: about 420 on a weekday, 60 % of that at weekends, growing 0.4 % a day towards today.</summary>
    public static int VisitsOn(DateOnly day, DateOnly today)
    {
        var weekend = day.DayOfWeek is DayOfWeek.Saturday or DayOfWeek.Sunday ? 0.6 : 1.0;
        var trend = Math.Pow(1.004, -(today.DayNumber - day.DayNumber));
        var wobble = 0.85 + (0.3 * new Random(day.DayNumber).NextDouble());
        return (int)Math.Round(420 * weekend * trend * wobble);
    }

    public static Visit NewVisit(Random random)
    {
        var source = Pick(random, Sources, s => s.Weight);
        var country = Pick(random, Countries, c => c.Weight);
        var client = Pick(random, Clients, c => c.Weight);
        var pages = new List<(string, int)>();
        var count = random.NextDouble() < 0.42 ? 1 : 2 + random.Next(random.NextDouble() < 0.2 ? 6 : 3);
        var seconds = 0;
        var entry = source.UtmCampaign is not null ? "/blog/realtime-analytics" : Pick(random, Pages, p => p.Weight).Path;
        for (var i = 0; i < count; i++)
        {
            pages.Add((i == 0 ? entry : Pick(random, Pages, p => p.Weight).Path, seconds));
            seconds += 10 + random.Next(120);
        }

        var events = new List<(string, int, Dictionary<string, string>)>();
        if (pages.Any(p => p.Item1 == "/signup") && random.NextDouble() < 0.55)
        {
            events.Add(("Signup", seconds, new Dictionary<string, string> { ["plan"] = Plans[random.Next(Plans.Length)] }));
        }

        if (pages.Any(p => p.Item1.StartsWith("/docs", StringComparison.Ordinal)) && random.NextDouble() < 0.3)
        {
            events.Add(("Download", seconds, new Dictionary<string, string> { ["file"] = random.NextDouble() < 0.6 ? "sdk.zip" : "whitepaper.pdf" }));
        }

        if (count > 1 && random.NextDouble() < 0.12)
        {
            events.Add(("Outbound Link: Click", seconds, new Dictionary<string, string> { ["url"] = "https://github.com/liveinsight" }));
        }

        return new Visit(source.Source, source.Medium, source.Referrer, source.UtmSource, source.UtmCampaign, country.Country, country.IpPrefix,
            client.Device, client.Browser, client.Os, client.UserAgent, pages, events);
    }

    /// <summary>The day rollups of <paramref name="days"/>, as an import writes them (each visit its own visitor, as
    /// the daily salt makes them).</summary>
    public static ImportedRollups History(IEnumerable<DateOnly> days, DateOnly today)
    {
        var rollups = new ImportedRollups();
        foreach (var day in days)
        {
            var random = new Random(day.DayNumber);
            for (var v = VisitsOn(day, today); v > 0; v--)
            {
                Book(rollups, day, NewVisit(random));
            }
        }

        return rollups;
    }

    private static void Book(ImportedRollups into, DateOnly day, Visit visit)
    {
        var bounce = visit.Pages.Count <= 1 && visit.Events.Count == 0 ? 1 : 0;
        var durationMs = (visit.Events.Count > 0 ? visit.Events.Max(e => e.Seconds) : visit.Pages[^1].Seconds) * 1000L;
        (string, long)[] session = [(L.Sessions, 1), (L.Bounces, bounce), (L.DurationMs, durationMs), (L.Pageviews, visit.Pages.Count), (L.Visitors, 1)];
        into.Add(day, L.Summary, null, session);
        into.Add(day, L.Source, visit.Source, session);
        into.Add(day, L.Medium, visit.Medium, session);
        foreach (var (dimension, value) in new[] { (L.Referrer, visit.Referrer), (L.UtmSource, visit.UtmSource), (L.UtmCampaign, visit.UtmCampaign) })
        {
            if (value is not null)
            {
                into.Add(day, dimension, value, session);
            }
        }

        into.Add(day, L.Country, visit.Country, session);
        into.Add(day, L.Device, visit.Device, session);
        into.Add(day, L.Browser, visit.Browser, session);
        into.Add(day, L.Os, visit.Os, session);
        foreach (var path in visit.Pages.Select(p => p.Path).Distinct())
        {
            into.Add(day, L.Page, path, (L.Pageviews, visit.Pages.Count(p => p.Path == path)), (L.Visitors, 1),
                (L.EngagedMs, 25_000 + (path.Length * 1_500)), (L.EngagedViews, 1), (L.ScrollSum, 40 + (path.Length * 3 % 55)), (L.ScrollViews, 1));
        }

        into.Add(day, L.Page, visit.Pages[0].Path, (L.Entries, 1));
        into.Add(day, L.Page, visit.Pages[^1].Path, (L.Exits, 1));
        foreach (var (name, _, props) in visit.Events)
        {
            into.Add(day, L.Event, name, (L.Events, 1), (L.Visitors, 1));
            foreach (var (key, value) in props)
            {
                into.Add(day, L.Prop, L.PropValue(name, key, value), (L.Events, 1));
            }
        }
    }

    /// <summary>The visits of the last <paramref name="hours"/> hours as ingestion requests: one per visit, its events
    /// with ids derived from the hour and the visit (so a second run is dropped as duplicates).</summary>
    public static IEnumerable<(IncomingBatch Batch, IPAddress Ip, string UserAgent)> Sessions(DateTimeOffset now, int hours)
    {
        for (var h = hours; h >= 1; h--)
        {
            var hourStart = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(-h + 1);
            var hourOfDay = hourStart.Hour;
            var random = new Random(unchecked((int)(hourStart.ToUnixTimeSeconds() / 3600)));
            // Fewer visits at night (UTC): a day's ~420 visits spread over its hours.
            var perHour = (int)Math.Round(17.5 * (hourOfDay is >= 7 and <= 22 ? 1.3 : 0.45));
            for (var v = 0; v < perHour; v++)
            {
                var visit = NewVisit(random);
                var start = hourStart.AddSeconds(random.Next(3000));
                if (start.AddSeconds(visit.Pages[^1].Seconds + 60) > now || now - start > TimeSpan.FromHours(23))
                {
                    continue;
                }

                var session = $"demo{hourStart.ToUnixTimeSeconds() / 3600:x}{v:x2}";
                var events = new List<IncomingEvent>();
                string Url(string path) => $"https://{Domain}{path}" + (visit.UtmSource is null ? "" : $"?utm_source={visit.UtmSource}&utm_medium={visit.Medium}&utm_campaign={visit.UtmCampaign}");
                for (var p = 0; p < visit.Pages.Count; p++)
                {
                    events.Add(new IncomingEvent
                    {
                        Id = $"{session}p{p}",
                        EventType = "page_view",
                        PageUrl = p == 0 ? Url(visit.Pages[p].Path) : $"https://{Domain}{visit.Pages[p].Path}",
                        Referrer = p == 0 && visit.Referrer is { } referrer ? $"https://{referrer}/" : null,
                        Title = visit.Pages[p].Path,
                        SessionId = session,
                        Timestamp = start.AddSeconds(visit.Pages[p].Seconds).ToUnixTimeMilliseconds(),
                        ScreenWidth = visit.Device == "Desktop" ? 1920 : visit.Device == "Tablet" ? 820 : 390,
                    });
                    events.Add(new IncomingEvent
                    {
                        Id = $"{session}e{p}",
                        EventType = "engagement",
                        PageUrl = $"https://{Domain}{visit.Pages[p].Path}",
                        SessionId = session,
                        Timestamp = start.AddSeconds(visit.Pages[p].Seconds + 8).ToUnixTimeMilliseconds(),
                        EngagedMs = 5_000 + random.Next(40_000),
                        ScrollDepth = 30 + random.Next(71),
                    });
                }

                for (var e = 0; e < visit.Events.Count; e++)
                {
                    var (name, seconds, props) = visit.Events[e];
                    events.Add(new IncomingEvent
                    {
                        Id = $"{session}c{e}",
                        EventType = "custom",
                        Name = name,
                        PageUrl = $"https://{Domain}{visit.Pages[^1].Path}",
                        SessionId = session,
                        Timestamp = start.AddSeconds(seconds).ToUnixTimeMilliseconds(),
                        Props = props.ToDictionary(p => p.Key, p => JsonSerializer.SerializeToElement(p.Value)),
                    });
                }

                var ip = IPAddress.Parse(visit.IpPrefix + $"{random.Next(1, 250)}.{random.Next(1, 250)}");
                yield return (new IncomingBatch { Events = events }, ip, visit.UserAgent);
            }
        }
    }

    private static T Pick<T>(Random random, IReadOnlyList<T> items, Func<T, int> weight)
    {
        var total = items.Sum(weight);
        var roll = random.Next(total);
        foreach (var item in items)
        {
            roll -= weight(item);
            if (roll < 0)
            {
                return item;
            }
        }

        return items[^1];
    }

    public static string Day(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
