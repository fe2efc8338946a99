using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace LiveInsight.Api.Ingestion.Enrichment;

/// <summary>Campaign parameters of a page URL, cleaned so any of them can go straight into a rollup key.</summary>
public sealed record Utm(string? Source, string? Medium, string? Campaign, string? Term, string? Content)
{
    public const int MaxLength = 100;

    public static readonly Utm None = new(null, null, null, null, null);

    /// <summary>
    /// Reads utm_* from a query string ("?a=b" or "a=b"). Like Plausible, "ref" and then "source" stand in for a
    /// missing utm_source: links shared as ?ref=producthunt are campaigns too.
    /// </summary>
    public static Utm FromQuery(string? query)
    {
        if (string.IsNullOrEmpty(query) || query == "?")
        {
            return None;
        }

        var parameters = QueryHelpers.ParseQuery(query);
        string? Get(string key) => parameters.TryGetValue(key, out var values) ? Clean(values) : null;

        return new Utm(
            Get("utm_source") ?? Get("ref") ?? Get("source"),
            Get("utm_medium"),
            Get("utm_campaign"),
            Get("utm_term"),
            Get("utm_content"));
    }

    private static string? Clean(StringValues values)
    {
        foreach (var raw in values)
        {
            var value = raw.AsSpan().Trim();
            if (InvisibleText.Any(value))
            {
                value = InvisibleText.Strip(value.ToString()).AsSpan().Trim();
            }

            if (value.Length > MaxLength)
            {
                // Never cut a surrogate pair in half: the half would be an invalid string everywhere downstream.
                value = value[..(char.IsHighSurrogate(value[MaxLength - 1]) ? MaxLength - 1 : MaxLength)].TrimEnd();
            }

            if (!value.IsEmpty)
            {
                return value.ToString();
            }
        }

        return null;
    }
}
