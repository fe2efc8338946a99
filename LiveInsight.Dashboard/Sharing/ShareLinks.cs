using System.Collections.Concurrent;
using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Amazon.DynamoDBv2;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Sharing;

/// <summary>A site's public link as its administrators see it: never the token, which exists only in the one answer that created it.</summary>
public sealed record ShareLink(string SiteId, string CreatedBy, DateTimeOffset CreatedAt);

/// <summary>
/// Public read-only links, one per site, in the Dashboard's Users table (pk <c>email</c>) under keys that hold no '@'
/// and so can never be an account: <c>share#&lt;SHA-256 of the token&gt;</c> finds the site from a link, and
/// <c>site-share#&lt;site id&gt;</c> names the one live hash of a site. A link is live only while both agree, so a
/// replaced or revoked token is dead even if deleting its own item failed half way. The token itself is never stored.
/// </summary>
public sealed class ShareLinks(
    IAmazonDynamoDB dynamo, IOptions<StorageOptions> options, IMemoryCache cache, TokenLookupLimiter limiter, TimeProvider time)
{
    /// <summary>How long another replica may keep serving a revoked link; this replica forgets it at once.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(5);


    /// <summary>Base64url of 32 bytes, without padding.</summary>
    public const int TokenLength = BearerTokens.Length;

    private const string ByTokenPrefix = "share#";
    private const string BySitePrefix = UsersTableKeys.SiteSharePrefix;

    /// <summary>One per link this replica has served (a handful): the hash → the signal of its replacement or revocation.</summary>
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _revoked = new();

    private string TableName => options.Value.TableName(Tables.Users);

    /// <summary>The live link of a site, or null.</summary>
    public async Task<ShareLink?> GetAsync(string siteId, CancellationToken cancellationToken) =>
        await GetItemAsync(BySitePrefix + siteId, cancellationToken) is { } item ? FromItem(siteId, item) : null;

    /// <summary>Makes a new link for the site and kills the previous one; returns the token (to be shown once) and
    /// whether a previous link was replaced.</summary>
    public async Task<(string Token, ShareLink Link, bool Replaced)> CreateAsync(string siteId, string createdBy, CancellationToken cancellationToken)
    {
        var token = BearerTokens.New();
        var hash = Hash(token);
        var link = new ShareLink(siteId, createdBy, time.GetUtcNow());
        await dynamo.PutItemAsync(new PutItemRequest { TableName = TableName, Item = ToItem(ByTokenPrefix + hash, link, ("site_id", siteId)) }, cancellationToken);
        // The swap of the site's item is what makes the new link live and the old one dead, in one write.
        var previous = await dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = TableName,
            Item = ToItem(BySitePrefix + siteId, link, ("token_hash", hash)),
            ReturnValues = ReturnValue.ALL_OLD,
        }, cancellationToken);
        var oldHash = previous.Attributes?.GetValueOrDefault("token_hash")?.S;
        if (oldHash is not null)
        {
            await ForgetAsync(oldHash, cancellationToken);
        }

        return (token, link, oldHash is not null);
    }

    /// <summary>Revokes the site's link; false when it had none.</summary>
    public async Task<bool> RevokeAsync(string siteId, CancellationToken cancellationToken)
    {
        var removed = await dynamo.DeleteItemAsync(new DeleteItemRequest
        {
            TableName = TableName,
            Key = Key(BySitePrefix + siteId),
            ReturnValues = ReturnValue.ALL_OLD,
        }, cancellationToken);
        if (removed.Attributes?.GetValueOrDefault("token_hash")?.S is not { } hash)
        {
            return false;
        }

        await ForgetAsync(hash, cancellationToken);
        return true;
    }

    /// <summary>The site a token opens, or null for a malformed, unknown, replaced or revoked token. A lookup that
    /// misses the cache counts against <paramref name="requester"/>'s network limit first (null: a re-check of a link
    /// already accepted, not limited).</summary>
    public async Task<string?> FindSiteAsync(string token, HttpContext? requester, CancellationToken cancellationToken)
    {
        if (!IsWellFormed(token))
        {
            return null;
        }

        var hash = Hash(token);
        if (cache.TryGetValue(CacheKey(hash), out string? cached))
        {
            return cached;
        }

        if (requester is not null)
        {
            limiter.ThrowIfOverLimit(requester);
        }

        var site = await GetItemAsync(ByTokenPrefix + hash, cancellationToken) is { } byToken ? byToken["site_id"].S : null;
        if (site is null || await GetItemAsync(BySitePrefix + site, cancellationToken) is not { } bySite
            || bySite.GetValueOrDefault("token_hash")?.S != hash)
        {
            // Unknown tokens are not cached: guesses would fill the memory; each costs a read, within the limit above.
            return null;
        }

        cache.Set(CacheKey(hash), site, CacheFor);
        return site;
    }

    /// <summary>Cancelled when this replica replaces or revokes the link, so its running answers (the realtime
    /// stream) end at once here; call only for a token <see cref="FindSiteAsync"/> accepted.</summary>
    public CancellationToken RevokedSignal(string token) => _revoked.GetOrAdd(Hash(token), _ => new CancellationTokenSource()).Token;

    public static bool IsWellFormed(string? token) => BearerTokens.IsWellFormed(token);

    /// <summary>Hex SHA-256 (<see cref="BearerTokens.Hash"/>): the hash alone opens nothing.</summary>
    public static string Hash(string token) => BearerTokens.Hash(token);

    private async Task ForgetAsync(string hash, CancellationToken cancellationToken)
    {
        cache.Remove(CacheKey(hash));
        if (_revoked.TryRemove(hash, out var signal))
        {
            await signal.CancelAsync();
        }

        await dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = TableName, Key = Key(ByTokenPrefix + hash) }, cancellationToken);
    }

    private async Task<Dictionary<string, AttributeValue>?> GetItemAsync(string key, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest { TableName = TableName, Key = Key(key), ConsistentRead = true }, cancellationToken);
        return response.Item is { Count: > 0 } item ? item : null;
    }

    private static string CacheKey(string hash) => "share:" + hash;

    private static Dictionary<string, AttributeValue> Key(string key) => new() { ["email"] = new() { S = key } };

    private static Dictionary<string, AttributeValue> ToItem(string key, ShareLink link, (string Name, string Value) extra) => new()
    {
        ["email"] = new() { S = key },
        [extra.Name] = new() { S = extra.Value },
        ["created_by"] = new() { S = link.CreatedBy },
        ["created_at"] = new() { S = link.CreatedAt.ToString("O", CultureInfo.InvariantCulture) },
    };

    private static ShareLink FromItem(string siteId, Dictionary<string, AttributeValue> item) => new(
        siteId, item["created_by"].S, DateTimeOffset.Parse(item["created_at"].S, CultureInfo.InvariantCulture));
}
