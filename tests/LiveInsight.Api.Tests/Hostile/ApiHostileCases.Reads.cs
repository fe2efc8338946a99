using LiveInsight.Testing.Hostile;

using static LiveInsight.Testing.Hostile.HostileValues;

namespace LiveInsight.Api.Tests.Hostile;

/// <summary>Every realtime and stats endpoint: credentials, site ids, formats and Accept, then each query parameter.</summary>
public static partial class ApiHostileCases
{
    public static readonly string[] Breakdowns =
    [
        "sources", "mediums", "referrers", "utm-sources", "utm-mediums", "campaigns", "browsers", "os", "devices", "countries",
        "entry-pages", "exit-pages", "events",
    ];

    public static readonly string[] RealtimeReports = ["users", "pages", "stream"];

    public static readonly string[] StatsReports = ["daily", "pages", "summary", "timeseries", .. Breakdowns];

    /// <summary>The reports that take a filter, and two that must refuse one.</summary>
    private static readonly string[] FilteredReports = ["daily", "summary", "timeseries", "pages", "sources"];

    /// <summary>Ranges and dates at and beyond the edges of the calendar, as query strings.</summary>
    public static readonly (string Label, string Query)[] DateEdges =
    [
        ("from 0001-01-01", "from=0001-01-01&to=0001-01-31"), ("to 9999-12-31", "from=9999-12-01&to=9999-12-31"),
        ("first day only", "from=0001-01-01&to=0001-01-01"), ("last day only", "from=9999-12-31&to=9999-12-31"),
        ("reversed", "from=2026-03-01&to=2026-01-01"), ("2026-02-30", "from=2026-02-30&to=2026-03-01"), ("month 13", "from=2026-13-01&to=2026-13-02"),
        ("not dates", "from=yesterday&to=today"), ("only from", "from=2026-01-01"), ("only to", "to=2026-01-01"),
        ("range custom without dates", "range=custom"), ("367 days", "from=2025-01-01&to=2026-01-02"), ("time of day", "from=2026-01-01T00:00:00Z&to=2026-01-02"),
        ("signed year", "from=%2B002026-01-01&to=2026-01-02"), ("3,000-char date", "from=" + new string('2', 3000) + "&to=2026-01-01"),
        ("range bogus", "range=forever"), ("range 3,000 chars", "range=" + new string('r', 3000)), ("range and dates", "range=today&from=0001-01-01&to=9999-12-31"),
        ("duplicate from", "from=2026-01-01&from=0001-01-01&to=2026-01-02"), ("hourly over a year", "interval=hour&range=custom&from=2025-01-01&to=2025-12-31"),
    ];

    public static readonly (string Label, string Query)[] Limits =
    [
        ("limit=-1", "limit=-1"), ("limit=0", "limit=0"), ("limit=999999999", "limit=999999999"), ("limit beyond int", "limit=99999999999999"),
        ("limit=abc", "limit=abc"), ("limit=1.5", "limit=1.5"), ("limit empty", "limit="), ("duplicate limit", "limit=1&limit=2"),
    ];

