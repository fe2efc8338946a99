using System.Text.RegularExpressions;
using LiveInsight.Core.Stats;
using static LiveInsight.Api.Imports.ImportedRollups;
using L = LiveInsight.Core.Stats.RollupLayout;

namespace LiveInsight.Api.Imports;

/// <summary>
/// Plausible's CSV export (Site settings → Imports &amp; Exports → Export): a zip of <c>imported_{table}_{from}_{to}.csv</c>
/// files (the prefix <c>imported_</c> may be missing), each one row per day and value. Columns are found by name, so
/// older exports with fewer columns import too; a column the table needs and lacks is a 400 naming it. What maps where:
/// visitors → the summary; sources → source, referrer (host), utm_source, utm_medium, utm_campaign; pages → pages
/// (page views, visitors, scroll depth), entry_pages → pages' entries, exit_pages → pages' exits; locations → country;
/// devices, browsers, operating_systems → device, browser, os; custom_events → events (and their link_url/path as the
/// props <c>url</c>/<c>path</c>). Visitors of a value are the sum of its rows' visitors, as Plausible sums them.
/// </summary>
public static partial class PlausibleCsvImport
{
    public static readonly string[] Tables =
    [
        "visitors", "sources", "pages", "entry_pages", "exit_pages", "locations", "devices", "browsers", "operating_systems",
        "custom_events",
    ];

    /// <summary>The table a file holds (<c>imported_pages_20240101_20241231.csv</c> → <c>pages</c>), or null.</summary>
    public static string? TableOf(string fileName)
    {
        var match = FileName().Match(Path.GetFileName(fileName));
        return match.Success && Tables.Contains(match.Groups["table"].Value) ? match.Groups["table"].Value : null;
    }

    public static void Read(string table, CsvRows csv, ImportedRollups into)
    {
        var date = csv.RequireColumn("date");
        switch (table)
        {
            case "visitors":
                Rows(csv, into, date, null, L.Summary, Visits);
                break;
            case "sources":
                var source = csv.RequireColumn("source");
                int? referrer = csv.Column("referrer"), utmSource = csv.Column("utm_source"),
                    utmMedium = csv.Column("utm_medium"), utmCampaign = csv.Column("utm_campaign");
                ForEach(csv, date, (day, row) =>
                {
                    var counts = Visits(csv, row);
                    into.Add(day, L.Source, SourceName(row[source]), counts);
                    AddIfSet(into, day, L.Referrer, ReferrerHost(Field(row, referrer)), counts);
                    AddIfSet(into, day, L.UtmSource, Field(row, utmSource), counts);
                    AddIfSet(into, day, L.UtmMedium, Field(row, utmMedium), counts);
                    AddIfSet(into, day, L.UtmCampaign, Field(row, utmCampaign), counts);
                });
                break;
            case "pages":
                var page = csv.RequireColumn("page");
                int? scroll = csv.Column("scroll_depth"), leaves = csv.Column("pageleave_visitors");
                ForEach(csv, date, (day, row) =>
                {
                    var scrolled = Field(row, scroll) is { Length: > 0 } depth ? ParseCount(csv, "scroll_depth", depth) : (long?)null;
                    into.Add(day, L.Page, row[page],
                        (L.Pageviews, Count(csv, row, "pageviews")), (L.Visitors, Count(csv, row, "visitors")),
                        (L.ScrollSum, scrolled ?? 0), (L.ScrollViews, scrolled is null ? 0 : Count(csv, row, leaves, "pageleave_visitors")));
                });
                break;
            case "entry_pages":
                Rows(csv, into, date, csv.RequireColumn("entry_page"), L.Page, (c, row) => [(L.Entries, Count(c, row, "entrances"))]);
                break;
            case "exit_pages":
                Rows(csv, into, date, csv.RequireColumn("exit_page"), L.Page, (c, row) => [(L.Exits, Count(c, row, "exits"))]);
                break;
            case "locations":
                Rows(csv, into, date, csv.RequireColumn("country"), L.Country, Visits);
                break;
            case "devices":
                Rows(csv, into, date, csv.RequireColumn("device"), L.Device, Visits);
                break;
            case "browsers":
                Rows(csv, into, date, csv.RequireColumn("browser"), L.Browser, Visits);
                break;
            case "operating_systems":
                Rows(csv, into, date, csv.RequireColumn("operating_system"), L.Os, Visits);
                break;
            case "custom_events":
                var name = csv.RequireColumn("name");
                int? link = csv.Column("link_url"), path = csv.Column("path");
                ForEach(csv, date, (day, row) =>
                {
                    var events = Count(csv, row, "events");
                    into.Add(day, L.Event, row[name], (L.Events, events), (L.Visitors, Count(csv, row, "visitors")));
                    foreach (var (key, column) in new[] { ("url", link), ("path", path) })
                    {
                        if (Field(row, column) is { Length: > 0 } value && row[name].Trim().Length > 0)
                        {
                            into.Add(day, L.Prop, L.PropValue(row[name].Trim(), key, value), (L.Events, events));
                        }
                    }
                });
                break;
            default:
                throw csv.Error($"'{table}' is not a table of Plausible's export.");
        }
    }

