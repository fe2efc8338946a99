using System.Globalization;
using System.Text;

namespace LiveInsight.Api.Ingestion.Enrichment;

/// <summary>
/// Characters a visitor's text may not bring into a dashboard: controls, and the invisible format characters
/// (Unicode category Cf) — bidi overrides and isolates (U+202A–U+202E, U+2066–U+2069), marks (U+200E, U+200F,
/// U+061C), zero-width space, word joiner, BOM, soft hyphen, tag characters. A right-to-left override makes
/// "/gpj.exe" read as "/exe.jpg"; zero-width characters make two paths that look the same count apart (and slip
/// past an excluded-path pattern).
/// </summary>
/// <remarks>
/// The zero-width joiner and non-joiner (U+200C, U+200D) are kept: Persian and Indic text needs them to spell
/// words right and emoji sequences need the joiner; a lookalike made with them is no worse than one made with
/// homoglyphs (Cyrillic "а"), which no filter can remove.
/// </remarks>
public static class InvisibleText
{
    public static bool IsStripped(Rune rune) =>
        Rune.IsControl(rune)
        || (Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format && rune.Value is not (0x200C or 0x200D));

    /// <summary>The text without stripped characters; the same instance when there is nothing to strip.</summary>
    public static string Strip(string text)
    {
        if (!Any(text))
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        foreach (var rune in text.EnumerateRunes())
        {
            if (!IsStripped(rune))
            {
                builder.Append(rune.ToString());
            }
        }

        return builder.ToString();
    }

    /// <summary>Whether the text holds a character <see cref="Strip"/> would remove.</summary>
    public static bool Any(ReadOnlySpan<char> text)
    {
        foreach (var rune in text.EnumerateRunes())
        {
            if (IsStripped(rune))
            {
                return true;
            }
        }

        return false;
    }
}
