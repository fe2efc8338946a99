using LiveInsight.Dashboard.Proxy;

namespace LiveInsight.Dashboard.Auth;

/// <summary>
/// The one check of "may this user do this on this site?", for the proxy's routes and the account endpoints alike.
/// No role on the site answers 404 exactly as an unknown site would, so ids cannot be probed; a role too low for the
/// action answers 403 saying which role it needs.
/// </summary>
public static class SiteAuthorization
{
    /// <returns>Null when allowed; otherwise the problem to answer with.</returns>
    public static async Task<IResult?> CheckAsync(HttpContext context, string? siteId, SiteRole required)
    {
        if (string.IsNullOrEmpty(siteId))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Missing site_id",
                detail: "Say which site with ?site_id=.");
        }

        var roles = context.RequestServices.GetRequiredService<ISiteRoles>();
        var role = await roles.RoleForAsync(context.User, siteId, context.RequestAborted);
        if (role is null)
        {
            return NotFound(siteId);
        }

        return role < required
            ? TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not allowed on this site",
                detail: $"You are {Article(role.Value)} {role.Value.Name()} of this site; this needs the {required.Name()} role.")
            : null;
    }

    /// <summary><see cref="CheckAsync"/> for endpoints of the Dashboard itself (no Api call follows to say the site is
    /// gone): a role on a deleted or unknown site answers 404 too.</summary>
    public static async Task<IResult?> CheckExistingAsync(HttpContext context, string siteId, SiteRole required, ApiSites sites, CancellationToken ct) =>
        await CheckAsync(context, siteId, required) ?? (await sites.ExistsAsync(siteId, ct) ? null : NotFound(siteId));

    /// <summary>The same answer the Api gives for a site that does not exist.</summary>
    public static IResult NotFound(string siteId) => TypedResults.Problem(statusCode: StatusCodes.Status404NotFound,
        title: "Site not found", detail: $"There is no site '{siteId}' that these credentials can read.");

    private static string Article(SiteRole role) => role == SiteRole.Admin || role == SiteRole.Owner ? "an" : "a";
}
