using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace LiveInsight.Api.Ingestion;

/// <summary>
/// Strings of an event batch as text a browser can send: a lone or reversed surrogate written as an escape
/// (<c>"\ud800"</c>, what <c>JSON.stringify</c> makes of a title cut mid-emoji) is valid JSON, but .NET refuses to turn
/// it into a string and threw deep in the pipeline (a 500). Here each such surrogate becomes U+FFFD, as a browser's
/// TextEncoder does, so the event is kept. Raw bytes that are not UTF-8 are another matter: the body is not JSON text,
/// and <see cref="EventBatchReader"/> refuses it whole before anything is read.
/// </summary>
public static class VisitorJsonText
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    public static string Read(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            return reader.GetString()!;
        }

        return Unescape(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
    }

    /// <summary>The text of a string element, with lone surrogates replaced (never throws on a valid document).</summary>
    public static string Read(JsonElement element)
    {
        var raw = JsonMarshal.GetRawUtf8Value(element);
        return raw.IndexOf((byte)'\\') < 0 ? element.GetString()! : Unescape(raw[1..^1]);
    }

    /// <summary>Decodes the body of a JSON string literal (without its quotes), escapes included.</summary>
    public static string Unescape(ReadOnlySpan<byte> escaped)
    {
        var text = new StringBuilder(escaped.Length);
        while (!escaped.IsEmpty)
        {
            var backslash = escaped.IndexOf((byte)'\\');
            var run = backslash < 0 ? escaped : escaped[..backslash];
            text.Append(StrictUtf8.GetString(run));
            if (backslash < 0)
            {
                break;
            }

            var kind = (char)escaped[backslash + 1];
            if (kind == 'u')
            {
                text.Append((char)Convert.ToUInt16(Encoding.ASCII.GetString(escaped.Slice(backslash + 2, 4)), 16));
                escaped = escaped[(backslash + 6)..];
                continue;
            }

            text.Append(kind switch
            {
                'b' => '\b',
                'f' => '\f',
                'n' => '\n',
                'r' => '\r',
                't' => '\t',
                _ => kind, // '"', '\\' and '/': the reader has already refused any other escape
            });
            escaped = escaped[(backslash + 2)..];
        }

        return ReplaceLoneSurrogates(text);
    }

    private static string ReplaceLoneSurrogates(StringBuilder text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(text[i]))
            {
                text[i] = '\uFFFD';
            }
        }

        return text.ToString();
    }
}

/// <summary>Reads every string value of an event batch through <see cref="VisitorJsonText"/>.</summary>
public sealed class VisitorStringConverter : JsonConverter<string>
{
    public override bool HandleNull => false;

    public override string Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String
            ? VisitorJsonText.Read(ref reader)
            : throw new JsonException($"Expected a string, found {reader.TokenType}.");

    public override void Write(Utf8JsonWriter writer, string value, JsonSerializerOptions options) => writer.WriteStringValue(value);

}

/// <summary>
/// Reads <c>props</c> with its keys through <see cref="VisitorJsonText"/>: the serializer's own dictionary reading
/// turns every key into a string first (for error paths), which throws on an escaped lone surrogate whatever the
/// key converter does.
/// </summary>
public sealed class VisitorPropsConverter : JsonConverter<Dictionary<string, JsonElement>>
{
    public override Dictionary<string, JsonElement> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException($"props must be an object, found {reader.TokenType}.");
        }

        var props = new Dictionary<string, JsonElement>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var key = VisitorJsonText.Read(ref reader);
            reader.Read();
            props[key] = JsonElement.ParseValue(ref reader);
        }

        return props;
    }

    public override void Write(Utf8JsonWriter writer, Dictionary<string, JsonElement> value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var (key, element) in value)
        {
            writer.WritePropertyName(key);
            element.WriteTo(writer);
        }

        writer.WriteEndObject();
    }
}
