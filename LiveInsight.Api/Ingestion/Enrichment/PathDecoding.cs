using System.Text;

namespace LiveInsight.Api.Ingestion.Enrichment;

/// <summary>
/// Percent-decodes a URL path so dashboards show "/café" rather than "/caf%C3%A9", but only where decoding cannot
/// change what the path means or smuggle control characters into logs and the UI. Invisible format characters
/// (bidi overrides, zero-width spaces) are dropped, see <see cref="InvisibleText"/>.
/// </summary>
internal static class PathDecoding
{
    public static string Decode(string escaped)
    {
        if (!escaped.Contains('%'))
        {
            return escaped;
        }

        // Escaping the '%' of the escapes that must survive turns them into literal text for UnescapeDataString.
        var guarded = new StringBuilder(escaped.Length + 8);
        for (var i = 0; i < escaped.Length; i++)
        {
            guarded.Append(escaped[i] == '%' && i + 2 < escaped.Length && MustStayEncoded(escaped.AsSpan(i + 1, 2)) ? "%25" : escaped[i]);
        }

        var decoded = Uri.UnescapeDataString(guarded.ToString());
        // C1 controls arrive as two-byte UTF-8 sequences the guard cannot see; keep the fully escaped form then.
        // Bidi controls and zero-width characters are removed: they would reorder or disguise the path where shown.
        return decoded.AsSpan().ContainsAnyInRange('\x80', '\x9f') ? escaped : InvisibleText.Strip(decoded);
    }

    // '/', '?', '#' and '%' decoded would split or end the path; ASCII controls must never reach a dashboard.
    private static bool MustStayEncoded(ReadOnlySpan<char> hex) =>
        byte.TryParse(hex, System.Globalization.NumberStyles.AllowHexSpecifier, null, out var b)
        && (b < 0x20 || b == 0x7f || b is (byte)'/' or (byte)'?' or (byte)'#' or (byte)'%');
}
