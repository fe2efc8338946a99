using LiveInsight.Aggregator.Rollups;
using LiveInsight.Aggregator.Sessions;
using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;

namespace LiveInsight.Aggregator.Tests;

/// <summary>Issue 22: the batch's first pass over the rollups only records the values the cap must decide
/// (<see cref="RollupDeltas.ValuesOnly"/>). It must ask for exactly what the full pass writes, or a value would reach
/// the rollups without the cap having seen it; and it must build nothing else.</summary>
public sealed class RollupDryRunTests
{
    private static readonly IRollup[] Rollups =
        [new SummaryRollup(), new PageRollup(), new DimensionRollup(), new EventRollup(), new PropRollup(), new SessionRollup()];

    [Fact]
    public void The_values_only_pass_asks_the_cap_for_every_value_the_full_pass_writes_and_builds_no_deltas()
    {
        var events = Events().ToList();
        var full = Run(events, valuesOnly: false);
        var dry = Run(events, valuesOnly: true);

        Assert.NotEmpty(full.Counters);
        Assert.NotEmpty(full.VisitorSketches);
        Assert.NotEmpty(full.Sessions);
        // Every dimension the rollups write is among the values asked (pages, events, props, each session dimension).
        var dimensions = full.Values.Asked.Select(v => v.Dimension).ToHashSet();
        foreach (var dimension in new[] { RollupLayout.Page, RollupLayout.Event, RollupLayout.Prop }.Concat(RollupLayout.SessionDimensions))
        {
            Assert.Contains(dimension, dimensions);
        }

        Assert.Contains(full.Values.Asked, v => v.Dimension == RollupLayout.Country && v.Value == "JP");
        Assert.Equal(full.Values.Asked.Order().ToList(), dry.Values.Asked.Order().ToList());
        Assert.Empty(dry.Counters);
        Assert.Empty(dry.VisitorSketches);
        Assert.Empty(dry.Sessions);
    }

    private static RollupDeltas Run(List<StreamEvent> events, bool valuesOnly)
    {
        var deltas = new RollupDeltas(new RollupValues()) { ValuesOnly = valuesOnly };
        foreach (var e in events)
        {
            var target = RollupTarget.For(e, TimeZoneInfo.Utc);
            foreach (var rollup in Rollups)
            {
                rollup.Apply(e, target, deltas);
            }
        }

        return deltas;
    }

    private static IEnumerable<StreamEvent> Events()
    {
        const string site = "dryrunsite000001";
        var ts = new DateTimeOffset(2026, 11, 30, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();
        for (var i = 0; i < 40; i++)
        {
            var session = $"s{i % 7}";
            yield return new StreamEvent
            {
                SiteId = site, EventId = $"pv{i}", EventType = "page_view", Ts = ts + (i * 1000), SessionId = session,
                VisitorId = $"v{i % 5}", Path = $"/page/{i % 9}", ReferrerHost = $"ref{i % 4}.example", Source = $"Source {i % 3}",
                Medium = "referral", UtmSource = $"u{i % 2}", UtmMedium = "m", UtmCampaign = $"c{i % 3}", Browser = "Firefox",
                Os = i % 2 == 0 ? "Linux" : "Windows", Device = "desktop", Country = i % 2 == 0 ? "DE" : "FR",
            };
            yield return new StreamEvent
            {
                SiteId = site, EventId = $"ce{i}", EventType = "custom", Name = $"Signup {i % 3}", Ts = ts + (i * 1000) + 1,
                SessionId = session, VisitorId = $"v{i % 5}", Path = $"/page/{i % 9}",
                // Only the session rollup asks for a custom event's dimension values (the dimension rollup counts page
                // views): a dry run that skipped sessions would miss this one.
                Country = "JP",
                Props = new Dictionary<string, string> { ["plan"] = $"p{i % 4}", ["seats"] = $"{i % 6}" },
            };
            yield return new StreamEvent
            {
                SiteId = site, EventId = $"en{i}", EventType = "engagement", Ts = ts + (i * 1000) + 2, SessionId = session,
                VisitorId = $"v{i % 5}", Path = $"/page/{i % 9}", EngagedMs = 1500, ScrollDepth = 40 + i,
            };
        }
    }
}
