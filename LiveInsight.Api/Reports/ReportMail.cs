using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;

namespace LiveInsight.Api.Reports;

/// <summary>
/// A report as a mail: table-based HTML with inline styles (what Gmail, Outlook and Apple Mail all render) and a plain-text
/// part with the same figures. Site names, paths, sources and event names are visitor or owner text: HTML-encoded, never
/// markup (a page titled <c>&lt;script&gt;</c> arrives as text).
/// </summary>
public static class ReportMail
{
    private static readonly HtmlEncoder Html = HtmlEncoder.Default;

    public static string Subject(ReportModel r) =>
        $"{(r.Frequency == "monthly" ? "Monthly" : "Weekly")} report for {Clean(r.Site.Name)}: {r.From:yyyy-MM-dd} to {r.To:yyyy-MM-dd}";

    public static (string Html, string Text) Render(ReportModel r, string unsubscribeUrl, string dashboardUrl)
    {
        var s = r.Summary;
        var figures = new (string Label, string Value, double? Change)[]
        {
            ("Visitors", Count(s.Visitors.Value), s.Visitors.Change),
            ("Pageviews", Count(s.Pageviews.Value), s.Pageviews.Change),
            ("Bounce rate", s.BounceRate.Value is { } b ? Percent(b) : "–", s.BounceRate.Change),
            ("Visit duration", s.AvgDurationSeconds.Value is { } d ? Duration(d) : "–", s.AvgDurationSeconds.Change),
        };

        var html = new StringBuilder();
        html.Append("<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">")
            .Append("<title>").Append(Html.Encode(Subject(r))).Append("</title></head>")
            .Append("<body style=\"margin:0;padding:0;background:#f4f4f5;font-family:Arial,Helvetica,sans-serif;color:#18181b\">")
            .Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr><td align=\"center\" style=\"padding:24px\">")
            .Append("<table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" style=\"background:#ffffff;border-radius:8px\">")
            .Append("<tr><td style=\"padding:24px 24px 8px\"><h1 style=\"margin:0;font-size:20px\">").Append(Html.Encode(r.Site.Name)).Append("</h1>")
            .Append("<p style=\"margin:4px 0 0;color:#52525b\">").Append(r.Frequency == "monthly" ? "Monthly" : "Weekly")
            .Append(" report · ").Append(Html.Encode($"{r.From:yyyy-MM-dd} – {r.To:yyyy-MM-dd}")).Append("</p></td></tr>")
            .Append("<tr><td style=\"padding:16px 24px\"><table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\"><tr>");
        foreach (var (label, value, change) in figures)
        {
            html.Append("<td style=\"padding:8px;border:1px solid #e4e4e7;width:25%\"><div style=\"font-size:12px;color:#52525b\">").Append(label)
                .Append("</div><div style=\"font-size:20px;font-weight:bold\">").Append(Html.Encode(value)).Append("</div>")
                .Append("<div style=\"font-size:12px;color:#52525b\">").Append(Html.Encode(Change(change))).Append("</div></td>");
        }

        html.Append("</tr></table></td></tr>");
        Table(html, "Top pages", "Page", "Visitors", r.TopPages.Select(p => (p.Path, p.Visitors)));
        Table(html, "Top sources", "Source", "Visitors", r.Sources.Select(row => (row.Value, row.Visitors ?? 0)));
        Table(html, "Goals", "Event", "Conversions", r.Goals.Select(row => (row.Value, row.Events ?? 0)));
        html.Append("<tr><td style=\"padding:16px 24px 24px;font-size:12px;color:#71717a\"><a href=\"").Append(Html.Encode(dashboardUrl))
            .Append("\" style=\"color:#2563eb\">Open the dashboard</a> · <a href=\"").Append(Html.Encode(unsubscribeUrl))
            .Append("\" style=\"color:#71717a\">Unsubscribe</a></td></tr></table></td></tr></table></body></html>");

        var text = new StringBuilder();
        text.AppendLine(Subject(r)).AppendLine();
        foreach (var (label, value, change) in figures)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"{label}: {value} ({Change(change)})");
        }

        TextTable(text, "Top pages", r.TopPages.Select(p => (p.Path, p.Visitors)));
        TextTable(text, "Top sources", r.Sources.Select(row => (row.Value, row.Visitors ?? 0)));
        TextTable(text, "Goals", r.Goals.Select(row => (row.Value, row.Events ?? 0)));
        text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Dashboard: {dashboardUrl}")
            .AppendLine(CultureInfo.InvariantCulture, $"Unsubscribe: {unsubscribeUrl}");
        return (html.ToString(), text.ToString());
    }

    private static void Table(StringBuilder html, string title, string column, string metric, IEnumerable<(string Value, long Count)> rows)
    {
        html.Append("<tr><td style=\"padding:8px 24px\"><h2 style=\"font-size:15px;margin:8px 0\">").Append(title).Append("</h2>")
            .Append("<table role=\"presentation\" width=\"100%\" cellpadding=\"4\" cellspacing=\"0\" style=\"font-size:13px\">")
            .Append("<tr><th align=\"left\" style=\"border-bottom:1px solid #e4e4e7\">").Append(column)
            .Append("</th><th align=\"right\" style=\"border-bottom:1px solid #e4e4e7\">").Append(metric).Append("</th></tr>");
        var any = false;
        foreach (var (value, count) in rows)
        {
            any = true;
            html.Append("<tr><td style=\"word-break:break-all\">").Append(Html.Encode(Clean(value))).Append("</td><td align=\"right\">")
                .Append(count.ToString("N0", CultureInfo.InvariantCulture)).Append("</td></tr>");
        }

        if (!any)
        {
            html.Append("<tr><td colspan=\"2\" style=\"color:#71717a\">None in this period.</td></tr>");
        }

        html.Append("</table></td></tr>");
    }

    private static void TextTable(StringBuilder text, string title, IEnumerable<(string Value, long Count)> rows)
    {
        text.AppendLine().AppendLine(title);
        foreach (var (value, count) in rows)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"  {count,10:N0}  {Clean(value)}");
        }
    }

    /// <summary>Control characters (a header injection in the subject, a line break in the text part) go.</summary>
    private static string Clean(string value) => new(value.Select(c => char.IsControl(c) ? ' ' : c).ToArray());

    private static string Count(double? value) => value is { } v ? v.ToString("N0", CultureInfo.InvariantCulture) : "–";

    private static string Percent(double fraction) => (fraction <= 1 ? fraction * 100 : fraction).ToString("0.#", CultureInfo.InvariantCulture) + " %";

    private static string Duration(double seconds) => TimeSpan.FromSeconds(Math.Round(seconds)) is var t && t.TotalHours >= 1
        ? t.ToString(@"h\:mm\:ss", CultureInfo.InvariantCulture)
        : t.ToString(@"m\:ss", CultureInfo.InvariantCulture);

    private static string Change(double? change) => change is { } c
        ? (c >= 0 ? "+" : "−") + Math.Abs(c * 100).ToString("0.#", CultureInfo.InvariantCulture) + " % vs. before"
        : "no earlier figure";
}