    private static IEnumerable<HostileCase> Reads(HostileTargets t)
    {
        var paths = RealtimeReports.Select(r => "/api/realtime/" + r).Concat(StatsReports.Select(r => "/api/stats/" + r)).ToArray();
        var site = t.Control;
        foreach (var path in paths)
        {
            var ok = $"{path}?site_id={site.SiteId}";
            yield return Get($"read: no credentials", ok);
            foreach (var (label, auth) in WrongAuthorizations.Take(5))
            {
                yield return Get($"read: {label}", ok) with { Authorization = auth };
            }

            yield return Get("read: the public key as bearer", ok) with { Authorization = "Bearer " + site.PublicKey };
            yield return Get("read: another site's secret key", ok) with { Authorization = "Bearer " + t.Other.SecretKey };
            foreach (var (label, query) in QueryValues.Concat([("missing", null!), ("duplicate", $"{site.SiteId}&site_id={t.Other.SiteId}")]))
            {
                var target = query is null ? path : $"{path}?site_id={query}";
                yield return Get($"read (site key): site_id {label}", target) with { Authorization = "Bearer " + site.SecretKey };
            }

            foreach (var (label, query) in QueryValues.Where(q => q.Label is "3,000 chars" or "NUL" or "invalid UTF-8"))
            {
                yield return Get($"read (admin token): site_id {label}", $"{path}?site_id={query}") with { Authorization = t.AdminBearer };
            }

            if (path.EndsWith("/stream", StringComparison.Ordinal))
            {
                continue; // its answer is a stream: format, Accept and limits do not apply
            }

            foreach (var (label, query) in new (string, string)[]
                     {
                         ("format=xml", "format=xml"), ("format=CSV", "format=CSV"), ("format empty", "format="), ("format twice", "format=csv&format=html"),
                         ("format 3,000 chars", "format=" + new string('f', 3000)), ("format bidi", "format=%E2%80%AEcsv"),
                     })
            {
                yield return Get($"read: {label}", $"{ok}&{query}") with { Authorization = "Bearer " + site.SecretKey };
            }

            foreach (var accept in new[] { "text/csv", "text/html", "application/xml", "*/*;q=abc", "text/html;q=-5, text/csv;q=9", new string('a', 3000) + "/x", "\u202Etext/html" })
            {
                yield return Get($"read: Accept {HostileCase.Shorten(accept, 30)}", ok) with { Authorization = "Bearer " + site.SecretKey, Headers = [new("Accept", accept)] };
            }

            foreach (var (label, query) in Limits)
            {
                yield return Get($"read: {label}", $"{ok}&{query}") with { Authorization = "Bearer " + site.SecretKey };
            }
        }

        foreach (var report in StatsReports)
        {
            var ok = $"/api/stats/{report}?site_id={site.SiteId}";
            foreach (var (label, query) in DateEdges)
            {
                yield return Get($"stats: {label}", $"{ok}&{query}") with { Authorization = "Bearer " + site.SecretKey };
            }

            foreach (var filter in FilteredReports.Contains(report) ? new[] { "page", "source", "country", "device" } : [])
            {
                foreach (var (label, query) in QueryValues.Where(q => q.Label != "empty"))
                {
                    yield return Get($"stats: {filter} filter {label}", $"{ok}&{filter}={query}") with { Authorization = "Bearer " + site.SecretKey };
                }
            }

            foreach (var (label, query) in new (string, string)[]
                     {
                         ("two filters", "page=/a&country=DE"), ("page filter 3,000 chars over a year", $"page=/{new string('p', 3000)}&from=2025-01-01&to=2025-12-31"),
                         ("interval=week", "interval=week"), ("interval 3,000 chars", "interval=" + new string('i', 3000)), ("unknown parameter", "foo=bar&__proto__=x"),
                     })
            {
                yield return Get($"stats: {label}", $"{ok}&{query}") with { Authorization = "Bearer " + site.SecretKey };
            }
        }

        foreach (var c in EventProps(t))
        {
            yield return c;
        }
    }

    /// <summary><c>/api/stats/event-props</c>: the read cases above with a good name, then hostile names and parameters.</summary>
    private static IEnumerable<HostileCase> EventProps(HostileTargets t)
    {
        var site = t.Control;
        var key = "Bearer " + site.SecretKey;
        var ok = $"/api/stats/event-props?site_id={site.SiteId}&name=Signup";
        yield return Get("event-props: no credentials", ok);
        foreach (var (label, auth) in WrongAuthorizations)
        {
            yield return Get($"event-props: {label}", ok) with { Authorization = auth };
        }

        yield return Get("event-props: the public key as bearer", ok) with { Authorization = "Bearer " + site.PublicKey };
        yield return Get("event-props: another site's secret key", ok) with { Authorization = "Bearer " + t.Other.SecretKey };
        yield return Get("event-props: no site_id", "/api/stats/event-props?name=Signup") with { Authorization = key };
        foreach (var (label, query) in QueryValues)
        {
            yield return Get($"event-props: site_id {label}", $"/api/stats/event-props?name=Signup&site_id={query}") with { Authorization = key };
            yield return Get($"event-props: name {label}", $"/api/stats/event-props?site_id={site.SiteId}&name={query}") with { Authorization = key };
        }

        foreach (var (label, query) in new (string, string)[]
                 {
                     ("no name", ""), ("name of spaces", "&name=%20%20"), ("name 101 chars", "&name=" + new string('n', 101)),
                     ("two names", "&name=a&name=b"), ("name with the prop separator", "&name=a%1Fb"), ("page filter", "&page=/a"),
                     ("format=csv", "&format=csv"), ("format=html", "&format=html"), ("format=xml", "&format=xml"), ("interval=week", "&interval=week"),
                 })
        {
            var target = query.StartsWith("&name", StringComparison.Ordinal) || query.Length == 0
                ? $"/api/stats/event-props?site_id={site.SiteId}{query}"
                : ok + query;
            yield return Get($"event-props: {label}", target) with { Authorization = key };
        }

        foreach (var (label, query) in DateEdges.Concat(Limits))
        {
            yield return Get($"event-props: {label}", $"{ok}&{query}") with { Authorization = key };
        }
    }
}
