using System.Security.Claims;
using LiveInsight.Dashboard.Proxy;
using LiveInsight.Dashboard.Users;
using Microsoft.Extensions.Caching.Memory;

namespace LiveInsight.Dashboard.Auth;

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

/// <summary>
/// Roles from the user item's <c>sites</c> map; installation administrators own every site. Each user's map is cached
/// in memory for <see cref="CacheFor"/>: this replica forgets it at once when it changes a membership
/// (<see cref="Forget"/>), other replicas notice within that time, so a removed member may keep reading for up to
/// that long on another replica.
/// </summary>
public sealed class MembershipSiteRoles(MembershipRepository memberships, IMemoryCache cache) : ISiteRoles
{
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);

    public async ValueTask<SiteRole?> RoleForAsync(ClaimsPrincipal user, string siteId, CancellationToken cancellationToken)
    {
        if (user.Identity?.IsAuthenticated != true || string.IsNullOrEmpty(siteId))
        {
            return null;
        }

        if (user.IsInRole(Roles.Admin))
        {
            return SiteRole.Owner;
        }

        return (await RolesAsync(user, cancellationToken)).TryGetValue(siteId, out var role) ? role : null;
    }

    /// <summary>Every site the user has a role on. Installation administrators: empty (they own all; ask the Api).</summary>
    public async ValueTask<IReadOnlyDictionary<string, SiteRole>> RolesAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(user.Identity?.Name))
        {
            return new Dictionary<string, SiteRole>();
        }

        var email = DashboardUser.NormaliseEmail(user.Identity.Name);
        return await cache.GetOrCreateAsync(CacheKey(email), entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = CacheFor;
            return memberships.RolesOfAsync(email, cancellationToken);
        }) ?? new Dictionary<string, SiteRole>();
    }

    public void Forget(string email) => cache.Remove(CacheKey(DashboardUser.NormaliseEmail(email)));

    private static string CacheKey(string email) => "site-roles:" + email;
}
