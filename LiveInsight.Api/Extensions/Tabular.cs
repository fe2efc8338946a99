using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Http.Metadata;

namespace LiveInsight.Api.Extensions;

/// <summary>A read answer that can also be shown as a table (HTML fragment) or exported (CSV).</summary>
public interface ITabular
{
    string Report { get; }

    IReadOnlyList<string> Columns { get; }

    IEnumerable<object?[]> Rows();
}

/// <summary>
/// JSON by default; an HTML table fragment for <c>Accept: text/html</c> (or <c>?format=html</c>); CSV for
/// <c>?format=csv</c> or <c>Accept: text/csv</c>. Every string can come from a visitor (paths, referrers, event
/// names), so HTML encodes each cell and CSV quotes per RFC 4180 and defuses spreadsheet formulas.
/// </summary>
public sealed class ReadResult<T>(T value) : IResult, IEndpointMetadataProvider where T : ITabular
{
    public T Value { get; } = value;

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.Headers.Vary = "Accept";
        return Format(httpContext.Request) switch
        {
            "csv" => WriteAsync(httpContext, "text/csv; charset=utf-8", Csv(Value)),
            "html" => WriteAsync(httpContext, "text/html; charset=utf-8", Html(Value)),
            _ => TypedResults.Json(Value).ExecuteAsync(httpContext),
        };
    }

    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status200OK, typeof(T), ["application/json", "text/html", "text/csv"]));

    private static string Format(HttpRequest request)
    {
        var format = request.Query["format"].ToString();
        if (format is "csv" or "html" or "json")
        {
            return format;
        }

        // The first listed type that we serve wins (browsers list text/html first).
        foreach (var accepted in request.GetTypedHeaders().Accept.OrderByDescending(a => a.Quality ?? 1))
        {
            switch (accepted.MediaType.Value)
            {
                case "text/csv": return "csv";
                case "text/html": return "html";
                case "application/json": return "json";
            }
        }

        return "json";
    }

    private static async Task WriteAsync(HttpContext context, string contentType, string body)
    {
        context.Response.ContentType = contentType;
        await context.Response.WriteAsync(body, context.RequestAborted);
    }

    public static string Html(ITabular table)
    {
        var html = new StringBuilder();
        var encoder = HtmlEncoder.Default;
        html.Append("<table class=\"li-table\" data-report=\"").Append(encoder.Encode(table.Report)).Append("\">\n<thead><tr>");
        foreach (var column in table.Columns)
        {
            html.Append("<th scope=\"col\">").Append(encoder.Encode(column)).Append("</th>");
        }

        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows())
        {
            html.Append("<tr>");
            foreach (var cell in row)
            {
                html.Append(cell is string or null ? "<td>" : "<td class=\"num\">").Append(encoder.Encode(Text(cell))).Append("</td>");
            }

            html.Append("</tr>\n");
        }

        return html.Append("</tbody>\n</table>\n").ToString();
    }

    public static string Csv(ITabular table)
    {
        var csv = new StringBuilder();
        csv.AppendJoin(',', table.Columns.Select(CsvCell)).Append("\r\n");
        foreach (var row in table.Rows())
        {
            csv.AppendJoin(',', row.Select(cell => cell is string text ? CsvCell(text) : Text(cell))).Append("\r\n");
        }

        return csv.ToString();
    }

    /// <summary>RFC 4180 quoting; a text starting with = + - @ (or a tab/CR) gets a leading ' so spreadsheets show it, not run it.</summary>
    public static string CsvCell(string text)
    {
        if (text.Length > 0 && text[0] is '=' or '+' or '-' or '@' or '\t' or '\r')
        {
            text = "'" + text;
        }

        return text.AsSpan().IndexOfAny(",\"\r\n") >= 0 || text != text.Trim()
            ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : text;
    }

    private static string Text(object? cell) => cell switch
    {
        null => "",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => cell.ToString() ?? "",
    };
}

public static class ReadResult
{
    public static ReadResult<T> Of<T>(T value) where T : ITabular => new(value);
}
