using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;
using LiveInsight.Testing;

namespace LiveInsight.Api.Tests.Ingestion;

public sealed class LuaLayoutTests
{
    [Fact]
    public void The_apis_scripts_name_no_key_or_field_that_the_layout_classes_do_not_produce()
    {
        var scripts = LuaLayout.ScriptsIn(typeof(Api.Ingestion.EventWriter).Assembly);
        var names = LuaLayout.NamesOf(typeof(RedisKeys), typeof(RollupLayout));

        // The ingestion script and the realtime pages script at least: if one disappears from view, the check is blind.
        Assert.True(scripts.Count >= 2, $"found only {string.Join(", ", scripts.Keys)}");
        Assert.Empty(scripts.SelectMany(s => LuaLayout.StrangersIn(s.Value, names).Select(q => $"{s.Key}: '{q}'")));
    }
}
