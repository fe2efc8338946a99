using LiveInsight.Api.Tests.Infrastructure;
using LiveInsight.Testing.Hostile;
using static LiveInsight.Testing.Hostile.HostileValues;

namespace LiveInsight.Api.Tests.Hostile;

/// <summary>The installation check (issue 23): only the site's secret key or the admin token reads it; hostile site ids
/// and query values are refused or ignored, never a 5xx.</summary>
public static partial class ApiHostileCases
{
    private static IEnumerable<HostileCase> Installation(HostileTargets t)
    {
        var site = t.Admin;
        var path = $"/api/sites/{site.SiteId}/installation";
        yield return new HostileCase("installation: no credentials", HttpMethod.Get, path) { MustBeRefused = true };
        foreach (var (label, auth) in WrongAuthorizations)
        {
            yield return new HostileCase($"installation: {label}", HttpMethod.Get, path) { Authorization = auth, MustBeRefused = true };
        }

        yield return new HostileCase("installation: the public key as bearer", HttpMethod.Get, path) { Authorization = "Bearer " + site.PublicKey, MustBeRefused = true };
        yield return new HostileCase("installation: another site's secret key", HttpMethod.Get, path) { Authorization = "Bearer " + t.Other.SecretKey, MustBeRefused = true };
        yield return new HostileCase("installation: admin token in the query", HttpMethod.Get, $"{path}?token={ApiFixture.AdminToken}") { MustBeRefused = true };
        foreach (var method in new[] { HttpMethod.Post, HttpMethod.Put, HttpMethod.Delete })
        {
            yield return new HostileCase($"installation: {method}", method, path) { Authorization = t.AdminBearer, MustBeRefused = true };
        }

        // The OpenAPI document outside development: the admin token only.
        yield return new HostileCase("openapi: no credentials", HttpMethod.Get, "/openapi/v1.json") { MustBeRefused = true };
        yield return new HostileCase("openapi: a site's secret key", HttpMethod.Get, "/openapi/v1.json") { Authorization = "Bearer " + site.SecretKey, MustBeRefused = true };
        yield return new HostileCase("openapi: admin token in the query", HttpMethod.Get, $"/openapi/v1.json?token={ApiFixture.AdminToken}") { MustBeRefused = true };
        yield return new HostileCase("openapi: unknown document", HttpMethod.Get, "/openapi/%01..%2F.json") { Authorization = t.AdminBearer, MustBeRefused = true };
        yield return new HostileCase("openapi: 3 KB document name", HttpMethod.Get, $"/openapi/{new string('d', 3000)}.json") { Authorization = t.AdminBearer, MustBeRefused = true };
        foreach (var (label, auth) in WrongAuthorizations)
        {
            yield return new HostileCase($"openapi: {label}", HttpMethod.Get, "/openapi/v1.json") { Authorization = auth, MustBeRefused = true };
        }

        foreach (var (label, siteId) in new (string, string)[]
                 {
                     ("unknown", "nosuchsite00"), ("3 KB", new string('s', 3000)), ("control chars", "%01%1F"), ("bidi", "%E2%80%AEsite"),
                     ("invalid UTF-8", "%FF%FE"), ("encoded slash", "a%2F..%2Fb"), ("another site's id", t.Other.SiteId),
                 })
        {
            yield return new HostileCase($"installation: site id {label}", HttpMethod.Get, $"/api/sites/{siteId}/installation")
                { Authorization = "Bearer " + site.SecretKey, MustBeRefused = true };
            yield return new HostileCase($"installation (admin token): site id {label}", HttpMethod.Get, $"/api/sites/{siteId}/installation")
                { Authorization = t.AdminBearer, MustBeRefused = label != "another site's id" };
        }
    }
}
