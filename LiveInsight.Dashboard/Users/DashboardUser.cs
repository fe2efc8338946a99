using LiveInsight.Dashboard.Auth;

namespace LiveInsight.Dashboard.Users;

/// <summary>Installation-wide roles. What a user may do on one site is a <see cref="SiteRole"/> (the user item's
/// <c>sites</c> map); an installation administrator is owner of every site.</summary>
public static class Roles
{
    /// <summary>Creates sites, manages every user, owns every site: the first /setup user and OIDC AdminEmails.</summary>
    public const string Admin = "admin";

    /// <summary>Everyone else: sees only the sites they are a member of.</summary>
    public const string Member = "member";

    /// <summary>The global role's name before per-site roles existed; stored items and requests with it mean member.</summary>
    public const string LegacyViewer = "viewer";

    public static bool IsValid(string role) => role is Admin or Member or LegacyViewer;

    public static string Normalise(string? role) => role == Admin ? Admin : Member;
}

/// <summary>A person: a local account (the password only as an ASP.NET Core Identity hash, PBKDF2, salted) or, with
/// <see cref="SingleSignOn"/>, someone who signs in through OpenID Connect and only has site roles here (no password).</summary>
public sealed record DashboardUser(string Email, string PasswordHash, string Role, DateTimeOffset CreatedAt)
{
    /// <summary>Set after too many wrong passwords in a row: no sign-in until then, even with the right one.</summary>
    public DateTimeOffset? LockedUntil { get; init; }

    public int FailedLogins { get; init; }

    /// <summary>Site id → the user's role there. Empty for installation administrators, who own every site anyway.</summary>
    public IReadOnlyDictionary<string, SiteRole> Sites { get; init; } = new Dictionary<string, SiteRole>();

    public bool IsAdmin => Role == Roles.Admin;

    /// <summary>Signs in through the identity provider; the item holds only the site roles an owner gave them.</summary>
    public bool SingleSignOn { get; init; }

    /// <summary>The authenticator secret (base32) once two-factor sign-in is on; null while it is off.</summary>
    public string? TotpSecret { get; init; }

    /// <summary>Unused recovery codes left (their hashes are on the item).</summary>
    public int RecoveryCodesLeft { get; init; }

    public bool HasTwoFactor => TotpSecret is not null;

    public static string NormaliseEmail(string email) => email.Trim().ToLowerInvariant();
}
