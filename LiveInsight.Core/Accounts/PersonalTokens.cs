using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;

namespace LiveInsight.Core.Accounts;

/// <summary>What a personal API token may do on the sites it names: read them, or also change them.</summary>
public enum TokenScope
{
    Read = 1,
    Admin = 2,
}

/// <summary>A personal API token as stored: never the token, only its SHA-256 (<see cref="Hash"/>); <see cref="Id"/> is
/// the first 16 hex characters of that hash, what lists show and revocation names.</summary>
public sealed record PersonalToken(
    string Hash, string Owner, string Name, TokenScope Scope, IReadOnlyList<string> Sites, DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt, DateTimeOffset? LastUsedAt)
{
    public string Id => Hash[..PersonalTokens.IdLength];
}

/// <summary>
/// Personal API tokens (<c>li_pat_</c> + 43 base64url characters, 256 random bits): the Dashboard makes, lists and
/// revokes them for their owner, the Api checks them. Both use this class, so the item layout has one home. Each token
/// is an item of the Users table keyed <c>#pat:&lt;sha256&gt;</c> (no '@', so never an account), and the owner's item
/// holds the set of their tokens' hashes (<c>pat_hashes</c>, at most <see cref="MaxPerUser"/>), which is how a list is
/// found without a scan. What the owner may do on a site is read from the owner's item on every (cached) check, so a
/// token never outlives its owner's role: <c>role</c> (installation admin) and the <c>sites</c> map the Dashboard keeps.
/// </summary>
public sealed class PersonalTokens(IAmazonDynamoDB dynamo, IOptions<StorageOptions> options)
{
    public const string Prefix = "li_pat_";
    public const int MaxPerUser = 20;
    public const int MaxSites = 50;
    public const int MaxNameLength = 80;
    public const int IdLength = 16;
    public const int MaxLifetimeDays = 365;

    private const string HashesAttribute = "pat_hashes";
    private const string KeyPrefix = "#pat:";

    private string TableName => options.Value.TableName(Tables.Users);

    public static string NewToken() => Prefix + BearerTokens.New();

    public static bool IsWellFormed(string? token) =>
        token is not null && token.StartsWith(Prefix, StringComparison.Ordinal) && BearerTokens.IsWellFormed(token[Prefix.Length..]);

    public static string Hash(string token) => BearerTokens.Hash(token);

