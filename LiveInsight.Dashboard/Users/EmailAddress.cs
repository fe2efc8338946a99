namespace LiveInsight.Dashboard.Users;

/// <summary>
/// The one check and normal form of an e-mail address used as an account key (setup, users, invites, members, single
/// sign-on): a bare <c>local@domain</c>, lower case. <see cref="System.Net.Mail.MailAddress"/> is not used: it accepts
/// a display name (<c>Eve &lt;admin@x.com&gt;</c>), comments and quoted local parts, and an account key must be one
/// spelling of one address, nothing else.
/// </summary>
public static class EmailAddress
{
    public const int MaxLength = 254;

    public const string Problem = "Enter a bare e-mail address (name@example.com): no name, spaces or brackets around it.";
    private const int MaxLocalLength = 64;
    private const int MaxLabelLength = 63;

    /// <summary>The normal form, or null when <paramref name="text"/> is not a bare address. Surrounding whitespace (from a
    /// form field) is ignored; any inside is not.</summary>
    public static string? Normalise(string? text)
    {
        var email = text?.Trim().ToLowerInvariant();
        if (email is not { Length: > 0 and <= MaxLength } || email.IndexOf('@') is not (> 0 and var at) || at > MaxLocalLength
            || email.IndexOf('@', at + 1) >= 0)
        {
            return null;
        }

        return IsLocalPart(email[..at]) && IsDomain(email[(at + 1)..]) ? email : null;
    }

    public static bool IsValid(string? text) => Normalise(text) is not null;

    /// <summary>Dot-separated atoms of RFC 5322 <c>atext</c> (no quoted strings, no comments), or letters beyond ASCII.</summary>
    private static bool IsLocalPart(string local) =>
        local.Split('.').All(atom => atom.Length > 0 && atom.All(c => IsLetterOrDigit(c) || "!#$%&'*+/=?^_`{|}~-".Contains(c)));

    /// <summary>Host name labels (no address literals like <c>[127.0.0.1]</c>).</summary>
    private static bool IsDomain(string domain) =>
        domain.Split('.').All(label => label.Length is > 0 and <= MaxLabelLength && label[0] != '-' && label[^1] != '-'
            && label.All(c => IsLetterOrDigit(c) || c == '-'));

    private static bool IsLetterOrDigit(char c) => char.IsAsciiLetterOrDigit(c) || (c > 127 && char.IsLetterOrDigit(c));
}
