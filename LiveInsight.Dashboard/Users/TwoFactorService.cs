using LiveInsight.Core.Sites;
using LiveInsight.Dashboard.Auth;

namespace LiveInsight.Dashboard.Users;

/// <summary>Enrolment (a pending secret confirmed by one code, then 10 recovery codes shown once), code checks (each
/// step once, each recovery code once) and the short-lived token that carries a right password to the code form.</summary>
public sealed class TwoFactorService(TwoFactorRepository store, SignedTokens tokens, TimeProvider time)
{
    public const string Issuer = "LiveInsight";
    public const int RecoveryCodeCount = 10;

    /// <summary>How long the code form stays usable after the right password.</summary>
    public static readonly TimeSpan PendingSignInLifetime = TimeSpan.FromMinutes(5);

    private const string SignInPurpose = "two-factor sign-in";

    public async Task<(string Uri, string Key)> BeginAsync(DashboardUser user, CancellationToken cancellationToken)
    {
        var secret = Totp.NewSecret();
        await store.SetPendingAsync(user.Email, Totp.Base32(secret), cancellationToken);
        return (Totp.Uri(Issuer, user.Email, secret), Totp.Base32(secret));
    }

    /// <summary>The pending enrolment as <see cref="BeginAsync"/> showed it, or null when none is pending.</summary>
    public async Task<(string Uri, string Key)?> PendingAsync(DashboardUser user, CancellationToken cancellationToken) =>
        await store.PendingAsync(user.Email, cancellationToken) is { } key && Totp.FromBase32(key) is { } secret
            ? (Totp.Uri(Issuer, user.Email, secret), key)
            : null;

    /// <returns>The recovery codes to show once, or null when the code is not the pending secret's.</returns>
    public async Task<IReadOnlyList<string>?> ConfirmAsync(DashboardUser user, string? code, CancellationToken cancellationToken)
    {
        if (await store.PendingAsync(user.Email, cancellationToken) is not { } key || Totp.FromBase32(key) is not { } secret
            || Totp.Match(secret, code, time.GetUtcNow()) is not { } step)
        {
            return null;
        }

        var codes = Enumerable.Range(0, RecoveryCodeCount).Select(_ => NewRecoveryCode()).ToList();
        return await store.EnableAsync(user.Email, key, step, codes.Select(HashRecoveryCode).ToList(), cancellationToken) ? codes : null;
    }

    /// <summary>A code from the authenticator (its step not used before) or an unused recovery code; either is used up.</summary>
    public async Task<bool> VerifyAsync(DashboardUser user, string? code, CancellationToken cancellationToken)
    {
        if (user.TotpSecret is null || Totp.FromBase32(user.TotpSecret) is not { } secret || code is not { Length: > 0 and <= 64 })
        {
            return false;
        }

        if (Totp.Match(secret, code, time.GetUtcNow()) is { } step)
        {
            return await store.ClaimStepAsync(user.Email, step, cancellationToken);
        }

        return NormaliseRecoveryCode(code) is { } recovery && await store.UseRecoveryCodeAsync(user.Email, HashRecoveryCode(recovery), cancellationToken);
    }

    public Task DisableAsync(DashboardUser user, CancellationToken cancellationToken) => store.DisableAsync(user.Email, cancellationToken);

    /// <summary>Carries "this browser gave the right password" to the code form: the account and its password's
    /// fingerprint, for <see cref="PendingSignInLifetime"/>.</summary>
    public string PendingSignIn(DashboardUser user) =>
        tokens.Issue(SignInPurpose, PendingSignInLifetime, user.Email, SignedTokens.Fingerprint(user.PasswordHash));

    public (string Email, string Fingerprint)? ReadPendingSignIn(string? token) =>
        tokens.Read(SignInPurpose, token) is [var email, var fingerprint] ? (email, fingerprint) : null;

    /// <summary>10 base32 characters (50 random bits), shown as <c>xxxxx-xxxxx</c>.</summary>
    private static string NewRecoveryCode()
    {
        var text = Totp.Base32(System.Security.Cryptography.RandomNumberGenerator.GetBytes(7))[..10].ToLowerInvariant();
        return text[..5] + "-" + text[5..];
    }

    private static string? NormaliseRecoveryCode(string code)
    {
        var bare = code.Replace("-", "", StringComparison.Ordinal).Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
        return bare.Length == 10 && bare.All(c => char.IsAsciiLetterLower(c) || c is >= '2' and <= '7') ? bare : null;
    }

    private static string HashRecoveryCode(string code) => BearerTokens.Hash(NormaliseRecoveryCode(code) ?? code);
}