    /// <returns>False when the owner has no local account item or already has <see cref="MaxPerUser"/> tokens.</returns>
    public async Task<bool> CreateAsync(PersonalToken token, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = new() { ["email"] = new() { S = token.Owner } },
                UpdateExpression = $"ADD {HashesAttribute} :hash",
                ConditionExpression = $"attribute_exists(email) AND (attribute_not_exists({HashesAttribute}) OR size({HashesAttribute}) < :max)",
                ExpressionAttributeValues = new()
                {
                    [":hash"] = new() { SS = [token.Hash] },
                    [":max"] = new() { N = MaxPerUser.ToString(CultureInfo.InvariantCulture) },
                },
            }, cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }

        await dynamo.PutItemAsync(new PutItemRequest { TableName = TableName, Item = ToItem(token) }, cancellationToken);
        return true;
    }

    public async Task<PersonalToken?> FindAsync(string hash, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = new() { ["email"] = new() { S = KeyPrefix + hash } },
            ConsistentRead = true,
        }, cancellationToken);
        return response.Item is { Count: > 0 } item ? FromItem(item) : null;
    }

    /// <summary>The owner's tokens, newest first (expired ones too, until revoked: the list says they expired).</summary>
    public async Task<IReadOnlyList<PersonalToken>> ListAsync(string owner, CancellationToken cancellationToken)
    {
        var user = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = new() { ["email"] = new() { S = owner } },
            ProjectionExpression = HashesAttribute,
            ConsistentRead = true,
        }, cancellationToken);
        if (user.Item is null || !user.Item.TryGetValue(HashesAttribute, out var hashes) || hashes.SS is not { Count: > 0 } set)
        {
            return [];
        }

        var response = await dynamo.BatchGetItemAsync(new BatchGetItemRequest
        {
            RequestItems = new()
            {
                [TableName] = new KeysAndAttributes { Keys = [.. set.Select(h => new Dictionary<string, AttributeValue> { ["email"] = new() { S = KeyPrefix + h } })], ConsistentRead = true },
            },
        }, cancellationToken);
        return [.. response.Responses[TableName].Select(FromItem).Where(t => t.Owner == owner).OrderByDescending(t => t.CreatedAt)];
    }

    /// <returns>The revoked token, or null when the owner has no token with this id.</returns>
    public async Task<PersonalToken?> RevokeAsync(string owner, string id, CancellationToken cancellationToken)
    {
        var token = (await ListAsync(owner, cancellationToken)).FirstOrDefault(t => t.Id == id);
        if (token is null)
        {
            return null;
        }

        await dynamo.DeleteItemAsync(new DeleteItemRequest { TableName = TableName, Key = new() { ["email"] = new() { S = KeyPrefix + token.Hash } } }, cancellationToken);
        await dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = new() { ["email"] = new() { S = owner } },
            UpdateExpression = $"DELETE {HashesAttribute} :hash",
            ExpressionAttributeValues = new() { [":hash"] = new() { SS = [token.Hash] } },
        }, cancellationToken);
        return token;
    }

    public async Task TouchAsync(string hash, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = new() { ["email"] = new() { S = KeyPrefix + hash } },
                UpdateExpression = "SET last_used_at = :now",
                ConditionExpression = "attribute_exists(#owner)",
                ExpressionAttributeNames = new() { ["#owner"] = "owner" },
                ExpressionAttributeValues = new() { [":now"] = new() { S = Timestamp(now) } },
            }, cancellationToken);
        }
        catch (ConditionalCheckFailedException)
        {
            // Revoked meanwhile: nothing to record.
        }
    }

    /// <summary>What the owner may do on <paramref name="siteId"/> now: <see cref="TokenScope.Admin"/> for installation
    /// administrators and the site's owners and admins, <see cref="TokenScope.Read"/> for its viewers, null otherwise
    /// (no role, or the account is gone).</summary>
    public async Task<IReadOnlyDictionary<string, TokenScope>?> OwnerRightsAsync(string owner, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = new() { ["email"] = new() { S = owner } },
            ProjectionExpression = "#role, #sites",
            ExpressionAttributeNames = new() { ["#role"] = "role", ["#sites"] = "sites" },
            ConsistentRead = true,
        }, cancellationToken);
        if (response.Item is not { Count: > 0 } item)
        {
            return null;
        }

        if (item.TryGetValue("role", out var role) && role.S == "admin")
        {
            return AllSites;
        }

        var rights = new Dictionary<string, TokenScope>(StringComparer.Ordinal);
        if (item.TryGetValue("sites", out var sites) && sites.M is { } map)
        {
            foreach (var (siteId, value) in map)
            {
                rights[siteId] = value.S is "owner" or "admin" ? TokenScope.Admin : TokenScope.Read;
            }
        }

        return rights;
    }

    /// <summary>The rights of an installation administrator: admin on every site (a marker map with one entry).</summary>
    public static readonly IReadOnlyDictionary<string, TokenScope> AllSites = new Dictionary<string, TokenScope> { ["*"] = TokenScope.Admin };

    public static TokenScope? RightOn(IReadOnlyDictionary<string, TokenScope> rights, string siteId) =>
        rights.TryGetValue("*", out var all) ? all : rights.TryGetValue(siteId, out var scope) ? scope : null;

    public static string ScopeName(TokenScope scope) => scope == TokenScope.Admin ? "admin" : "read";

    private static Dictionary<string, AttributeValue> ToItem(PersonalToken token) => new()
    {
        ["email"] = new() { S = KeyPrefix + token.Hash },
        ["owner"] = new() { S = token.Owner },
        ["name"] = new() { S = token.Name },
        ["scope"] = new() { S = ScopeName(token.Scope) },
        ["sites"] = new() { SS = [.. token.Sites] },
        ["created_at"] = new() { S = Timestamp(token.CreatedAt) },
        ["expires_at"] = new() { S = Timestamp(token.ExpiresAt) },
    };

    private static PersonalToken FromItem(Dictionary<string, AttributeValue> item) => new(
        item["email"].S[KeyPrefix.Length..],
        item["owner"].S,
        item.TryGetValue("name", out var name) ? name.S : "",
        item.TryGetValue("scope", out var scope) && scope.S == "admin" ? TokenScope.Admin : TokenScope.Read,
        item.TryGetValue("sites", out var sites) ? sites.SS ?? [] : [],
        DateTimeOffset.Parse(item["created_at"].S, CultureInfo.InvariantCulture),
        DateTimeOffset.Parse(item["expires_at"].S, CultureInfo.InvariantCulture),
        item.TryGetValue("last_used_at", out var used) && used.S is { Length: > 0 } at ? DateTimeOffset.Parse(at, CultureInfo.InvariantCulture) : null);

    private static string Timestamp(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);
}
