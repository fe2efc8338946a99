using System.Globalization;
using System.Net;
using LiveInsight.Api.Ingestion;
using LiveInsight.Core.Accounts;
using LiveInsight.Core.Sites;
using Microsoft.Extensions.Caching.Memory;

namespace LiveInsight.Api.Auth;

/// <summary>
/// Personal API tokens (<c>Authorization: Bearer li_pat_…</c>, made in the Dashboard) on the read APIs, <c>/api/v2/query</c>
/// and a site's own routes (goals, alerts): the token must name the site, be unexpired, and its owner must still have a
/// role there; a change (any method but GET) needs an admin token whose owner is an admin or owner of the site. A site the
/// token cannot reach answers 404 like an unknown one. The token item and its owner's rights are cached together for
/// <see cref="CacheFor"/> in a cache of at most <see cref="MaxCached"/> tokens (unknown tokens too, each miss counted
/// against the caller's lookup limit), so a revoked token or a removed role stops working within that time.
/// Last use is written at most once a minute per token.
/// </summary>
public sealed class PersonalTokenAccess(PersonalTokens tokens, SiteCache sites, UnauthenticatedLimiter limiter, TimeProvider time, IConfiguration configuration)
    : IDisposable
{
    public const int MaxCached = 10_000;
    public static readonly TimeSpan TouchEvery = TimeSpan.FromMinutes(1);

    private readonly MemoryCache _cache = new(new MemoryCacheOptions { SizeLimit = MaxCached });

    /// <summary><c>LiveInsight:PersonalTokenCacheSeconds</c>, default 30.</summary>
    public TimeSpan CacheFor => TimeSpan.FromSeconds(configuration.GetValue("LiveInsight:PersonalTokenCacheSeconds", 30));

    /// <returns>The problem to answer with, or null when admitted (then the request's site is set).</returns>
    public async ValueTask<object?> AuthorizeAsync(HttpContext http, string token, string siteId, bool changes, IPAddress? client)
    {
        var hash = PersonalTokens.Hash(token);
        Entry entry;
        if (!_cache.TryGetValue(hash, out Entry? cached) || cached is null)
        {
            try
            {
                await limiter.ThrowIfOverLimitAsync(client);
            }
            catch (LookupLimitedException limited)
            {
                http.Response.Headers.RetryAfter = limited.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many requests",
                    detail: "Too many requests with unknown tokens from this network; retry later.");
            }

            var found = await tokens.FindAsync(hash, http.RequestAborted);
            var rights = found is null ? null : await tokens.OwnerRightsAsync(found.Owner, http.RequestAborted);
            entry = new Entry(found, rights);
            _cache.Set(hash, entry, new MemoryCacheEntryOptions { Size = 1, AbsoluteExpirationRelativeToNow = CacheFor });
        }
        else
        {
            entry = cached;
        }

        var now = time.GetUtcNow();
        if (entry.Token is not { } pat)
        {
            return Unauthorized(http, "This personal token is not valid: it was revoked, or never existed.");
        }

        if (now >= pat.ExpiresAt)
        {
            return Unauthorized(http, $"This personal token expired at {pat.ExpiresAt:u}. Make a new one in the dashboard.");
        }

        var right = entry.Rights is null ? null : PersonalTokens.RightOn(entry.Rights, siteId);
        var site = pat.Sites.Contains(siteId) && right is not null ? await sites.FindByIdAsync(siteId, http.RequestAborted) : null;
        if (site is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Site not found",
                detail: $"There is no site '{siteId}' that these credentials can read.");
        }

        if (changes && pat.Scope != TokenScope.Admin)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Read-only token",
                detail: "This personal token may only read. Changes need a token with the admin scope.");
        }

        if (changes && right != TokenScope.Admin)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not an admin of this site",
                detail: "The token's owner is no longer an admin or owner of this site, so the token may only read it.");
        }

        if (now - entry.LastTouched >= TouchEvery)
        {
            entry.LastTouched = now;
            await tokens.TouchAsync(hash, now, CancellationToken.None);
        }

        http.Items[typeof(Site)] = site;
        return null;
    }

    public void Dispose() => _cache.Dispose();

    private static object Unauthorized(HttpContext http, string detail)
    {
        http.Response.Headers.WWWAuthenticate = "Bearer";
        return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: detail);
    }

    private sealed class Entry(PersonalToken? token, IReadOnlyDictionary<string, TokenScope>? rights)
    {
        public PersonalToken? Token { get; } = token;

        public IReadOnlyDictionary<string, TokenScope>? Rights { get; } = rights;

        public DateTimeOffset LastTouched { get; set; } = DateTimeOffset.MinValue;
    }
}
