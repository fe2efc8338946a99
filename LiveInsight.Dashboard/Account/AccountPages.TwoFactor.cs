namespace LiveInsight.Dashboard.Account;

/// <summary>Two-factor pages: the code after the password, and the account's two-factor settings.</summary>
public static partial class AccountPages
{
    public static string TwoFactorSignIn(string csrfField, string csrfToken, string pending, string? returnUrl, string? error) =>
        Layout("Two-factor sign-in", $"""
            <p class="mb-4 text-sm text-slate-600 dark:text-slate-300">Enter the 6-digit code from your authenticator app, or one of
            your recovery codes.</p>
            <form method="post" action="/login/two-factor" class="space-y-4" novalidate>
              <input type="hidden" name="{E(csrfField)}" value="{E(csrfToken)}">
              <input type="hidden" name="pending" value="{E(pending)}">
              <input type="hidden" name="returnUrl" value="{E(returnUrl)}">
              {Error(error)}
              {Field("code", "Code", "text", "one-time-code", null)}
              <button type="submit" class="{ButtonClass}">Verify</button>
            </form>
            """);

    /// <param name="pending">The enrolment in progress (otpauth URI and manual key), or null.</param>
    /// <param name="recoveryCodes">Shown once, right after enrolment.</param>
    public static string TwoFactorSettings(
        string csrfField, string csrfToken, string email, bool enabled, int recoveryCodesLeft, (string Uri, string Key)? pending,
        IReadOnlyList<string>? recoveryCodes, bool required, string? notice, string? error)
    {
        var token = $"""<input type="hidden" name="{E(csrfField)}" value="{E(csrfToken)}">""";
        string body;
        if (recoveryCodes is not null)
        {
            body = $"""
                <p class="mb-2 text-sm">Two-factor sign-in is on. Keep these recovery codes somewhere safe: each signs in once
                without the app, and they are shown only now.</p>
                <ul id="recovery-codes" class="mb-4 grid grid-cols-2 gap-1 font-mono text-sm">{string.Concat(recoveryCodes.Select(c => $"<li>{E(c)}</li>"))}</ul>
                <p><a class="text-indigo-700 underline dark:text-indigo-300" href="/">Continue to the dashboard</a></p>
                """;
        }
        else if (enabled)
        {
            body = $"""
                <p id="two-factor-status" class="mb-4 text-sm">Two-factor sign-in is <strong>on</strong>. Recovery codes left: {recoveryCodesLeft}.</p>
                {Error(error)}
                {(required ? "<p class=\"text-sm\">This installation requires it, so it cannot be turned off.</p>" : $"""
                <form method="post" action="/account/two-factor" class="space-y-4" novalidate>
                  {token}
                  <input type="hidden" name="step" value="disable">
                  {Field("code", "A current code, to turn it off", "text", "one-time-code", null)}
                  <button type="submit" class="{ButtonClass}">Turn off two-factor sign-in</button>
                </form>
                """)}
                <p class="mt-4"><a class="text-indigo-700 underline dark:text-indigo-300" href="/">Back to the dashboard</a></p>
                """;
        }
        else if (pending is { } p)
        {
            body = $"""
                <p class="mb-2 text-sm">Add this account to your authenticator app (Google Authenticator, 1Password, Aegis…):
                paste the link, or type the key.</p>
                <p class="mb-1 text-xs font-semibold">Link</p>
                <p id="otpauth-uri" class="mb-2 break-all font-mono text-xs">{E(p.Uri)}</p>
                <p class="mb-1 text-xs font-semibold">Key</p>
                <p id="manual-key" class="mb-4 break-all font-mono text-sm">{E(p.Key)}</p>
                <form method="post" action="/account/two-factor" class="space-y-4" novalidate>
                  {token}
                  <input type="hidden" name="step" value="confirm">
                  {Error(error)}
                  {Field("code", "The 6-digit code the app shows", "text", "one-time-code", null)}
                  <button type="submit" class="{ButtonClass}">Turn on</button>
                </form>
                """;
        }
        else
        {
            body = $"""
                <p id="two-factor-status" class="mb-4 text-sm">{(required
                    ? "This installation requires two-factor sign-in: set it up to continue."
                    : "Two-factor sign-in is off. With it on, signing in also asks for a code from an app on your phone.")}</p>
                <form method="post" action="/account/two-factor" novalidate>
                  {token}
                  <input type="hidden" name="step" value="begin">
                  {Error(error)}
                  <button type="submit" class="{ButtonClass}">Set up two-factor sign-in</button>
                </form>
                """;
        }

        return Layout("Two-factor sign-in", $"""
            <p class="mb-4 text-xs text-slate-600 dark:text-slate-300">{E(email)}</p>
            {Notice(notice)}
            {body}
            """);
    }
}
