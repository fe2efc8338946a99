namespace LiveInsight.Core.Storage;

/// <summary>Key shapes of the Users table that are not people and that both the Dashboard (which writes them) and a
/// site's deletion (<see cref="Lifecycle.SitePurge"/>, which removes them) must agree on.</summary>
public static class UsersTableKeys
{
    /// <summary>Prefix of the item naming a site's one live share link (<c>site-share#{site id}</c>).</summary>
    public const string SiteSharePrefix = "site-share#";

    public static string SiteShareLink(string siteId) => SiteSharePrefix + siteId;
}