    /// <summary>Visits, page views, bounces, duration and visitors of a row of a session table (sources, devices, …).</summary>
    private static (string, long)[] Visits(CsvRows csv, List<string> row) =>
    [
        (L.Sessions, Count(csv, row, "visits")),
        (L.Pageviews, Count(csv, row, csv.Column("pageviews"), "pageviews")),
        (L.Bounces, Count(csv, row, "bounces")),
        (L.DurationMs, checked(Count(csv, row, "visit_duration") * 1000)),
        (L.Visitors, Count(csv, row, "visitors")),
    ];

    private static void Rows(
        CsvRows csv, ImportedRollups into, int date, int? value, string dimension, Func<CsvRows, List<string>, (string, long)[]> counts) =>
        ForEach(csv, date, (day, row) => into.Add(day, dimension, value is { } v ? row[v] : null, counts(csv, row)));

    private static void ForEach(CsvRows csv, int date, Action<DateOnly, List<string>> add)
    {
        while (csv.Next() is { } row)
        {
            if (row.Count <= date)
            {
                throw csv.Error("the line has fewer fields than the header.");
            }

            try
            {
                add(ParseDay(csv, row[date]), row);
            }
            catch (ArgumentOutOfRangeException)
            {
                throw csv.Error("the line has fewer fields than the header.");
            }
            catch (OverflowException)
            {
                throw csv.Error("a count is too large.");
            }
            catch (InvalidDataException e)
            {
                throw csv.Error(e.Message);
            }
        }
    }

    private static long Count(CsvRows csv, List<string> row, string column) => Count(csv, row, csv.RequireColumn(column), column);

    private static long Count(CsvRows csv, List<string> row, int? index, string column) =>
        index is { } i ? ParseCount(csv, column, row[i]) : 0;

    private static string? Field(List<string> row, int? index) => index is { } i ? row[i].Trim() : null;

    private static void AddIfSet(ImportedRollups into, DateOnly day, string dimension, string? value, (string, long)[] counts)
    {
        if (!string.IsNullOrWhiteSpace(value))
        {
            into.Add(day, dimension, value, counts);
        }
    }

    /// <summary>Plausible says "Direct / None" where the rollups say "Direct".</summary>
    private static string SourceName(string source) =>
        source.Trim() is "" or "Direct / None" ? "Direct" : source.Trim();

    /// <summary>The rollups keep a referrer's host; Plausible's export keeps host and path ("news.ycombinator.com/item").</summary>
    private static string? ReferrerHost(string? referrer)
    {
        if (string.IsNullOrWhiteSpace(referrer))
        {
            return null;
        }

        var text = referrer.Contains("://", StringComparison.Ordinal) ? referrer[(referrer.IndexOf("://", StringComparison.Ordinal) + 3)..] : referrer;
        var end = text.IndexOfAny(['/', '?', '#']);
        var host = (end < 0 ? text : text[..end]).ToLowerInvariant();
        return host.StartsWith("www.", StringComparison.Ordinal) ? host[4..] : host;
    }

    [GeneratedRegex(@"^(imported_)?(?<table>[a-z_]+?)(_\d{8}_\d{8})?\.csv$")]
    private static partial Regex FileName();
}
