using Microsoft.AspNetCore.Identity;

namespace LiveInsight.Dashboard.Users;

/// <summary>Password checks and account creation over <see cref="UserRepository"/>.</summary>
public sealed class UserService(UserRepository users, IPasswordHasher<DashboardUser> hasher, TimeProvider time)
{
    public const int MinPasswordLength = 12;
    public const int MaxFailedLogins = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);
    public const int MaxPasswordLength = 256;

    /// <summary>A hash to verify against when no real check is made (unknown e-mail, locked account), so every answer
    /// takes the time of one check.</summary>
    private static readonly string DummyHash = new PasswordHasher<DashboardUser>().HashPassword(null!, Guid.NewGuid().ToString());

    /// <summary>One attempt: the account's try is reserved before the password is checked (see
    /// <see cref="UserRepository.ReserveLoginAttemptAsync"/>), so at most <see cref="MaxFailedLogins"/> wrong passwords
    /// are ever checked before the lock, however many arrive at once. A right password clears the count.</summary>
    public async Task<DashboardUser?> VerifyAsync(string? email, string? password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(password) || password.Length > MaxPasswordLength)
        {
            return null;
        }

        // Only a bare address can be an account key; anything else (a 3 KB "e-mail" would be a key DynamoDB refuses) is
        // an unknown account, answered after the same one check.
        var user = EmailAddress.Normalise(email) is { } normalised ? await users.FindAsync(normalised, cancellationToken) : null;
        var now = time.GetUtcNow();
        var attempt = user is null ? null : await users.ReserveLoginAttemptAsync(user.Email, MaxFailedLogins, now, cancellationToken);
        if (user is null || attempt is null)
        {
            // Unknown, or locked (even the right password does not sign in): the answer does not say which.
            hasher.VerifyHashedPassword(null!, DummyHash, password);
            return null;
        }

        if (hasher.VerifyHashedPassword(user, user.PasswordHash, password) == PasswordVerificationResult.Failed)
        {
            if (attempt >= MaxFailedLogins)
            {
                await users.LockAsync(user.Email, now + LockoutDuration, cancellationToken);
            }

            return null;
        }

        // With two-factor sign-in the count stays until the code is right too (TwoFactorApi), so a known password
        // does not buy a fresh set of code guesses each time it is sent.
        if (!user.HasTwoFactor)
        {
            await users.ResetFailedLoginsAsync(user.Email, cancellationToken);
        }

        return user;
    }

    /// <summary>One code attempt counts like a password attempt against the account (same count, same lockout).</summary>
    /// <returns>False when the account is locked or out of tries: no code is checked.</returns>
    public async Task<bool> ReserveCodeAttemptAsync(DashboardUser user, CancellationToken cancellationToken) =>
        await users.ReserveLoginAttemptAsync(user.Email, MaxFailedLogins, time.GetUtcNow(), cancellationToken) is not null;

    /// <summary>After a wrong code: locks the account when this was the last try (which also ends its sessions).</summary>
    public async Task FailedCodeAsync(DashboardUser user, CancellationToken cancellationToken)
    {
        if (await users.FindAsync(user.Email, cancellationToken) is { FailedLogins: >= MaxFailedLogins })
        {
            await users.LockAsync(user.Email, time.GetUtcNow() + LockoutDuration, cancellationToken);
        }
    }

    public Task SucceededAsync(DashboardUser user, CancellationToken cancellationToken) => users.ResetFailedLoginsAsync(user.Email, cancellationToken);

    /// <summary>Null when valid; otherwise what is wrong, in words for the form.</summary>
    public static string? Validate(string? email, string? password, string? confirm)
    {
        if (!EmailAddress.IsValid(email))
        {
            return EmailAddress.Problem;
        }

        if (password is null || password.Length < MinPasswordLength || password.Length > MaxPasswordLength)
        {
            return $"The password needs {MinPasswordLength} to {MaxPasswordLength} characters.";
        }

        return confirm is not null && confirm != password ? "The two passwords differ." : null;
    }

    public DashboardUser NewUser(string email, string password, string role)
    {
        var normalised = DashboardUser.NormaliseEmail(email);
        var user = new DashboardUser(normalised, "", role, time.GetUtcNow());
        return user with { PasswordHash = hasher.HashPassword(user, password) };
    }

    /// <summary>Hashes <paramref name="password"/> for the user and puts it in place of the hash the reset link was made for.</summary>
    public Task<bool> ReplacePasswordAsync(DashboardUser user, string password, CancellationToken cancellationToken) =>
        users.ReplacePasswordAsync(user.Email, user.PasswordHash, hasher.HashPassword(user, password), cancellationToken);

    /// <summary>The local account with this e-mail (a password to reset), or null: unknown, malformed, single sign-on.</summary>
    public async Task<DashboardUser?> FindLocalAsync(string? email, CancellationToken cancellationToken) =>
        EmailAddress.Normalise(email) is { } normalised ? await users.FindAsync(normalised, cancellationToken) : null;

    public Task<bool> CreateFirstAdminAsync(string email, string password, CancellationToken cancellationToken) =>
        users.CreateFirstAsync(NewUser(email, password, Roles.Admin), cancellationToken);

    public Task<bool> CreateAsync(string email, string password, string role, CancellationToken cancellationToken) =>
        users.CreateAsync(NewUser(email, password, role), cancellationToken);

    /// <summary>False when a user with that e-mail already exists.</summary>
    public Task<bool> CreateAsync(DashboardUser user, CancellationToken cancellationToken) => users.CreateAsync(user, cancellationToken);

    public async Task<bool> ExistsAsync(string email, CancellationToken cancellationToken) => await users.FindAsync(email, cancellationToken) is not null;

    public Task<bool> SetupDoneAsync(CancellationToken cancellationToken) => users.AnyAsync(cancellationToken);
}
