using System.Security.Claims;

namespace LiveInsight.Dashboard.Users;

/// <summary>
/// What a dashboard user may do on one site, each level including the ones below:
/// viewer reads the numbers; admin also changes the site's settings, rotates and revokes its keys and manages its
/// public share link; owner also manages the site's members and reads its audit log.
/// Installation administrators (global role <see cref="Roles.Admin"/>) are owners of every site.
/// </summary>
public enum SiteRole
{
    Viewer = 1,
    Admin = 2,
    Owner = 3,
}

public static class SiteRoleNames
{
    public static string Name(this SiteRole role) => role switch
    {
        SiteRole.Owner => "owner",
        SiteRole.Admin => "admin",
        _ => "viewer",
    };

    public static bool TryParse(string? name, out SiteRole role)
    {
        role = name switch
        {
            "owner" => SiteRole.Owner,
            "admin" => SiteRole.Admin,
            "viewer" => SiteRole.Viewer,
            _ => 0,
        };
        return role != 0;
    }
}

/// <summary>The one place that answers "what may this user do on this site?". Null: nothing (the site is not theirs,
/// and callers answer exactly as for a site that does not exist).</summary>
public interface ISiteRoles
{
    ValueTask<SiteRole?> RoleForAsync(ClaimsPrincipal user, string siteId, CancellationToken cancellationToken);
}

/// <summary>Until per-site memberships exist: installation administrators own every site, everyone else views all.</summary>
public sealed class GlobalSiteRoles : ISiteRoles
{
    public ValueTask<SiteRole?> RoleForAsync(ClaimsPrincipal user, string siteId, CancellationToken cancellationToken) =>
        ValueTask.FromResult<SiteRole?>(user.Identity?.IsAuthenticated != true ? null
            : user.IsInRole(Roles.Admin) ? SiteRole.Owner : SiteRole.Viewer);
}
