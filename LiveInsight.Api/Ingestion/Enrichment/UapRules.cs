using System.Text.RegularExpressions;
using YamlDotNet.Serialization;

namespace LiveInsight.Api.Ingestion.Enrichment;

/// <summary>uap-core's regexes.yaml loaded as three ordered rule lists; the first matching rule of each list wins.</summary>
internal sealed class UapRules
{
    // uap-core's regexes are written to be ReDoS-safe; the timeout is a last guard for the hot path. It is wall-clock
    // time, so it must stay far above what a busy machine takes for a benign match (100 ms misparsed real browsers
    // while the test suites ran on two cores); the first timeout gives up the list, so a User-Agent costs at most one
    // timeout per list, and the cache keeps the answer.
    private static readonly TimeSpan MatchTimeout = TimeSpan.FromSeconds(1);

    private static readonly string[] UaFields = ["family_replacement", "v1_replacement", "v2_replacement"];
    private static readonly string[] OsFields = ["os_replacement", "os_v1_replacement", "os_v2_replacement"];
    private static readonly string[] DeviceFields = ["device_replacement"];

    public required IReadOnlyList<UapRule> UserAgent { get; init; }
    public required IReadOnlyList<UapRule> Os { get; init; }
    public required IReadOnlyList<UapRule> Device { get; init; }

    /// <summary>Regexes .NET refused to compile (PCRE-only syntax); they are left out.</summary>
    public required int Skipped { get; init; }

    public static UapRules Load(string path)
    {
        using var reader = File.OpenText(path);
        var yaml = new DeserializerBuilder().IgnoreUnmatchedProperties().Build()
            .Deserialize<Dictionary<string, List<Dictionary<string, string>>>>(reader);

        var skipped = 0;
        List<UapRule> Section(string name, string[] fields)
        {
            var rules = new List<UapRule>();
            foreach (var entry in yaml.GetValueOrDefault(name) ?? [])
            {
                var options = RegexOptions.CultureInvariant;
                if (entry.GetValueOrDefault("regex_flag") == "i")
                {
                    options |= RegexOptions.IgnoreCase;
                }

                try
                {
                    var regex = new Regex(entry["regex"], options, MatchTimeout);
                    rules.Add(new UapRule(regex, [.. fields.Select(entry.GetValueOrDefault)]));
                }
                catch (ArgumentException)
                {
                    skipped++;
                }
            }

            return rules;
        }

        return new UapRules
        {
            UserAgent = Section("user_agent_parsers", UaFields),
            Os = Section("os_parsers", OsFields),
            Device = Section("device_parsers", DeviceFields),
            Skipped = skipped,
        };
    }

    /// <summary>The first matching rule's family and "major[.minor]" version; ("Other", "") when none matches, or
    /// when a rule times out: an input that defeats one regex gives up the list rather than try each of the hundreds
    /// left for up to <see cref="MatchTimeout"/> each (a flood of such User-Agents would otherwise cost minutes each).</summary>
    public static (string Family, string Version) FamilyAndVersion(IReadOnlyList<UapRule> rules, string userAgent)
    {
        foreach (var rule in rules)
        {
            if (rule.Match(userAgent, out var timedOut) is not { } match)
            {
                if (timedOut)
                {
                    break;
                }

                continue;
            }

            var family = rule.Field(match, 0) ?? "Other";
            var major = rule.Field(match, 1);
            var minor = rule.Field(match, 2);
            var version = major is null ? "" : minor is null ? major : $"{major}.{minor}";
            return (family, version);
        }

        return ("Other", "");
    }
}
