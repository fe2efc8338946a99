using System.Text;

namespace LiveInsight.Testing.Hostile;

/// <summary>The hostile values every surface gets, in the three forms they travel in: raw JSON, a query value, bytes.</summary>
public static class HostileValues
{
    /// <summary>Wrong JSON types (and numbers at the edges) for any one field, as raw JSON.</summary>
    public static readonly (string Label, string Json)[] WrongTypes =
    [
        ("number as string", "\"12\""), ("number", "12"), ("negative", "-1"), ("fraction", "1.5"), ("huge number", "1e308"),
        ("beyond int64", "99999999999999999999999"), ("true", "true"), ("null", "null"), ("empty array", "[]"),
        ("empty object", "{}"), ("array of string", "[\"a\"]"), ("object", "{\"a\":1}"), ("empty string", "\"\""),
    ];

    /// <summary>Hostile strings as JSON string literals (escapes included): control, NUL, bidi, lone surrogates, markup.</summary>
    public static readonly (string Label, string Json)[] HostileStrings =
    [
        ("NUL and control chars", "\"a\\u0000b\\u0001\\u001f\\u007f\""),
        ("bidi override U+202E", "\"\\u202Egpj.exe\""),
        ("lone high surrogate", "\"x\\ud800y\""),
        ("reversed surrogate pair", "\"\\udfff\\ud800\""),
        ("CRLF header injection", "\"a\\r\\nSet-Cookie: x=1\""),
        ("markup and formula", "\"=cmd|' /C calc'!A0<script>alert(1)</script>\""),
        ("60 KB string", "\"" + new string('x', 60 * 1024) + "\""),
        ("100 KB string", "\"" + new string('x', 100 * 1024) + "\""),
    ];

    /// <summary>Hostile query values, percent-encoded as sent (raw bytes where UTF-8 itself is broken).</summary>
    public static readonly (string Label, string Query)[] QueryValues =
    [
        ("empty", ""), ("NUL", "%00"), ("bidi U+202E", "%E2%80%AE" + "abc"), ("invalid UTF-8", "%FF%FE"),
        ("encoded lone surrogate", "%ED%A0%80"), ("CRLF", "%0D%0ASet-Cookie:%20x=1"), ("3,000 chars", new string('a', 3000)),
        ("path traversal", "..%2F..%2Fetc%2Fpasswd"), ("markup", "%3Cscript%3Ealert(1)%3C%2Fscript%3E"),
    ];

    public static readonly (string Label, string Authorization)[] WrongAuthorizations =
    [
        ("Basic scheme", "Basic YWRtaW46YWRtaW4="), ("Bearer without token", "Bearer"), ("Bearer with spaces only", "Bearer    "),
        ("Digest scheme", "Digest username=\"admin\""), ("3 KB bearer token", "Bearer " + new string('k', 3 * 1024)),
        ("3 KB sk_ token", "Bearer sk_" + new string('k', 3 * 1024)), ("bidi in token", "Bearer sk_\u202Eabc"),
        ("NUL-like junk token", "Bearer sk_%00"),
        ("short li_pat_ token", "Bearer li_pat_abc"), ("unknown li_pat_ token", "Bearer li_pat_" + new string('p', 43)),
        ("3 KB li_pat_ token", "Bearer li_pat_" + new string('p', 3 * 1024)),
    ];

    public static string Nested(int depth) => new string('[', depth) + new string(']', depth);

    public static string NestedObjects(int depth) => string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth);

    /// <summary>Bytes that are not UTF-8, spliced between two halves of otherwise valid JSON text.</summary>
    public static readonly (string Label, byte[] Bytes)[] InvalidUtf8 =
    [
        ("0xFF 0xFE", [0xFF, 0xFE]), ("overlong slash", [0xC0, 0xAF]), ("UTF-8 encoded surrogate", [0xED, 0xA0, 0x80]),
        ("truncated sequence", [0xE2, 0x82]), ("NUL byte", [0x00]),
    ];

    public static byte[] Splice(string before, byte[] middle, string after) =>
        [.. Encoding.UTF8.GetBytes(before), .. middle, .. Encoding.UTF8.GetBytes(after)];

    /// <summary>Content types a JSON endpoint must turn away (or read safely), exactly as written on the wire.</summary>
    public static readonly string?[] BadContentTypes =
    [
        null, "application/xml", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded", "application/json; charset=utf-7",
        "text/plain; charset=utf-16", "application/octet-stream", "*/*", "application/json; charset=nonsense",
    ];
}
