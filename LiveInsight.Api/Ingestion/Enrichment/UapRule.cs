using System.Text;
using System.Text.RegularExpressions;

namespace LiveInsight.Api.Ingestion.Enrichment;

/// <summary>One uap-core parser entry: a regex and the optional "*_replacement" templates that fill each field.</summary>
internal sealed class UapRule(Regex regex, string?[] replacements)
{
    /// <param name="timedOut">Set when the regex gave up on a pathological input (its match timeout).</param>
    public Match? Match(string userAgent, out bool timedOut)
    {
        timedOut = false;
        try
        {
            var match = regex.Match(userAgent);
            return match.Success ? match : null;
        }
        catch (RegexMatchTimeoutException)
        {
            timedOut = true;
            return null;
        }
    }

    /// <summary>
    /// Field <paramref name="field"/> (0 = family, 1 = v1, …): its replacement with $1…$9 substituted, else
    /// capture group field+1, as uap-core specifies. Empty or whitespace counts as unknown (null).
    /// </summary>
    public string? Field(Match match, int field)
    {
        var template = field < replacements.Length ? replacements[field] : null;
        var value = template is null ? GroupValue(match, field + 1) : Substitute(template, match);
        value = value?.Trim();
        return string.IsNullOrEmpty(value) ? null : value;
    }

    private static string? GroupValue(Match match, int group) =>
        group < match.Groups.Count && match.Groups[group].Success ? match.Groups[group].Value : null;

    private static string Substitute(string template, Match match)
    {
        if (!template.Contains('$'))
        {
            return template;
        }

        var result = new StringBuilder(template.Length + 16);
        for (var i = 0; i < template.Length; i++)
        {
            if (template[i] == '$' && i + 1 < template.Length && char.IsAsciiDigit(template[i + 1]))
            {
                result.Append(GroupValue(match, template[i + 1] - '0'));
                i++;
            }
            else
            {
                result.Append(template[i]);
            }
        }

        return result.ToString();
    }
}
