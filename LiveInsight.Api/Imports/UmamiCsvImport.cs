using System.Globalization;
using LiveInsight.Api.Ingestion.Enrichment;
using LiveInsight.Core.Stats;
using L = LiveInsight.Core.Stats.RollupLayout;

namespace LiveInsight.Api.Imports;

/// <summary>
/// Umami's data export (Website → Settings → Data → Export): one CSV row per event of the <c>website_event</c> table
/// (with the session's columns beside it). Columns are found by name; needed are <c>session_id</c>, <c>visit_id</c>,
/// <c>created_at</c> (UTC), <c>url_path</c> and <c>event_type</c> (1 page view, 2 custom event); the rest
/// (<c>event_name</c>, <c>referrer_domain</c>, <c>utm_*</c>, <c>browser</c>, <c>os</c>, <c>device</c>, <c>country</c>) is
/// used when present. Visits become sessions as ours are: day, source, device… of their first event, bounce = one page
/// view, duration = last event − first, entry and exit = first and last page view. Visitors are distinct session ids per
/// site-local day (Umami's own count). Per-visit and per-value state is bounded by the upload's size cap.
/// </summary>
public static class UmamiCsvImport
{
    private sealed class Visit
    {
        public long First = long.MaxValue;
        public long Last = long.MinValue;
        public long FirstPageTs = long.MaxValue;
        public long LastPageTs = long.MinValue;
        public string? Entry;
        public string? Exit;
        public long Pageviews;
        public string Session = "";
        public Dictionary<string, string?> Attributes = [];
    }

    private static readonly (string Dimension, string Column)[] VisitColumns =
    [
        (L.Referrer, "referrer_domain"), (L.UtmSource, "utm_source"), (L.UtmMedium, "utm_medium"), (L.UtmCampaign, "utm_campaign"),
        (L.Browser, "browser"), (L.Os, "os"), (L.Device, "device"), (L.Country, "country"),
    ];

    public static void Read(CsvRows csv, TimeZoneInfo zone, ImportedRollups into)
    {
        var session = csv.RequireColumn("session_id");
        var visitColumn = csv.RequireColumn("visit_id");
        var created = csv.RequireColumn("created_at");
        var path = csv.RequireColumn("url_path");
        var type = csv.RequireColumn("event_type");
        var name = csv.Column("event_name");
        var hostname = csv.Column("hostname");
        var attributes = VisitColumns.Select(v => (v.Dimension, Index: csv.Column(v.Column))).Where(v => v.Index is not null).ToList();
        var visits = new Dictionary<string, Visit>(StringComparer.Ordinal);
        var dayVisitors = new Dictionary<(DateOnly Day, string Dimension, string Value), HashSet<string>>();
        while (csv.Next() is { } row)
        {
            if (row.Count <= Math.Max(Math.Max(session, visitColumn), Math.Max(Math.Max(created, path), type)))
            {
                throw csv.Error("the line has fewer fields than the header.");
            }

            var ts = Timestamp(csv, row[created]);
            var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(ts), zone).DateTime);
            var visit = visits.TryGetValue(row[visitColumn], out var known) ? known : visits[Capped(csv, row[visitColumn], "visit_id")] = new Visit();
            visit.Session = row[session];
            if (ts < visit.First)
            {
                visit.First = ts;
                visit.Attributes = attributes.ToDictionary(a => a.Dimension, a => Value(a.Dimension, row[a.Index!.Value]));
                // The source and medium as ingestion classifies them ("Google" / "search"), from the referrer and UTM.
                var referrer = visit.Attributes.GetValueOrDefault(L.Referrer);
                var traffic = ReferrerClassifier.Classify(
                    referrer is null ? null : "https://" + referrer,
                    hostname is { } h && row.Count > h ? row[h].Trim() : "",
                    new Utm(visit.Attributes.GetValueOrDefault(L.UtmSource), visit.Attributes.GetValueOrDefault(L.UtmMedium),
                        visit.Attributes.GetValueOrDefault(L.UtmCampaign), null, null));
                visit.Attributes[L.Source] = traffic.Source;
                visit.Attributes[L.Medium] = traffic.Medium;
            }

