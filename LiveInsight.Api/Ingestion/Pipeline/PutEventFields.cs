using System.Text;
using System.Text.Json;
using LiveInsight.Api.Ingestion.Enrichment;

namespace LiveInsight.Api.Ingestion.Pipeline;

/// <summary>
/// The event's own fields, checked and capped: known type, an id (generated when a server-side sender gives none),
/// a name for custom events, titles and props cut to their limits and stripped of control and invisible format
/// characters (bidi overrides, zero-width spaces: see <see cref="InvisibleText"/>).
/// Strings are kept as data, HTML included: escaping is the job of whoever renders them.
/// </summary>
public sealed class PutEventFields : IIngestStep
{
    private static readonly HashSet<string> KnownTypes =
        ["page_view", "session_start", "session_end", "custom", "engagement"];

    public void Run(IngestContext request, IngestEvent e)
    {
        var raw = e.Raw;
        if (raw.EventType is null || !KnownTypes.Contains(raw.EventType))
        {
            e.Drop(DropReason.UnknownEventType);
            return;
        }

        e.EventType = raw.EventType;
        if (raw.Id is null)
        {
            e.EventId = Guid.CreateVersion7().ToString();
        }
        else if (raw.Id.Length is 0 or > IngestionLimits.MaxIdLength || !raw.Id.All(IsIdChar))
        {
            e.Drop(DropReason.InvalidEvent);
            return;
        }
        else
        {
            e.EventId = raw.Id;
        }

        e.Name = Clean(raw.Name, IngestionLimits.MaxNameLength);
        if (e.EventType == "custom" && string.IsNullOrWhiteSpace(e.Name))
        {
            e.Drop(DropReason.InvalidEvent);
            return;
        }

        e.Title = Clean(raw.Title, IngestionLimits.MaxTitleLength);
        e.SessionId = raw.SessionId is { Length: > 0 } sid && sid.Length <= IngestionLimits.MaxIdLength && sid.All(IsIdChar) ? sid : null;
        e.Props = CapProps(raw.Props);
    }

    public static string? Clean(string? value, int maxLength)
    {
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        // Most values are short, plain text: nothing to strip, cut or replace, so the value itself is the answer.
        if (value.Length <= maxLength && !NeedsCleaning(value))
        {
            var trimmed = value.Trim();
            return trimmed.Length == 0 ? null : trimmed;
        }

        var builder = new StringBuilder(Math.Min(value.Length, maxLength));
        Span<char> utf16 = stackalloc char[2];
        foreach (var rune in value.EnumerateRunes())
        {
            if (InvisibleText.IsStripped(rune))
            {
                continue;
            }

            if (builder.Length + rune.Utf16SequenceLength > maxLength)
            {
                break;
            }

            builder.Append(utf16[..rune.EncodeToUtf16(utf16)]);
        }

        var cleaned = builder.ToString().Trim();
        return cleaned.Length == 0 ? null : cleaned;
    }

    /// <summary>Whether <see cref="Clean"/> could change more than the ends of <paramref name="value"/>: a character it
    /// strips, or a surrogate (a lone one becomes U+FFFD; pairs are left to the careful path too).</summary>
    private static bool NeedsCleaning(string value)
    {
        foreach (var c in value)
        {
            if (char.IsSurrogate(c) || InvisibleText.IsStripped(new Rune(c)))
            {
                return true;
            }
        }

        return false;
    }

    private static Dictionary<string, string>? CapProps(Dictionary<string, JsonElement>? props)
    {
        if (props is not { Count: > 0 })
        {
            return null;
        }

        var capped = new Dictionary<string, string>(Math.Min(props.Count, IngestionLimits.MaxProps));
        foreach (var (key, value) in props)
        {
            if (capped.Count == IngestionLimits.MaxProps)
            {
                break;
            }

            var cleanKey = Clean(key, IngestionLimits.MaxPropKeyLength);
            var text = value.ValueKind switch
            {
                JsonValueKind.String => VisitorJsonText.Read(value),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => value.GetRawText(),
            };
            var cleanValue = Clean(text, IngestionLimits.MaxPropValueLength);
            if (cleanKey is not null && cleanValue is not null)
            {
                capped.TryAdd(cleanKey, cleanValue);
            }
        }

        return capped.Count == 0 ? null : capped;
    }

    private static bool IsIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '-' or '_';
}
