namespace LiveInsight.Dashboard.Users;

public static class Roles
{
    public const string Admin = "admin";
    public const string Viewer = "viewer";

    public static bool IsValid(string role) => role is Admin or Viewer;
}

/// <summary>A local account. The password is only kept as an ASP.NET Core Identity hash (PBKDF2, salted).</summary>
public sealed record DashboardUser(string Email, string PasswordHash, string Role, DateTimeOffset CreatedAt)
{
    /// <summary>Set after too many wrong passwords in a row: no sign-in until then, even with the right one.</summary>
    public DateTimeOffset? LockedUntil { get; init; }

    public int FailedLogins { get; init; }

    public static string NormaliseEmail(string email) => email.Trim().ToLowerInvariant();
}
