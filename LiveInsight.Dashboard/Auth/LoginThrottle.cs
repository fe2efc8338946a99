using System.Globalization;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Storage;
using LiveInsight.Dashboard.Extensions;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Auth;

/// <summary>
/// Failed sign-ins per masked client address (/24, /48) and minute, shared by every Dashboard replica through an atomic
/// counter on one item per address in the Users table (<c>#login-address:&lt;address&gt;</c>: no '@', so never an
/// account; the Dashboard has no Redis). The account lockout stops guessing one password; this stops one network
/// trying a password on many accounts. An attempt is reserved before the password is checked and given back when it
/// was right, so parallel guesses all count and people who sign in often never hit the limit.
/// </summary>
public sealed class LoginThrottle(IAmazonDynamoDB dynamo, IOptions<StorageOptions> storage, IOptions<DashboardOptions> options, TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private string TableName => storage.Value.TableName(Tables.Users);

    private int Limit => Math.Max(1, options.Value.Dashboard.LoginFailuresPerAddressPerMinute);

    /// <returns>The reservation, or the wait until the address may try again.</returns>
    public async Task<(Reservation? Reserved, TimeSpan RetryAfter)> ReserveAsync(string maskedAddress, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var window = now.ToUnixTimeSeconds() / (long)Window.TotalSeconds;
        var key = new Dictionary<string, AttributeValue> { ["email"] = new() { S = "#login-address:" + maskedAddress } };
        var retryAfter = DateTimeOffset.FromUnixTimeSeconds((window + 1) * (long)Window.TotalSeconds) - now;
        var values = new Dictionary<string, AttributeValue>
        {
            [":w"] = new() { N = window.ToString(CultureInfo.InvariantCulture) },
            [":one"] = new() { N = "1" },
        };
        try
        {
            // The first attempt of a new window starts its count.
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = key,
                UpdateExpression = "SET #w = :w, failures = :one",
                ConditionExpression = "attribute_not_exists(#w) OR #w < :w",
                ExpressionAttributeNames = new() { ["#w"] = "window" },
                ExpressionAttributeValues = values,
            }, cancellationToken);
            return (new Reservation(key, window), TimeSpan.Zero);
        }
        catch (ConditionalCheckFailedException)
        {
        }

        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = key,
                UpdateExpression = "ADD failures :one",
                ConditionExpression = "#w = :w AND failures < :max",
                ExpressionAttributeNames = new() { ["#w"] = "window" },
                ExpressionAttributeValues = new(values) { [":max"] = new() { N = Limit.ToString(CultureInfo.InvariantCulture) } },
            }, cancellationToken);
            return (new Reservation(key, window), TimeSpan.Zero);
        }
        catch (ConditionalCheckFailedException)
        {
            return (null, retryAfter);
        }
    }

    /// <summary>The attempt was a right password: it does not count against the address.</summary>
    public async Task ReleaseAsync(Reservation reservation, CancellationToken cancellationToken)
    {
        try
        {
            await dynamo.UpdateItemAsync(new UpdateItemRequest
            {
                TableName = TableName,
                Key = reservation.Key,
                UpdateExpression = "ADD failures :minus",
                ConditionExpression = "#w = :w AND failures > :zero",
                ExpressionAttributeNames = new() { ["#w"] = "window" },
                ExpressionAttributeValues = new()
                {
                    [":w"] = new() { N = reservation.Window.ToString(CultureInfo.InvariantCulture) },
                    [":minus"] = new() { N = "-1" },
                    [":zero"] = new() { N = "0" },
                },
            }, CancellationToken.None);
        }
        catch (ConditionalCheckFailedException)
        {
            // A new window has begun: nothing to give back.
        }
    }

    public sealed record Reservation(Dictionary<string, AttributeValue> Key, long Window);
}
