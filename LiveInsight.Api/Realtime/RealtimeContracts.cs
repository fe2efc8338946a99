using LiveInsight.Api.Extensions;

namespace LiveInsight.Api.Realtime;

public sealed record RealtimeUsers(string SiteId, long ActiveUsers, int WindowSeconds, DateTimeOffset AsOf) : ITabular
{
    string ITabular.Report => "realtime-users";

    IReadOnlyList<string> ITabular.Columns => ["active_users", "window_seconds", "as_of"];

    IEnumerable<object?[]> ITabular.Rows() => [[ActiveUsers, WindowSeconds, AsOf.ToString("O")]];
}

/// <summary>Active users per page, counted over the <see cref="SessionsCounted"/> most recently active sessions (at most
/// <see cref="SessionsCountedAtMost"/>: on a busier site the counts are a sample of its most recent visitors).</summary>
public sealed record RealtimePages(string SiteId, IReadOnlyList<RealtimePage> Pages, DateTimeOffset AsOf) : ITabular
{
    public long SessionsCounted { get; init; }

    public int SessionsCountedAtMost { get; init; }

    string ITabular.Report => "realtime-pages";

    IReadOnlyList<string> ITabular.Columns => ["path", "active_users"];

    IEnumerable<object?[]> ITabular.Rows() => Pages.Select(p => new object?[] { p.Path, p.ActiveUsers });
}

public sealed record RealtimePage(string Path, long ActiveUsers);

/// <summary>What the push stream sends every 2 s.</summary>
public sealed record RealtimeSnapshot(RealtimeUsers Users, RealtimePages Pages);
