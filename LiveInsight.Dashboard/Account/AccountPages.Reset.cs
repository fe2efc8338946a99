namespace LiveInsight.Dashboard.Account;

/// <summary>Password reset pages: ask for the link, and choose a new password with it.</summary>
public static partial class AccountPages
{
    /// <summary>The one answer to a reset request, whether or not the address has an account.</summary>
    public const string ResetRequested =
        "If an account with a password exists for that address, a link to choose a new one is on its way. It works once, for 30 minutes.";

    public static string ForgotPassword(string csrfField, string csrfToken, string? email, string? notice, string? error) =>
        Layout("Reset your password", $"""
            {Notice(notice)}
            <p class="mb-4 text-sm text-slate-600 dark:text-slate-300">Enter the e-mail address of your account: we send a link to choose
            a new password. People who sign in through single sign-on change their password there.</p>
            <form method="post" action="/login/forgot" class="space-y-4" novalidate>
              <input type="hidden" name="{E(csrfField)}" value="{E(csrfToken)}">
              {Error(error)}
              {Field("email", "E-mail", "email", "username", email)}
              <button type="submit" class="{ButtonClass}">Send the link</button>
            </form>
            <p class="mt-4 text-center text-sm"><a class="text-indigo-700 underline dark:text-indigo-300" href="/login">Back to sign in</a></p>
            """);

    public static string ResetPassword(string csrfField, string csrfToken, string token, string email, string? error) =>
        Layout("Choose a new password", $"""
            <p class="mb-4 text-sm text-slate-600 dark:text-slate-300">For <strong id="reset-email">{E(email)}</strong>. Every session of
            the account ends when the password changes.</p>
            <form method="post" action="/reset/{E(token)}" class="space-y-4" novalidate>
              <input type="hidden" name="{E(csrfField)}" value="{E(csrfToken)}">
              {Error(error)}
              {Field("password", "New password (at least 12 characters)", "password", "new-password", null)}
              {Field("confirm", "New password again", "password", "new-password", null)}
              <button type="submit" class="{ButtonClass}">Set the password</button>
            </form>
            """);

    public static string ResetInvalid() => Layout("This link cannot be used", """
        <p id="form-error" role="alert" class="text-sm">The link was used already, has expired (links are valid for 30 minutes),
        the password changed since it was sent, or it was never valid. Ask for a new one.</p>
        <p class="mt-4"><a class="text-indigo-700 underline dark:text-indigo-300" href="/login/forgot">Reset your password</a></p>
        """);

    private static string Notice(string? notice) => notice is null ? "" :
        $"""<p id="form-notice" role="status" class="mb-4 rounded-md border border-emerald-300 bg-emerald-50 p-3 text-sm text-emerald-900 dark:border-emerald-700 dark:bg-emerald-950 dark:text-emerald-200">{E(notice)}</p>""";
}