            visit.Last = Math.Max(visit.Last, ts);
            switch (row[type].Trim())
            {
                case "1":
                    var page = row[path].Trim().Length == 0 ? "/" : row[path].Trim();
                    visit.Pageviews++;
                    if (ts < visit.FirstPageTs)
                    {
                        (visit.FirstPageTs, visit.Entry) = (ts, page);
                    }

                    if (ts >= visit.LastPageTs)
                    {
                        (visit.LastPageTs, visit.Exit) = (ts, page);
                    }

                    into.Add(day, L.Summary, null, (L.Pageviews, 1));
                    into.Add(day, L.Page, page, (L.Pageviews, 1));
                    Seen(dayVisitors, day, L.Page, page, row[session]);
                    break;
                case "2":
                    var eventName = name is { } n && row.Count > n && row[n].Trim().Length > 0 ? row[n].Trim() : "(not set)";
                    into.Add(day, L.Event, eventName, (L.Events, 1));
                    Seen(dayVisitors, day, L.Event, eventName, row[session]);
                    break;
                default:
                    throw csv.Error($"event_type '{ImportedRollups.Shorten(row[type])}' is neither 1 (page view) nor 2 (custom event).");
            }

            Seen(dayVisitors, day, L.Summary, "", row[session]);
        }

        foreach (var visit in visits.Values)
        {
            var day = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(visit.First), zone).DateTime);
            (string, long)[] counts =
            [
                (L.Sessions, 1), (L.Bounces, visit.Pageviews <= 1 ? 1 : 0), (L.DurationMs, visit.Last - visit.First),
            ];
            into.Add(day, L.Summary, null, counts);
            foreach (var (dimension, value) in visit.Attributes)
            {
                if (value is not null)
                {
                    into.Add(day, dimension, value, [.. counts, (L.Pageviews, visit.Pageviews)]);
                    Seen(dayVisitors, day, dimension, value, visit.Session);
                }
            }

            if (visit.Entry is not null)
            {
                var pageDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(DateTimeOffset.FromUnixTimeMilliseconds(visit.FirstPageTs), zone).DateTime);
                into.Add(pageDay, L.Page, visit.Entry, (L.Entries, 1));
                into.Add(pageDay, L.Page, visit.Exit, (L.Exits, 1));
            }
        }

        foreach (var ((day, dimension, value), sessions) in dayVisitors)
        {
            into.Add(day, dimension, dimension == L.Summary ? null : value, (L.Visitors, sessions.Count));
        }
    }

    private static void Seen(Dictionary<(DateOnly, string, string), HashSet<string>> seen, DateOnly day, string dimension, string value, string session)
    {
        if (!seen.TryGetValue((day, dimension, value), out var sessions))
        {
            sessions = seen[(day, dimension, value)] = new HashSet<string>(StringComparer.Ordinal);
        }

        sessions.Add(session);
    }

    private static string Capped(CsvRows csv, string id, string column) =>
        id.Trim().Length is > 0 and <= 64 ? id : throw csv.Error($"'{column}' must be 1 to 64 characters.");

    /// <summary>Umami's names mapped to the ones ingestion writes (ua-parser families, Plausible-style device names).</summary>
    private static string? Value(string dimension, string raw)
    {
        var value = raw.Trim();
        if (value.Length == 0)
        {
            return null;
        }

        return dimension switch
        {
            L.Device => value.ToLowerInvariant() switch
            {
                "desktop" or "laptop" => "Desktop",
                "mobile" => "Mobile",
                "tablet" => "Tablet",
                _ => value,
            },
            L.Browser => value.ToLowerInvariant() switch
            {
                "chrome" => "Chrome",
                "crios" => "Chrome Mobile iOS",
                "firefox" => "Firefox",
                "fxios" => "Firefox iOS",
                "safari" => "Safari",
                "ios" => "Mobile Safari",
                "edge-chromium" or "edge" => "Edge",
                "samsung" => "Samsung Internet",
                "opera" => "Opera",
                "chromium-webview" => "Chrome Mobile WebView",
                _ => value,
            },
            L.Os => value switch
            {
                "Mac OS" => "Mac OS X",
                "Android OS" => "Android",
                _ when value.StartsWith("Windows", StringComparison.Ordinal) => "Windows",
                _ => value,
            },
            L.Referrer => value.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? value[4..].ToLowerInvariant() : value.ToLowerInvariant(),
            _ => value,
        };
    }

    private static long Timestamp(CsvRows csv, string text)
    {
        var trimmed = text.Trim();
        string[] formats = ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm:ss.FFFFFF", "yyyy-MM-dd'T'HH:mm:ss.FFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd HH:mm:ss.FFFFFFK"];
        return DateTimeOffset.TryParseExact(trimmed, formats, CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var at) && at.Year is >= 2000 and <= 2100
            ? at.ToUnixTimeMilliseconds()
            : throw csv.Error($"created_at '{ImportedRollups.Shorten(text)}' is not a UTC date-time (YYYY-MM-DD HH:MM:SS).");
    }
}
