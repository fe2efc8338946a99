using System.ComponentModel.DataAnnotations;

namespace LiveInsight.Dashboard.Extensions;

public sealed class DashboardOptions
{
    public const string SectionName = "LiveInsight";

    /// <summary>The Api's admin token: the proxy sends it on the server, and the one-time setup page asks for it.</summary>
    [Required(ErrorMessage = "LiveInsight:AdminToken must be set (the AppHost passes its admin-token parameter)")]
    [MinLength(16, ErrorMessage = "LiveInsight:AdminToken must be at least 16 characters")]
    public string AdminToken { get; set; } = "";

    public DashboardSettings Dashboard { get; set; } = new();
}

public sealed class DashboardSettings
{
    /// <summary>The Api as browsers reach it, for the script snippet (e.g. https://analytics.example.com).
    /// Defaults to the address service discovery gives for <c>api</c>.</summary>
    public string? PublicApiUrl { get; set; }

    /// <summary>The Dashboard as its users reach it (e.g. https://dashboard.example.com): the base of the links in
    /// password reset mails. Never taken from the request's Host header, which whoever asks for a reset could set to
    /// their own host. Unset: no reset mail is sent (the form still answers the same way).</summary>
    public string? PublicUrl { get; set; }

    /// <summary>Cookies only over https. Default: on, except in Development and Testing. Behind a load balancer that
    /// ends TLS, its <c>X-Forwarded-Proto</c> tells the Dashboard the request was https.</summary>
    public bool? SecureCookies { get; set; }

    /// <summary>CIDRs of the proxies (the load balancer) whose <c>X-Forwarded-For</c> is believed for the client
    /// address that the audit log records, masked; otherwise the connection address is the client.</summary>
    public List<string> TrustedProxies { get; set; } = [];

    /// <summary>Wrong passwords (and sign-ins refused by a lockout) one masked client address may send per minute, over
    /// all accounts and replicas; more answer 429 with <c>Retry-After</c>. Right passwords do not count.</summary>
    public int LoginFailuresPerAddressPerMinute { get; set; } = 20;

    /// <summary>How long a replica trusts the session stamp it last read (see <see cref="Users.SessionStamps"/>): a
    /// revoked session is refused within this time on every replica, at once on the one that revoked it. 0 reads the
    /// stamp on every request.</summary>
    public int SessionCheckSeconds { get; set; } = 60;

    /// <summary>Every local account must use two-factor sign-in: one without it is sent to set it up right after the
    /// password, and can do nothing else until it has. People who sign in through single sign-on are left to the provider.</summary>
    public bool RequireTwoFactor { get; set; }

    public OidcSettings Oidc { get; set; } = new();
}

/// <summary>OpenID Connect sign-in (Amazon Cognito or any provider); active only when <see cref="Authority"/> is set.</summary>
public sealed class OidcSettings
{
    public string? Authority { get; set; }

    public string? ClientId { get; set; }

    public string? ClientSecret { get; set; }

    /// <summary>Shown on the login button.</summary>
    public string DisplayName { get; set; } = "single sign-on";

    /// <summary>E-mail addresses that become administrators when they sign in this way; everyone else may only view.</summary>
    public List<string> AdminEmails { get; set; } = [];

    /// <summary>Provider groups whose members become administrators when they sign in this way (with a verified e-mail).</summary>
    public List<string> AdminGroups { get; set; } = [];

    /// <summary>The ID token claim that lists the person's groups: Cognito's <c>cognito:groups</c> unless set.</summary>
    public string GroupsClaim { get; set; } = "cognito:groups";

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority);
}
