using System.Text.RegularExpressions;
using LiveInsight.Api.Ingestion.Enrichment;

namespace LiveInsight.Api.Tests.Ingestion.Enrichment;

/// <summary>The User-Agent cache under a flood of made-up User-Agents, and the regex time budget per User-Agent.</summary>
public sealed class UserAgentCacheTests
{
    private const string Popular = EventPosting.ChromeOnWindows;

    [Fact]
    public void A_flood_of_distinct_user_agents_does_not_push_out_a_popular_one()
    {
        const int capacity = 64;
        var cache = new ClockCache<string>(capacity);
        var parsedPopular = 0;
        cache.GetOrAdd(Popular, _ => $"parsed {++parsedPopular}");

        for (var i = 0; i < 20 * capacity; i++)
        {
            cache.GetOrAdd($"flood/{i}", ua => ua);
            cache.GetOrAdd(Popular, _ => $"parsed {++parsedPopular}");
            Assert.InRange(cache.Count, 1, capacity);
        }

        Assert.True(cache.Contains(Popular));
        Assert.Equal(1, parsedPopular);
    }

    [Fact]
    public void A_full_cache_replaces_entries_not_used_since_they_were_added_first()
    {
        var cache = new ClockCache<string>(3);
        cache.GetOrAdd("a", k => k);
        cache.GetOrAdd("b", k => k);
        cache.GetOrAdd("c", k => k);
        cache.TryGet("a", out _);
        cache.TryGet("c", out _);

        cache.GetOrAdd("d", k => k);

        Assert.Equal([true, false, true, true], new[] { "a", "b", "c", "d" }.Select(cache.Contains));
        Assert.Equal(3, cache.Count);
    }

    [Fact]
    public void The_parser_keeps_a_popular_user_agent_cached_through_a_flood()
    {
        var data = Path.Combine(AppContext.BaseDirectory, "data");
        var parser = new UserAgentParser(
            Path.Combine(data, "uap-regexes.yaml"), Path.Combine(data, "crawler-user-agents.json"), cacheEntries: 16);
        var popular = parser.Parse(Popular);

        for (var i = 0; i < 5 * 16; i++)
        {
            parser.Parse($"Mozilla/5.0 (X11; Linux x86_64; rv:{i}.0) Gecko/20100101 Firefox/{i}.0");
            Assert.Same(popular, parser.Parse(Popular));
            Assert.InRange(parser.CachedCount, 1, 16);
        }

        Assert.True(parser.IsCached(Popular));
    }

    [Fact]
    public void A_user_agent_that_times_out_one_rule_gives_up_the_rest_of_the_list()
    {
        // (a+)+$ backtracks exponentially on "aaaa…!"; the rule after it would match anything.
        var evil = new Regex("(a+)+$", RegexOptions.None, TimeSpan.FromMilliseconds(20));
        var rules = Enumerable.Range(0, 3).Select(_ => new UapRule(evil, []))
            .Append(new UapRule(new Regex("(.+)"), ["Matched"]))
            .ToList();

        var (family, version) = UapRules.FamilyAndVersion(rules, new string('a', 40) + "!");

        Assert.Equal(("Other", ""), (family, version));
    }
}
