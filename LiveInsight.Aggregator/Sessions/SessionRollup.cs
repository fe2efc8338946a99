using LiveInsight.Aggregator.Rollups;
using LiveInsight.Core.Events;
using LiveInsight.Core.Stats;

namespace LiveInsight.Aggregator.Sessions;

/// <summary>
/// Sessions, entries, exits, bounces and duration depend on what Redis already knows of the session, so this rollup
/// only describes the touch; the apply script decides atomically: a new session is counted in its start buckets with
/// its entry page and as a bounce (and its visitor added to the day sketch of each of its dimension values), and each later touch books what it changes (bounce taken back, duration grown, exit
/// page moved) into those same buckets.
/// </summary>
public sealed class SessionRollup : IRollup
{
    public void Apply(StreamEvent e, RollupTarget target, RollupDeltas deltas)
    {
        if (e.SessionId is not { Length: > 0 } sessionId)
        {
            return;
        }

        var pageviewPath = e.EventType == "page_view" && e.Path is { } path ? RolledUp.Of(deltas, target, RollupLayout.Page, path) : null;
        var values = DimensionRollup.Values(e);
        var dimensions = new List<(string Dimension, RolledUp Value)>(values.Count);
        foreach (var (dimension, value) in values)
        {
            dimensions.Add((dimension, RolledUp.Of(deltas, target, dimension, value)));
        }

        if (deltas.ValuesOnly)
        {
            return;
        }

        deltas.Sessions.Add(new SessionTouch(
            RedisKeys.Session(e.SiteId, sessionId),
            RedisKeys.OpenSessionMember(e.SiteId, sessionId),
            e.Ts,
            pageviewPath,
            e.EventType == "custom" && e.NonInteractive != true,
            target,
            dimensions,
            e.VisitorId));
    }
}
