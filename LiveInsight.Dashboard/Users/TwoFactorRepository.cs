using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Users;

/// <summary>
/// Two-factor state on the user item: the authenticator secret while enrolling (<c>totp_pending</c>) and once on
/// (<c>totp_secret</c>, base32, as ASP.NET Core Identity keeps its authenticator key), the last step a code was
/// accepted for (<c>totp_last_step</c>: a code works once), and the recovery codes as a string set of SHA-256 hashes
/// (each code is 50 random bits, so one unsalted hash keeps it). Every use is one conditional update, so two replicas
/// given the same code at once cannot both accept it.
/// </summary>
public sealed class TwoFactorRepository(IAmazonDynamoDB dynamo, IOptions<StorageOptions> options)
{
    public const string SecretAttribute = "totp_secret";
    public const string RecoveryCodesAttribute = "recovery_codes";
    private const string PendingAttribute = "totp_pending";
    private const string LastStepAttribute = "totp_last_step";

    private string TableName => options.Value.TableName(Tables.Users);

    public async Task SetPendingAsync(string email, string secret, CancellationToken cancellationToken) =>
        await dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = Key(email),
            UpdateExpression = $"SET {PendingAttribute} = :secret",
            ConditionExpression = "attribute_exists(password_hash)",
            ExpressionAttributeValues = new() { [":secret"] = new() { S = secret } },
        }, cancellationToken);

    public async Task<string?> PendingAsync(string email, CancellationToken cancellationToken)
    {
        var response = await dynamo.GetItemAsync(new GetItemRequest
        {
            TableName = TableName,
            Key = Key(email),
            ProjectionExpression = PendingAttribute,
            ConsistentRead = true,
        }, cancellationToken);
        return response.Item is { } item && item.TryGetValue(PendingAttribute, out var pending) ? pending.S : null;
    }

    /// <summary>Turns the pending secret on, with the step its confirming code used and the recovery codes' hashes.</summary>
    /// <returns>False when the pending secret changed meanwhile (another enrolment began).</returns>
    public async Task<bool> EnableAsync(string email, string secret, long step, IReadOnlyCollection<string> recoveryHashes, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = Key(email),
                UpdateExpression = $"SET {SecretAttribute} = :secret, {LastStepAttribute} = :step, {RecoveryCodesAttribute} = :codes REMOVE {PendingAttribute}",
                ConditionExpression = $"{PendingAttribute} = :secret",
                ExpressionAttributeValues = new()
                {
                    [":secret"] = new() { S = secret },
                    [":step"] = new() { N = step.ToString(CultureInfo.InvariantCulture) },
                    [":codes"] = new() { SS = [.. recoveryHashes] },
                },
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>Records that a code of <paramref name="step"/> was used; false when that step (or a later one) was already.</summary>
    public async Task<bool> ClaimStepAsync(string email, long step, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = Key(email),
                UpdateExpression = $"SET {LastStepAttribute} = :step",
                ConditionExpression = $"attribute_exists({SecretAttribute}) AND (attribute_not_exists({LastStepAttribute}) OR {LastStepAttribute} < :step)",
                ExpressionAttributeValues = new() { [":step"] = new() { N = step.ToString(CultureInfo.InvariantCulture) } },
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>Removes one recovery code's hash; false when the account has no such code (unknown or used).</summary>
    public async Task<bool> UseRecoveryCodeAsync(string email, string hash, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = Key(email),
                UpdateExpression = $"DELETE {RecoveryCodesAttribute} :code",
                ConditionExpression = $"contains({RecoveryCodesAttribute}, :hash)",
                ExpressionAttributeValues = new() { [":code"] = new() { SS = [hash] }, [":hash"] = new() { S = hash } },
            }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public async Task DisableAsync(string email, CancellationToken cancellationToken) =>
        await dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = Key(email),
            UpdateExpression = $"REMOVE {SecretAttribute}, {LastStepAttribute}, {RecoveryCodesAttribute}, {PendingAttribute}",
        }, cancellationToken);

    private static Dictionary<string, AttributeValue> Key(string email) => new() { ["email"] = new() { S = DashboardUser.NormaliseEmail(email) } };
}
