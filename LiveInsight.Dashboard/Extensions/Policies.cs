using LiveInsight.Dashboard.Users;
using Microsoft.AspNetCore.Authorization;

namespace LiveInsight.Dashboard.Extensions;

public static class Policies
{
    /// <summary>Any signed-in user: may read every site's numbers.</summary>
    public const string Viewer = "viewer";

    /// <summary>May also create and change sites and add users.</summary>
    public const string Admin = "admin";

    public static AuthorizationBuilder AddDashboardPolicies(this AuthorizationBuilder authorization) => authorization
        .AddPolicy(Viewer, policy => policy.RequireAuthenticatedUser())
        .AddPolicy(Admin, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Admin));
}
