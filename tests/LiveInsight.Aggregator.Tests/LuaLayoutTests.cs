using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;
using LiveInsight.Testing;

namespace LiveInsight.Aggregator.Tests;

public sealed class LuaLayoutTests
{
    [Fact]
    public void The_aggregators_scripts_name_no_key_or_field_that_the_layout_classes_do_not_produce()
    {
        var scripts = LuaLayout.ScriptsIn(typeof(Consumer.BatchProcessor).Assembly);
        var names = LuaLayout.NamesOf(typeof(RedisKeys), typeof(RollupLayout));

        // The apply script, the session closer's and the value cap's: if one disappears from view, the check is blind.
        Assert.True(scripts.Count >= 3, $"found only {string.Join(", ", scripts.Keys)}");
        Assert.Empty(scripts.SelectMany(s => LuaLayout.StrangersIn(s.Value, names).Select(q => $"{s.Key}: '{q}'")));
    }

    [Fact]
    public void No_script_in_any_service_types_a_name_that_the_layout_classes_should_give_it()
    {
        // Every quoted name in a script's source is interpolated ('{{F.Pages}}'), so renaming a layout name renames it
        // in every script; a name typed again ('pages') would be left behind.
        Assert.Empty(LuaLayout.TypedNamesInSources(RepositoryPaths.Root));
    }

    [Fact]
    public void A_name_typed_into_a_script_is_found_and_an_interpolated_one_is_not()
    {
        var names = LuaLayout.NamesOf(typeof(RedisKeys), typeof(RollupLayout));
        const string typed = """"
            var lua = $$"""
                redis.call('HINCRBY', h, 'summary||bounces', 1) -- 'comment'
                redis.call('HGET', sk, 'page_count', '{{F.Pages}}', '{{F.RealPrefix}}{{F.Entry}}', 'LIMIT', '-inf')
                """;
            """";

        Assert.Equal(["summary||bounces", "page_count"], LuaLayout.TypedNamesIn(typed));
        Assert.Equal(["summary||bounces", "page_count"], LuaLayout.StrangersIn("redis.call('HINCRBY', h, 'summary||bounces', 1)\nredis.call('HGET', sk, 'page_count')", names));
        Assert.Empty(LuaLayout.StrangersIn($"redis.call('HGET', sk, '{RedisKeys.SessionFields.Pages}')", names));
    }
}
