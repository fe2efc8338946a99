using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Users;

/// <summary>Users in the DynamoDB Users table (pk <c>email</c>). A marker item records that the first administrator
/// exists, so "is setup still open?" is one GetItem and two setups racing cannot both win. Site memberships are a map
/// on the user item (<see cref="MembershipRepository"/>); invites are items of their own (<see cref="InviteStore"/>).</summary>
public sealed class UserRepository(IAmazonDynamoDB dynamo, IOptions<StorageOptions> options)
{
    /// <summary>Not an e-mail address (no '@'), so no user can ever have it.</summary>
    private const string SetupMarker = "#setup";

    private string TableName => options.Value.TableName(Tables.Users);

    public async Task<bool> AnyAsync(CancellationToken cancellationToken) =>
        await GetAsync(SetupMarker, cancellationToken) is not null;

    public async Task<DashboardUser?> FindAsync(string email, CancellationToken cancellationToken)
    {
        var item = await GetAsync(DashboardUser.NormaliseEmail(email), cancellationToken);
        return item is null || !item.ContainsKey("password_hash") ? null : FromItem(item);
    }

    /// <summary>False when a user with that e-mail already exists.</summary>
    public async Task<bool> CreateAsync(DashboardUser user, CancellationToken cancellationToken) =>
        await PutIfAbsentAsync(ToItem(user), cancellationToken);

    /// <summary>A person who signs in through OpenID Connect, given a first site role by an owner: an item with that role
    /// and no password (so no password sign-in). False when the e-mail already has an item.</summary>
    public Task<bool> CreateSingleSignOnAsync(string email, string siteId, SiteRole role, DateTimeOffset now, CancellationToken cancellationToken) =>
        PutIfAbsentAsync(new Dictionary<string, AttributeValue>
        {
            ["email"] = new() { S = DashboardUser.NormaliseEmail(email) },
            [SingleSignOnAttribute] = new() { BOOL = true },
            ["role"] = new() { S = Roles.Member },
            ["created_at"] = new() { S = now.ToString("O", CultureInfo.InvariantCulture) },
            ["sites"] = SitesMap.ToAttribute(new Dictionary<string, SiteRole> { [siteId] = role }),
        }, cancellationToken);

    /// <summary>Marks a person item of someone who signs in through OpenID Connect (see <see cref="CreateSingleSignOnAsync"/>).</summary>
    public const string SingleSignOnAttribute = "sso";

    /// <summary>Creates the first administrator; false when setup has already happened.</summary>
    public async Task<bool> CreateFirstAsync(DashboardUser user, CancellationToken cancellationToken)
    {
        var marker = new Dictionary<string, AttributeValue>
        {
            ["email"] = new() { S = SetupMarker },
            ["first_admin"] = new() { S = user.Email },
        };
        return await PutIfAbsentAsync(marker, cancellationToken) && await CreateAsync(user, cancellationToken);
    }

    private async Task<bool> PutIfAbsentAsync(Dictionary<string, AttributeValue> item, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest
            {
                TableName = TableName,
                Item = item,
                ConditionExpression = "attribute_not_exists(email)",
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private async Task<Dictionary<string, AttributeValue>?> GetAsync(string email, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = new() { ["email"] = new AttributeValue { S = email } },
            ConsistentRead = true,
        }, cancellationToken);
        return response.Item is { Count: > 0 } item ? item : null;
    }

    private static Dictionary<string, AttributeValue> ToItem(DashboardUser user)
    {
        var item = new Dictionary<string, AttributeValue>
        {
            ["email"] = new() { S = user.Email },
            ["password_hash"] = new() { S = user.PasswordHash },
            ["role"] = new() { S = user.Role },
            ["created_at"] = new() { S = user.CreatedAt.ToString("O", CultureInfo.InvariantCulture) },
        };
        if (user.Sites.Count > 0)
        {
            // Absent rather than empty until the first membership (MembershipRepository creates it then).
            item["sites"] = SitesMap.ToAttribute(user.Sites);
        }

        return item;
    }

    internal static DashboardUser FromItem(Dictionary<string, AttributeValue> item) => new(
        item["email"].S,
        item.TryGetValue("password_hash", out var hash) ? hash.S : "",
        Roles.Normalise(item.TryGetValue("role", out var role) ? role.S : null),
        DateTimeOffset.Parse(item["created_at"].S, CultureInfo.InvariantCulture))
    {
        Sites = SitesMap.FromItem(item),
        SingleSignOn = item.TryGetValue(SingleSignOnAttribute, out var sso) && sso.BOOL == true,
        FailedLogins = item.TryGetValue("failed_logins", out var failed) && failed.N is { } n ? int.Parse(n, CultureInfo.InvariantCulture) : 0,
        LockedUntil = item.TryGetValue("locked_until", out var locked) && locked.S is { Length: > 0 } until
            ? DateTimeOffset.Parse(until, CultureInfo.InvariantCulture)
            : null,
    };

    /// <summary>Counts a wrong password (atomic ADD, so parallel guesses all count); at <paramref name="maxFailures"/>
    /// the account is locked until <paramref name="lockUntil"/> and the count starts again.</summary>
    public async Task RecordFailedLoginAsync(string email, int maxFailures, DateTimeOffset lockUntil, CancellationToken cancellationToken)
    {
        var key = new Dictionary<string, AttributeValue> { ["email"] = new() { S = email } };
        var counted = await dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = key,
            UpdateExpression = "ADD failed_logins :one",
            ConditionExpression = "attribute_exists(email)",
            ExpressionAttributeValues = new() { [":one"] = new() { N = "1" } },
            ReturnValues = ReturnValue.UPDATED_NEW,
        }, cancellationToken);
        if (int.Parse(counted.Attributes["failed_logins"].N, CultureInfo.InvariantCulture) >= maxFailures)
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = key,
                UpdateExpression = "SET locked_until = :until, failed_logins = :zero",
                ExpressionAttributeValues = new()
                {
                    [":until"] = new() { S = lockUntil.ToString("O", CultureInfo.InvariantCulture) },
                    [":zero"] = new() { N = "0" },
                },
            }, cancellationToken);
        }
    }

    public Task ResetFailedLoginsAsync(string email, CancellationToken cancellationToken) =>
        dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = new() { ["email"] = new() { S = email } },
            UpdateExpression = "SET failed_logins = :zero REMOVE locked_until",
            ExpressionAttributeValues = new() { [":zero"] = new() { N = "0" } },
        }, cancellationToken);
}
