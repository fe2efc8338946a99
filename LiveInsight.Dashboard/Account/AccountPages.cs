using System.Text.Encodings.Web;

namespace LiveInsight.Dashboard.Account;

/// <summary>The login, setup and invite pages: plain HTML forms rendered on the server (no script), every value encoded.</summary>
public static partial class AccountPages
{
    private static string E(string? value) => HtmlEncoder.Default.Encode(value ?? "");

    public static string Login(string csrfField, string csrfToken, string? returnUrl, string? email, string? error, string? oidcName, string? notice = null) =>
        Layout("Sign in", $"""
            {Notice(notice)}
            <form method="post" action="/login" class="space-y-4" novalidate>
              <input type="hidden" name="{E(csrfField)}" value="{E(csrfToken)}">
              <input type="hidden" name="returnUrl" value="{E(returnUrl)}">
              {Error(error)}
              {Field("email", "E-mail", "email", "username", email)}
              {Field("password", "Password", "password", "current-password", null)}
              <button type="submit" class="{ButtonClass}">Sign in</button>
            </form>
            <p class="mt-4 text-center text-sm"><a class="text-indigo-700 underline dark:text-indigo-300" href="/login/forgot">Forgot your password?</a></p>
            {(oidcName is null ? "" : $"""<p class="mt-6 text-center"><a class="text-indigo-700 underline dark:text-indigo-300" href="/login/oidc?returnUrl={Uri.EscapeDataString(returnUrl ?? "/")}">Sign in with {E(oidcName)}</a></p>""")}
            """);

    public static string Setup(string csrfField, string csrfToken, string? email, string? error) =>
        Layout("Create the first administrator", $"""
            <p class="mb-4 text-sm text-slate-600 dark:text-slate-300">No account exists yet. Enter the installation's admin token
            (<code>LIVEINSIGHT_ADMIN_TOKEN</code>, printed by <code>./liveinsight run</code>) to create the first administrator.
            This page closes for good once an account exists.</p>
            <form method="post" action="/setup" class="space-y-4" novalidate>
              <input type="hidden" name="{E(csrfField)}" value="{E(csrfToken)}">
              {Error(error)}
              {Field("adminToken", "Admin token", "password", "off", null)}
              {Field("email", "E-mail", "email", "username", email)}
              {Field("password", "Password (at least 12 characters)", "password", "new-password", null)}
              {Field("confirm", "Password again", "password", "new-password", null)}
              <button type="submit" class="{ButtonClass}">Create administrator</button>
            </form>
            """);

    /// <param name="siteName">From the Api: the site's owner chose it, so it is encoded like everything else.</param>
    public static string Invite(string csrfField, string csrfToken, string token, string email, string siteName, string role, bool existingUser, string? error) =>
        Layout("Join a site", $"""
            <p class="mb-4 text-sm text-slate-600 dark:text-slate-300">You are invited to <strong>{E(siteName)}</strong> as
            <strong>{E(role)}</strong>. {(existingUser ? "Confirm with your password." : "Choose a password for your new account.")}
            This link works once.</p>
            <form method="post" action="/invite/{E(token)}" class="space-y-4" novalidate>
              <input type="hidden" name="{E(csrfField)}" value="{E(csrfToken)}">
              {Error(error)}
              <p class="text-sm">E-mail: <strong id="invite-email">{E(email)}</strong></p>
              {(existingUser
                ? Field("password", "Password", "password", "current-password", null)
                : Field("password", "Password (at least 12 characters)", "password", "new-password", null)
                  + Field("confirm", "Password again", "password", "new-password", null))}
              <button type="submit" class="{ButtonClass}">Join</button>
            </form>
            """);

    public static string InviteInvalid() => Layout("This invitation cannot be used", """
        <p id="form-error" role="alert" class="text-sm">The link was used already, has expired (links are valid for 7 days)
        or was never valid. Ask the site's owner for a new one.</p>
        <p class="mt-4"><a class="text-indigo-700 underline dark:text-indigo-300" href="/login">Sign in</a></p>
        """);

    /// <summary>A form post the framework could not read (an expired or missing form token, a body that is not the
    /// form): what a person sees instead of a blank page.</summary>
    public static string Refused(string reason) => Layout("The form could not be sent", $"""
        <p id="form-error" role="alert" class="text-sm">Go back, reload the page and try again.</p>
        <p class="mt-4 text-xs text-slate-600 dark:text-slate-300">{E(reason)}</p>
        """);

    private const string ButtonClass =
        "w-full rounded-md bg-indigo-700 px-4 py-2 font-semibold text-white hover:bg-indigo-800 focus:outline-none focus-visible:ring-4 focus-visible:ring-indigo-400";

    private static string Error(string? error) => error is null ? "" :
        $"""<p id="form-error" role="alert" class="rounded-md border border-red-300 bg-red-50 p-3 text-sm text-red-800 dark:border-red-700 dark:bg-red-950 dark:text-red-200">{E(error)}</p>""";

    private static string Field(string name, string label, string type, string autocomplete, string? value) => $"""
        <div>
          <label for="{name}" class="mb-1 block text-sm font-medium">{E(label)}</label>
          <input id="{name}" name="{name}" type="{type}" autocomplete="{autocomplete}" value="{E(value)}" required
                 class="w-full rounded-md border border-slate-400 bg-white px-3 py-2 text-slate-900 focus:border-indigo-600 focus:outline-none focus:ring-2 focus:ring-indigo-500 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100">
        </div>
        """;

    private static string Layout(string title, string body) => $"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>LiveInsight · {E(title)}</title>
          <link rel="stylesheet" href="/build/app.css">
          <script src="/js/theme.js"></script>
        </head>
        <body class="min-h-screen bg-slate-100 text-slate-900 dark:bg-slate-950 dark:text-slate-100">
          <main class="mx-auto mt-16 max-w-sm px-4">
            <p class="mb-2 text-center text-lg font-bold text-indigo-700 dark:text-indigo-300">LiveInsight</p>
            <div class="rounded-lg bg-white p-6 shadow dark:bg-slate-900">
              <h1 class="mb-4 text-xl font-semibold">{E(title)}</h1>
              {body}
            </div>
          </main>
        </body>
        </html>
        """;
}
