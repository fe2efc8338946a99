using System.Globalization;
using Amazon.DynamoDBv2.Model;
using Amazon.DynamoDBv2;
using LiveInsight.Core.Sites;
using LiveInsight.Core.Storage;
using LiveInsight.Dashboard.Auth;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Users;

/// <summary>An invitation to a site, as stored (the token itself is not).</summary>
public sealed record Invite(string SiteId, string Email, SiteRole Role, string InvitedBy, DateTimeOffset ExpiresAt);

/// <summary>
/// One-time invite links. The token is 256 random bits, given out once; the Users table keeps only its SHA-256, under a
/// key that cannot be an e-mail (<c>#invite:…</c>, no '@'), so the table never holds a usable link. Expiry is checked
/// here (dynalite never applies TTL; DynamoDB's <c>expires_at</c> TTL only tidies up), and using a link is one
/// conditional DeleteItem: of two uses at the same moment exactly one gets the invite.
/// </summary>
public sealed class InviteStore(IAmazonDynamoDB dynamo, IOptions<StorageOptions> options, Sharing.TokenLookupLimiter limiter, TimeProvider time)
{
    public static readonly TimeSpan ValidFor = TimeSpan.FromDays(7);
    private const string KeyPrefix = "#invite:";

    private string TableName => options.Value.TableName(Tables.Users);

    public Task<(string Token, DateTimeOffset ExpiresAt)> CreateAsync(
        string siteId, string email, SiteRole role, string invitedBy, CancellationToken cancellationToken) =>
        CreateAsync(siteId, email, role, invitedBy, time.GetUtcNow(), cancellationToken);

    /// <summary>As if issued at <paramref name="issuedAt"/> (tests make expired invites this way).</summary>
    public async Task<(string Token, DateTimeOffset ExpiresAt)> CreateAsync(
        string siteId, string email, SiteRole role, string invitedBy, DateTimeOffset issuedAt, CancellationToken cancellationToken)
    {
        var token = BearerTokens.New();
        var expiresAt = issuedAt + ValidFor;
        await dynamo.PutItemAsync(new PutItemRequest
        {
            TableName = TableName,
            Item = new()
            {
                ["email"] = new() { S = Key(token) },
                ["invitee"] = new() { S = DashboardUser.NormaliseEmail(email) },
                ["site_id"] = new() { S = siteId },
                ["site_role"] = new() { S = role.Name() },
                ["invited_by"] = new() { S = invitedBy },
                ["created_at"] = new() { S = issuedAt.ToString("O", CultureInfo.InvariantCulture) },
                ["expires_at"] = new() { N = expiresAt.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) },
            },
            ConditionExpression = "attribute_not_exists(email)",
        }, cancellationToken);
        return (token, expiresAt);
    }

    /// <summary>The invite behind a token, or null when there is none, it was used, or it has expired. A malformed
    /// token costs nothing; a well-formed one counts against <paramref name="requester"/>'s network limit before its read.</summary>
    public async Task<Invite?> FindAsync(string token, HttpContext requester, CancellationToken cancellationToken)
    {
        if (!BearerTokens.IsWellFormed(token))
        {
            return null;
        }

        limiter.ThrowIfOverLimit(requester);

        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = new() { ["email"] = new() { S = Key(token) } },
            ConsistentRead = true,
        }, cancellationToken);
        return response.Item is { Count: > 0 } item && FromItem(item) is { } invite && invite.ExpiresAt > time.GetUtcNow() ? invite : null;
    }

    /// <summary>Uses the invite up: returns it to exactly one caller, and only while it is valid; null otherwise.</summary>
    public async Task<Invite?> ConsumeAsync(string token, CancellationToken cancellationToken)
    {
        if (!BearerTokens.IsWellFormed(token))
        {
            return null;
        }

        try
        {
            var response = await dynamo.DeleteItemAsync(new DeleteItemRequest
            {
                TableName = TableName,
                Key = new() { ["email"] = new() { S = Key(token) } },
                ConditionExpression = "attribute_exists(invitee) AND expires_at > :now",
                ExpressionAttributeValues = new() { [":now"] = new() { N = time.GetUtcNow().ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture) } },
                ReturnValues = ReturnValue.ALL_OLD,
            }, cancellationToken);
            return response.Attributes is { Count: > 0 } item ? FromItem(item) : null;
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }

    private static Invite? FromItem(Dictionary<string, AttributeValue> item) =>
        item.TryGetValue("invitee", out var invitee) && SiteRoleNames.TryParse(item["site_role"].S, out var role)
            ? new Invite(item["site_id"].S, invitee.S, role, item["invited_by"].S,
                DateTimeOffset.FromUnixTimeSeconds(long.Parse(item["expires_at"].N, CultureInfo.InvariantCulture)))
            : null;

    private static string Key(string token) => KeyPrefix + BearerTokens.Hash(token);
}
