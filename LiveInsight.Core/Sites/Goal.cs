using System.ComponentModel;
using System.Security.Cryptography;

namespace LiveInsight.Core.Sites;

/// <summary>
/// A conversion goal of a site, stored with the site (<see cref="Site.Goals"/>): a page goal counts page views whose
/// path matches <see cref="Path"/> (a <see cref="PathPattern"/>), an event goal counts custom events named
/// <see cref="EventName"/>, optionally only those whose property <see cref="PropKey"/> is <see cref="PropValue"/>.
/// The query API names goals by <see cref="DisplayName"/>, which is unique within the site.
/// </summary>
[ImmutableObject(true)]
public sealed record Goal(string Id, string Kind, string DisplayName, string? Path, string? EventName, string? PropKey, string? PropValue)
{
    public const string PageKind = "page";
    public const string EventKind = "event";

    /// <summary>Every goal is matched against every event of a goal query, and the site item must stay small.</summary>
    public const int MaxPerSite = 100;

    public const int MaxDisplayNameLength = 120;

    private const string IdAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    public bool IsPage => Kind == PageKind;

    /// <summary><c>g_</c> and 8 random characters: unique within a site (the caller checks), never reused meaningfully.</summary>
    public static string NewId() => "g_" + RandomNumberGenerator.GetString(IdAlphabet, 8);

    public static bool IsWellFormedId(string? id) =>
        id is { Length: 10 } && id.StartsWith("g_", StringComparison.Ordinal) && id[2..].All(c => IdAlphabet.Contains(c, StringComparison.Ordinal));
}
