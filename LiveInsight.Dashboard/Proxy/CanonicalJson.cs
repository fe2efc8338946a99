using System.Text.Json;
using Microsoft.Net.Http.Headers;

namespace LiveInsight.Dashboard.Proxy;

/// <summary>
/// A JSON object body read once, the way the Api will bind it, and written out again: the proxy decides on the property
/// names found here and forwards these bytes, never the raw body, so the Api binds exactly what was checked. The Api
/// binds names case-insensitively and takes the last of two equal names, so names are compared ignoring case (as
/// System.Text.Json does), <c>\u0065</c>-style escapes are read as the letters they are, and a name given twice
/// (in any spelling) is refused rather than guessed at.
/// </summary>
public sealed class CanonicalJson
{
    public const int MaxBytes = 256 * 1024;

    private CanonicalJson(byte[] body, IReadOnlyList<string> names)
    {
        Body = body;
        Names = names;
    }

    /// <summary>The object re-serialised: unescaped names, values as parsed.</summary>
    public byte[] Body { get; }

    public IReadOnlyList<string> Names { get; }

    public bool Has(string name) => Names.Contains(name, StringComparer.OrdinalIgnoreCase);

    /// <summary>The string value of <paramref name="name"/> (in any spelling, as names are compared), or null when it is
    /// missing or not a string.</summary>
    public string? String(string name)
    {
        using var document = JsonDocument.Parse(Body);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
            }
        }

        return null;
    }

    /// <returns>The body, or the problem to answer with (400 for anything but one JSON object of distinct names, 413 when
    /// too large, 415 for anything but UTF-8 JSON).</returns>
    public static async Task<(CanonicalJson? Json, IResult? Problem)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!IsUtf8Json(request.ContentType))
        {
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported content type",
                detail: "Send the settings as one JSON object, UTF-8, with Content-Type: application/json."));
        }

        if (request.ContentLength > MaxBytes)
        {
            return (null, TooLarge());
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBytes)
            {
                return (null, TooLarge());
            }

            buffer.Write(chunk, 0, read);
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(buffer.ToArray());
        }
        catch (JsonException e)
        {
            return (null, Invalid($"The body is not valid JSON: {e.Message}"));
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return (null, Invalid("The body must be one JSON object of the settings to change."));
            }

            var names = new List<string>();
            using var output = new MemoryStream();
            using var writer = new Utf8JsonWriter(output);
            try
            {
                writer.WriteStartObject();
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    if (names.Contains(property.Name, StringComparer.OrdinalIgnoreCase))
                    {
                        return (null, Invalid($"'{property.Name}' is given more than once (names are compared ignoring case)."));
                    }

                    names.Add(property.Name);
                    writer.WritePropertyName(property.Name);
                    property.Value.WriteTo(writer);
                }

                writer.WriteEndObject();
                writer.Flush();
            }
            catch (InvalidOperationException e)
            {
                // The parser lets a lone surrogate escape (\ud800) through; reading the text, as the Api would, does not.
                return (null, Invalid($"The body is not valid JSON: {e.Message}"));
            }

            return (new CanonicalJson(output.ToArray(), names), null);
        }
    }

    /// <summary>Replaces the request's body with the canonical one, which the proxy then forwards.</summary>
    public void Forward(HttpRequest request)
    {
        request.Body = new MemoryStream(Body, writable: false);
        request.ContentLength = Body.Length;
        request.Headers.TransferEncoding = default;
        request.ContentType = "application/json; charset=utf-8";
    }

    /// <summary>JSON (<c>application/json</c> or <c>+json</c>) in UTF-8: the only text this class reads and forwards.</summary>
    private static bool IsUtf8Json(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type)
        && (type.MediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || type.Suffix.Equals("json", StringComparison.OrdinalIgnoreCase))
        && (!type.Charset.HasValue || type.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase));

    private static IResult Invalid(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid body", detail: detail);

    private static IResult TooLarge() => TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge,
        title: "Body too large", detail: $"The body may have at most {MaxBytes / 1024} KiB.");
}
