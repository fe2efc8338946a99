using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Authorization;

namespace LiveInsight.Dashboard.Auth;

public static class Policies
{
    /// <summary>Any signed-in user. What they may do on a site is their site role (<see cref="ISiteRoles"/>).</summary>
    public const string Viewer = "viewer";

    /// <summary>Installation administrators: create sites, manage every user, own every site.</summary>
    public const string Admin = "admin";

    public static AuthorizationBuilder AddDashboardPolicies(this AuthorizationBuilder authorization) => authorization
        .AddPolicy(Viewer, policy => policy.RequireAuthenticatedUser())
        .AddPolicy(Admin, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin));
}
