using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Storage;
using LiveInsight.Dashboard.Auth;
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
        TotpSecret = item.TryGetValue(TwoFactorRepository.SecretAttribute, out var totp) && totp.S is { Length: > 0 } secret ? secret : null,
        RecoveryCodesLeft = item.TryGetValue(TwoFactorRepository.RecoveryCodesAttribute, out var codes) ? codes.SS?.Count ?? 0 : 0,
        LockedUntil = item.TryGetValue("locked_until", out var locked) && locked.S is { Length: > 0 } until
            ? DateTimeOffset.Parse(until, CultureInfo.InvariantCulture)
            : null,
    };

    /// <summary>Reserves one password check before it is made (an atomic conditional ADD): allowed only while the
    /// account is not locked and has fewer than <paramref name="maxFailures"/> wrong passwords in a row, so parallel
    /// guesses cannot all be checked against a count read before any of them was written.</summary>
    /// <returns>The count including this attempt, or null when no check is allowed now (locked, or out of tries).</returns>
    public async Task<int?> ReserveLoginAttemptAsync(string email, int maxFailures, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            var counted = await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = new() { ["email"] = new() { S = email } },
                UpdateExpression = "ADD failed_logins :one",
                // locked_until is ISO 8601 in UTC, so text order is time order.
                ConditionExpression = "attribute_exists(password_hash) AND (attribute_not_exists(failed_logins) OR failed_logins < :max) " +
                    "AND (attribute_not_exists(locked_until) OR locked_until < :now)",
                ExpressionAttributeValues = new()
                {
                    [":one"] = new() { N = "1" },
                    [":max"] = new() { N = maxFailures.ToString(CultureInfo.InvariantCulture) },
                    [":now"] = new() { S = Timestamp(now) },
                },
                ReturnValues = ReturnValue.UPDATED_NEW,
            }, cancellationToken);
            return int.Parse(counted.Attributes["failed_logins"].N, CultureInfo.InvariantCulture);
        }
        catch (ConditionalCheckFailedException)
        {
            return null;
        }
    }

    /// <summary>After the last allowed wrong password: no sign-in until <paramref name="lockUntil"/>, then a fresh count.</summary>
    public Task LockAsync(string email, DateTimeOffset lockUntil, CancellationToken cancellationToken) =>
        LockAsync(email, lockUntil, SessionStamps.NewStampUpdate(), cancellationToken);

    private Task LockAsync(string email, DateTimeOffset lockUntil, (string Set, AttributeValue Value) newStamp, CancellationToken cancellationToken) =>
        dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = new() { ["email"] = new() { S = email } },
            // A lock also ends the account's sessions: the guesses may come from someone who already has one.
            UpdateExpression = "SET locked_until = :until, failed_logins = :zero, sessions = :none, " + newStamp.Set,
            ConditionExpression = "attribute_exists(email)",
            ExpressionAttributeValues = new()
            {
                [":until"] = new() { S = Timestamp(lockUntil) },
                [":none"] = new() { M = new() },
                [":zero"] = new() { N = "0" },
                [":stamp"] = newStamp.Value,
            },
        }, cancellationToken);

    /// <summary>A password reset: the new hash replaces <paramref name="oldHash"/> only if that is still the item's (so a
    /// link works once, even when two replicas get it at once); the lock and the failure count go, and a new session stamp
    /// ends every session of the account.</summary>
    /// <returns>False when the password changed since the link was made (the link was used) or the account is gone.</returns>
    public async Task<bool> ReplacePasswordAsync(string email, string oldHash, string newHash, CancellationToken cancellationToken)
    {
        var stamp = SessionStamps.NewStampUpdate();
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = new() { ["email"] = new() { S = email } },
                UpdateExpression = "SET password_hash = :new, failed_logins = :zero, sessions = :none, " + stamp.Set + " REMOVE locked_until",
                ConditionExpression = "password_hash = :old",
                ExpressionAttributeValues = new()
                {
                    [":new"] = new() { S = newHash },
                    [":old"] = new() { S = oldHash },
                    [":none"] = new() { M = new() },
                    [":zero"] = new() { N = "0" },
                    [":stamp"] = stamp.Value,
                },
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    private static string Timestamp(DateTimeOffset time) => time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture);

    public Task ResetFailedLoginsAsync(string email, CancellationToken cancellationToken) =>
        dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = new() { ["email"] = new() { S = email } },
            UpdateExpression = "SET failed_logins = :zero REMOVE locked_until",
            ExpressionAttributeValues = new() { [":zero"] = new() { N = "0" } },
        }, cancellationToken);
}
