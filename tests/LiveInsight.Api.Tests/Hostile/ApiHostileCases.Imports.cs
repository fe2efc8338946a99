using System.IO.Compression;
using System.Text;
using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Testing.Hostile;
using static LiveInsight.Testing.Hostile.HostileValues;

namespace LiveInsight.Api.Tests.Hostile;

/// <summary>Imports (issue 20): credentials, sources, hostile uploads (not a zip, a zip of traps, broken CSV, invalid
/// UTF-8, huge fields and lines, path traversal in entry names, a file that unpacks far beyond its size) and hostile
/// ids. Uploads go to the admin site, never to the control site.</summary>
public static partial class ApiHostileCases
{
    private static IEnumerable<HostileCase> Imports(HostileTargets t)
    {
        var id = t.Admin.SiteId;
        var root = $"/api/sites/{id}/imports";
        var endpoints = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Get, root), (HttpMethod.Post, root + "?source=plausible"), (HttpMethod.Delete, root + "/imp_nosuchimport"),
        };
        // The demo (issue 23) changes nothing a visitor sends; only who may call it is hostile ground.
        yield return new HostileCase("index: junk query", HttpMethod.Get, "/?x=%00%FF&y=" + new string('y', 3000));
        endpoints = [.. endpoints, (HttpMethod.Post, "/api/demo"), (HttpMethod.Delete, "/api/demo"), (HttpMethod.Post, "/api/demo?site_id=%00%FF")];
        foreach (var (method, path) in endpoints)
        {
            yield return new HostileCase("imports: no credentials", method, path);
            foreach (var (label, auth) in WrongAuthorizations)
            {
                yield return new HostileCase($"imports: {label}", method, path) { Authorization = auth };
            }

            yield return new HostileCase("imports: a site's secret key", method, path) { Authorization = "Bearer " + t.Admin.SecretKey };
        }

        foreach (var (label, query) in QueryValues.Append(("no source", "")))
        {
            yield return Upload($"imports: source {label}", $"{root}?source={query}", Encoding.UTF8.GetBytes("date\n2024-01-01\n"), t);
        }

        const string visitors = "imported_visitors_20200101_20200102.csv";
        const string header = "date,visitors,pageviews,bounces,visits,visit_duration\n";
        var uploads = new (string Label, string Source, byte[] Body)[]
        {
            ("empty body", "plausible", []),
            ("random bytes", "plausible", [.. Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251))]),
            ("zip magic then garbage", "plausible", [(byte)'P', (byte)'K', 3, 4, .. Enumerable.Repeat((byte)0xFF, 200)]),
            ("truncated zip", "plausible", Zip((visitors, header + "2020-01-01,1,1,0,1,0\n"))[..40]),
            ("zip without csv", "plausible", Zip(("readme.txt", "hello"))),
            ("zip of traps: path traversal", "plausible", Zip(("../../etc/" + visitors, header + "2020-01-01,1,1,0,1,0\n"))),
            ("zip of traps: unknown table", "plausible", Zip(("imported_passwords_20200101_20200102.csv", "date\n2020-01-01\n"))),
            ("zip of traps: 3 KB name", "plausible", Zip((new string('a', 3000) + ".csv", "date\n"))),
            ("zip unpacking to 600 MB", "plausible", ZipOfZeros(visitors, 600L * 1024 * 1024)),
            ("csv: header only", "plausible", Zip((visitors, header))),
            ("csv: empty file", "plausible", Zip((visitors, ""))),
            ("csv: missing columns", "plausible", Zip((visitors, "date\n2020-01-01\n"))),
            ("csv: short line", "plausible", Zip((visitors, header + "2020-01-01,1\n"))),
            ("csv: negative count", "plausible", Zip((visitors, header + "2020-01-01,-1,1,0,1,0\n"))),
            ("csv: count beyond long", "plausible", Zip((visitors, header + "2020-01-01,99999999999999999999999,1,0,1,0\n"))),
            ("csv: counts that overflow when added", "plausible", Zip((visitors, header + "2020-01-01,1,999999999999,0,1,0\n2020-01-01,1,999999999999,0,1,0\n".Replace("999999999999", "1000000000000")))),
            ("csv: duration that overflows in ms", "plausible", Zip((visitors, header + "2020-01-01,1,1,0,1,1000000000000\n"))),
            ("csv: year 0001", "plausible", Zip((visitors, header + "0001-01-01,1,1,0,1,0\n"))),
            ("csv: year 9999", "plausible", Zip((visitors, header + "9999-12-31,1,1,0,1,0\n"))),
            ("csv: 20,000 days", "plausible", Zip((visitors, header + string.Concat(Enumerable.Range(0, 20_000).Select(d => $"{new DateOnly(1950, 1, 1).AddDays(d):yyyy-MM-dd},1,1,0,1,0\n"))))),
            ("csv: 5,000-char field", "plausible", Zip(("imported_pages_20200101_20200102.csv", "date,hostname,page,visits,visitors,pageviews\n2020-01-01,a," + new string('p', 5000) + ",1,1,1\n"))),
            ("csv: 100 columns", "plausible", Zip((visitors, string.Join(',', Enumerable.Range(0, 100).Select(i => $"c{i}")) + "\n"))),
            ("csv: unclosed quote", "plausible", Zip((visitors, header + "\"2020-01-01,1,1,0,1,0\n"))),
            ("csv: text after quote", "plausible", Zip((visitors, header + "\"2020-01-01\"x,1,1,0,1,0\n"))),
            ("csv: invalid UTF-8", "plausible", ZipBytes(visitors, [.. Encoding.ASCII.GetBytes(header), 0xC3, 0x28, 0x0A])),
            ("csv: lone surrogate in a page", "plausible", Zip(("imported_pages_20200101_20200102.csv", "date,hostname,page,visits,visitors,pageviews\n2020-01-01,a,/\uD800x,1,1,1\n"))),
            ("csv: bidi and nul in a page", "plausible", Zip(("imported_pages_20200101_20200102.csv", "date,hostname,page,visits,visitors,pageviews\n2020-01-01,a,/\u202Ex\u0000y,1,1,1\n"))),
            ("csv: 2,000 values in one day", "plausible", Zip(("imported_pages_20200101_20200102.csv", "date,hostname,page,visits,visitors,pageviews\n" + string.Concat(Enumerable.Range(0, 2000).Select(i => $"2020-01-01,a,/p{i},1,1,1\n"))))),
            ("umami: not csv", "umami", [0, 1, 2, 3, 0xFF]),
            ("umami: missing columns", "umami", Encoding.UTF8.GetBytes("session_id\ns\n")),
            ("umami: bad event type", "umami", Encoding.UTF8.GetBytes("session_id,visit_id,created_at,url_path,event_type\ns,v,2020-01-01 00:00:00,/,x\n")),
            ("umami: bad time", "umami", Encoding.UTF8.GetBytes("session_id,visit_id,created_at,url_path,event_type\ns,v,2020-13-45 99:00:00,/,1\n")),
            ("umami: 3 KB visit id", "umami", Encoding.UTF8.GetBytes($"session_id,visit_id,created_at,url_path,event_type\ns,{new string('v', 3000)},2020-01-01 00:00:00,/,1\n")),
            ("umami: zip of traps", "umami", Zip(("../x.csv", "session_id,visit_id,created_at,url_path,event_type\n"))),
        };
        foreach (var (label, source, body) in uploads)
        {
            yield return Upload($"imports: {label}", $"{root}?source={source}", body, t);
        }

        foreach (var contentType in BadContentTypes)
        {
            yield return Upload($"imports: content type {contentType ?? "none"}", $"{root}?source=plausible", [0x50, 0x4B, 0x05, 0x06], t) with { ContentType = contentType };
        }

        foreach (var (label, siteId) in new (string, string)[]
                 {
                     ("unknown", "nosuchsite00"), ("3 KB", new string('s', 3000)), ("control chars", "%01%1F"), ("invalid UTF-8", "%FF%FE"),
                     ("encoded slash", "a%2F..%2Fb"), ("another site's key", t.Other.PublicKey),
                 })
        {
            yield return new HostileCase($"imports: site id {label}", HttpMethod.Get, $"/api/sites/{siteId}/imports") { Authorization = t.AdminBearer };
            yield return Upload($"imports: upload to site id {label}", $"/api/sites/{siteId}/imports?source=plausible", Zip((visitors, header)), t);
        }

        foreach (var (label, importId) in new (string, string)[]
                 {
                     ("the lock item", "lock"), ("3 KB", "imp_" + new string('i', 3000)), ("dot-dot", ".."), ("control chars", "imp_%01"),
                     ("invalid UTF-8", "imp_%FF"), ("encoded slash", "imp_a%2Fb"), ("another site's import", "imp_000000000000"),
                 })
        {
            yield return new HostileCase($"imports: delete id {label}", HttpMethod.Delete, $"{root}/{importId}") { Authorization = t.AdminBearer };
        }
    }

    private static HostileCase Upload(string name, string target, byte[] body, HostileTargets t) =>
        new(name, HttpMethod.Post, target) { Authorization = t.AdminBearer, Body = body, ContentType = "application/zip" };

    private static byte[] Zip(params (string Name, string Text)[] files) =>
        ZipEntries(files.Select(f => (f.Name, Encoding.UTF8.GetBytes(f.Text))).ToArray());

    private static byte[] ZipBytes(string name, byte[] bytes) => ZipEntries((name, bytes));

    private static byte[] ZipEntries(params (string Name, byte[] Bytes)[] files)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in files)
            {
                using var stream = zip.CreateEntry(name).Open();
                stream.Write(bytes);
            }
        }

        return memory.ToArray();
    }

    /// <summary>A small zip whose one file unpacks to <paramref name="size"/> bytes of a CSV header followed by zeros.</summary>
    private static byte[] ZipOfZeros(string name, long size)
    {
        using var memory = new MemoryStream();
        using (var zip = new ZipArchive(memory, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var stream = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
            var header = Encoding.ASCII.GetBytes("date,visitors,pageviews,bounces,visits,visit_duration,");
            stream.Write(header);
            var zeros = new byte[1 << 20];
            Array.Fill(zeros, (byte)'0');
            for (long written = header.Length; written < size; written += zeros.Length)
            {
                stream.Write(zeros);
            }
        }

        return memory.ToArray();
    }
}
