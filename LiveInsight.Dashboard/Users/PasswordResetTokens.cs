namespace LiveInsight.Dashboard.Users;

/// <summary>
/// Password reset links (<see cref="SignedTokens"/>): the account and a fingerprint of the password hash the link was
/// made for, valid <see cref="Lifetime"/>. A link works once: the reset replaces that hash (so does any other password
/// change), and the fingerprint no longer matches.
/// </summary>
public sealed class PasswordResetTokens(SignedTokens tokens)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(30);

    private const string Purpose = "password reset";

    public string Issue(string email, string passwordHash) => tokens.Issue(Purpose, Lifetime, email, SignedTokens.Fingerprint(passwordHash));

    /// <summary>The link's account and the fingerprint it must still match, or null when the link is malformed, forged or expired.</summary>
    public (string Email, string Fingerprint)? Read(string? token) =>
        tokens.Read(Purpose, token) is [var email, var fingerprint] ? (email, fingerprint) : null;
}
