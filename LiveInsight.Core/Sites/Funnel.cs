using System.ComponentModel;
using System.Security.Cryptography;

namespace LiveInsight.Core.Sites;

/// <summary>
/// A saved funnel of a site, stored with the site (<see cref="Site.Funnels"/>): 2 to 8 ordered steps, each a page step
/// (page views whose path matches a <see cref="PathPattern"/>, as page goals) or an event step (custom events by name,
/// optionally with one property value, as event goals), and the <see cref="Window"/> a visitor has to go through them.
/// </summary>
[ImmutableObject(true)]
public sealed record Funnel(string Id, string Name, IReadOnlyList<FunnelStep> Steps, string Window)
{
    /// <summary>Every funnel of a site is stored in the site's item, which must stay small.</summary>
    public const int MaxPerSite = 20;

    public const int MinSteps = 2;
    public const int MaxSteps = 8;
    public const int MaxNameLength = 120;

    /// <summary>Steps must happen within one session (the default).</summary>
    public const string SessionWindow = "session";

    /// <summary>The windows a funnel may have, and how long each is after the first step (null: the session).
    /// Visitor ids change at midnight UTC (the daily salt), so no window reaches past it.</summary>
    public static readonly IReadOnlyDictionary<string, TimeSpan?> Windows = new Dictionary<string, TimeSpan?>
    {
        [SessionWindow] = null,
        ["1h"] = TimeSpan.FromHours(1),
        ["24h"] = TimeSpan.FromHours(24),
        ["7d"] = TimeSpan.FromDays(7),
    };

    private const string IdAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    /// <summary><c>f_</c> and 8 random characters.</summary>
    public static string NewId() => "f_" + RandomNumberGenerator.GetString(IdAlphabet, 8);

    public static bool IsWellFormedId(string? id) =>
        id is { Length: 10 } && id.StartsWith("f_", StringComparison.Ordinal) && id[2..].All(c => IdAlphabet.Contains(c, StringComparison.Ordinal));
}

/// <summary>One step of a <see cref="Funnel"/>: <see cref="Goal.PageKind"/> with <see cref="Path"/>, or
/// <see cref="Goal.EventKind"/> with <see cref="EventName"/> and optionally <see cref="PropKey"/> = <see cref="PropValue"/>.</summary>
[ImmutableObject(true)]
public sealed record FunnelStep(string Kind, string? Path, string? EventName, string? PropKey, string? PropValue, string? DisplayName)
{
    public bool IsPage => Kind == Goal.PageKind;

    /// <summary>What the dashboard shows for the step: its display name, else the path or the event's name.</summary>
    public string Label => DisplayName ?? (IsPage ? "Visit " + Path : EventName!);

    /// <summary>The step as a goal, so one predicate (QuerySql's goal match) serves goals and funnels alike.</summary>
    public Goal AsGoal() => new("step", Kind, Label, Path, EventName, PropKey, PropValue);
}
