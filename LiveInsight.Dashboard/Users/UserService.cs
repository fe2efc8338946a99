using Microsoft.AspNetCore.Identity;

namespace LiveInsight.Dashboard.Users;

/// <summary>Password checks and account creation over <see cref="UserRepository"/>.</summary>
public sealed class UserService(UserRepository users, TimeProvider time)
{
    public const int MinPasswordLength = 12;
    public const int MaxFailedLogins = 5;
    public static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);
    public const int MaxPasswordLength = 256;

    private static readonly PasswordHasher<DashboardUser> Hasher = new();

    /// <summary>A hash to verify against when the user does not exist, so both cases take the same time.</summary>
    private static readonly string DummyHash = Hasher.HashPassword(null!, Guid.NewGuid().ToString());

    public async Task<DashboardUser?> VerifyAsync(string? email, string? password, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(email) || string.IsNullOrEmpty(password) || password.Length > MaxPasswordLength)
        {
            return null;
        }

        var user = await users.FindAsync(email, cancellationToken);
        var result = Hasher.VerifyHashedPassword(user!, user?.PasswordHash ?? DummyHash, password);
        if (user is null)
        {
            return null;
        }

        var now = time.GetUtcNow();
        if (user.LockedUntil is { } lockedUntil && lockedUntil > now)
        {
            // Locked: even the right password does not sign in; the answer does not say which it was.
            return null;
        }

        if (result == PasswordVerificationResult.Failed)
        {
            await users.RecordFailedLoginAsync(user.Email, MaxFailedLogins, now + LockoutDuration, cancellationToken);
            return null;
        }

        if (user.FailedLogins > 0 || user.LockedUntil is not null)
        {
            await users.ResetFailedLoginsAsync(user.Email, cancellationToken);
        }

        return user;
    }

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
        return user with { PasswordHash = Hasher.HashPassword(user, password) };
    }

    public Task<bool> CreateFirstAdminAsync(string email, string password, CancellationToken cancellationToken) =>
        users.CreateFirstAsync(NewUser(email, password, Roles.Admin), cancellationToken);

    public Task<bool> CreateAsync(string email, string password, string role, CancellationToken cancellationToken) =>
        users.CreateAsync(NewUser(email, password, role), cancellationToken);

    /// <summary>False when a user with that e-mail already exists.</summary>
    public Task<bool> CreateAsync(DashboardUser user, CancellationToken cancellationToken) => users.CreateAsync(user, cancellationToken);

    public async Task<bool> ExistsAsync(string email, CancellationToken cancellationToken) => await users.FindAsync(email, cancellationToken) is not null;

    public Task<bool> SetupDoneAsync(CancellationToken cancellationToken) => users.AnyAsync(cancellationToken);
}
