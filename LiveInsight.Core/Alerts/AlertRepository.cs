using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Storage;
using Microsoft.Extensions.Options;

namespace LiveInsight.Core.Alerts;

/// <summary>
/// The Alerts table: one partition per site (pk <c>site_id</c>) holding its rules (<c>rule#{id}</c>), report recipients
/// (<c>report#{id}</c>), the delivery log (<c>delivery#{time}#{random}</c>, expiring), unsubscribed addresses
/// (<c>unsub#{sha256 of the address}</c>) and the claims that make each scheduled report go out once
/// (<c>sent#{key}</c>, a conditional put). Rules and recipients are stored as one JSON attribute each.
/// </summary>
public sealed class AlertRepository(IAmazonDynamoDB dynamo, IOptions<StorageOptions> options, TimeProvider time)
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private const string RulePrefix = "rule#";
    private const string ReportPrefix = "report#";
    private const string DeliveryPrefix = "delivery#";
    private const string UnsubscribedPrefix = "unsub#";
    private const string SentPrefix = "sent#";

    private string TableName => options.Value.TableName(Tables.Alerts);

    public Task<IReadOnlyList<AlertRule>> ListRulesAsync(string siteId, CancellationToken cancellationToken) =>
        ListAsync<AlertRule>(siteId, RulePrefix, cancellationToken);

    public Task<IReadOnlyList<ReportSubscription>> ListReportsAsync(string siteId, CancellationToken cancellationToken) =>
        ListAsync<ReportSubscription>(siteId, ReportPrefix, cancellationToken);

    public async Task<AlertRule?> FindRuleAsync(string siteId, string ruleId, CancellationToken cancellationToken)
    {
        var item = (await dynamo.GetItemAsync(new GetItemRequest { TableName = TableName, Key = Key(siteId, RulePrefix + ruleId) }, cancellationToken)).Item;
        return item is { Count: > 0 } ? JsonSerializer.Deserialize<AlertRule>(item["body"].S, Json) : null;
    }

    /// <summary>Stores a new rule unless the site already has <see cref="AlertLimits.MaxRulesPerSite"/> (false then).</summary>
    public async Task<bool> CreateRuleAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        if (await CountAsync(rule.SiteId, RulePrefix, cancellationToken) >= AlertLimits.MaxRulesPerSite)
        {
            return false;
        }

        await PutAsync(rule.SiteId, RulePrefix + rule.Id, JsonSerializer.Serialize(rule, Json), condition: "attribute_not_exists(sk)", cancellationToken);
        return true;
    }

    /// <summary>Replaces an existing rule; false when there is none.</summary>
    public async Task<bool> ReplaceRuleAsync(AlertRule rule, CancellationToken cancellationToken)
    {
        try
        {
            await PutAsync(rule.SiteId, RulePrefix + rule.Id, JsonSerializer.Serialize(rule, Json), condition: "attribute_exists(sk)", cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    public Task<bool> DeleteRuleAsync(string siteId, string ruleId, CancellationToken cancellationToken) =>
        DeleteAsync(siteId, RulePrefix + ruleId, cancellationToken);

    public async Task<bool> CreateReportAsync(ReportSubscription report, CancellationToken cancellationToken)
    {
        if (await CountAsync(report.SiteId, ReportPrefix, cancellationToken) >= AlertLimits.MaxReportsPerSite)
        {
            return false;
        }

        await PutAsync(report.SiteId, ReportPrefix + report.Id, JsonSerializer.Serialize(report, Json), condition: "attribute_not_exists(sk)", cancellationToken);
        return true;
    }

    public Task<bool> DeleteReportAsync(string siteId, string reportId, CancellationToken cancellationToken) =>
        DeleteAsync(siteId, ReportPrefix + reportId, cancellationToken);

    public async Task LogDeliveryAsync(string siteId, Delivery delivery, CancellationToken cancellationToken)
    {
        var sk = $"{DeliveryPrefix}{delivery.At.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture)}#{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}";
        var item = Key(siteId, sk);
        item["body"] = new AttributeValue { S = JsonSerializer.Serialize(delivery, Json) };
        item["expires_at"] = Number(delivery.At.Add(AlertLimits.DeliveryRetention).ToUnixTimeSeconds());
        await dynamo.PutItemAsync(new PutItemRequest { TableName = TableName, Item = item }, cancellationToken);
    }

    /// <summary>The newest deliveries first, at most <see cref="AlertLimits.MaxDeliveriesRead"/> (expired ones skipped:
    /// the emulator has no TTL).</summary>
    public async Task<IReadOnlyList<Delivery>> ListDeliveriesAsync(string siteId, CancellationToken cancellationToken)
    {
        var response = await dynamo.QueryAsync(new QueryRequest
        {
            TableName = TableName,
            KeyConditionExpression = "site_id = :s AND begins_with(sk, :p)",
            ExpressionAttributeValues = new() { [":s"] = new AttributeValue { S = siteId }, [":p"] = new AttributeValue { S = DeliveryPrefix } },
            ScanIndexForward = false,
            Limit = AlertLimits.MaxDeliveriesRead,
        }, cancellationToken);
        var now = time.GetUtcNow().ToUnixTimeSeconds();
        return (response.Items ?? [])
            .Where(item => !item.TryGetValue("expires_at", out var e) || long.Parse(e.N, CultureInfo.InvariantCulture) > now)
            .Select(item => JsonSerializer.Deserialize<Delivery>(item["body"].S, Json)!)
            .ToList();
    }

    /// <summary>Stops every mail of this site to this address (alerts and reports); idempotent.</summary>
    public async Task UnsubscribeAsync(string siteId, string email, CancellationToken cancellationToken)
    {
        var item = Key(siteId, UnsubscribedPrefix + AddressHash(email));
        item["at"] = new AttributeValue { S = time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture) };
        await dynamo.PutItemAsync(new PutItemRequest { TableName = TableName, Item = item }, cancellationToken);
    }

    public async Task<bool> IsUnsubscribedAsync(string siteId, string email, CancellationToken cancellationToken) =>
        (await dynamo.GetItemAsync(new GetItemRequest { TableName = TableName, Key = Key(siteId, UnsubscribedPrefix + AddressHash(email)) }, cancellationToken))
        .Item is { Count: > 0 };

    /// <summary>Claims <paramref name="key"/> once: true for the one caller (replica, restart) that stored it first.</summary>
    public async Task<bool> ClaimOnceAsync(string siteId, string key, TimeSpan keep, CancellationToken cancellationToken)
    {
        var item = Key(siteId, SentPrefix + key);
        item["expires_at"] = Number(time.GetUtcNow().Add(keep).ToUnixTimeSeconds());
        try
        {
            await dynamo.PutItemAsync(new PutItemRequest { TableName = TableName, Item = item, ConditionExpression = "attribute_not_exists(sk)" }, cancellationToken);
            return true;
        }
        catch (ConditionalCheckFailedException)
        {
            return false;
        }
    }

    /// <summary>Gives a claim back (the send failed), so the next pass tries again.</summary>
    public Task ReleaseClaimAsync(string siteId, string key, CancellationToken cancellationToken) =>
        DeleteAsync(siteId, SentPrefix + key, cancellationToken);

    public static string AddressHash(string email) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())));

    private async Task<IReadOnlyList<T>> ListAsync<T>(string siteId, string prefix, CancellationToken cancellationToken)
    {
        var response = await dynamo.QueryAsync(new QueryRequest
        {
            TableName = TableName,
            KeyConditionExpression = "site_id = :s AND begins_with(sk, :p)",
            ExpressionAttributeValues = new() { [":s"] = new AttributeValue { S = siteId }, [":p"] = new AttributeValue { S = prefix } },
        }, cancellationToken);
        return (response.Items ?? []).Select(item => JsonSerializer.Deserialize<T>(item["body"].S, Json)!).ToList();
    }

    private async Task<int> CountAsync(string siteId, string prefix, CancellationToken cancellationToken) =>
        (await dynamo.QueryAsync(new QueryRequest
        {
            TableName = TableName,
            KeyConditionExpression = "site_id = :s AND begins_with(sk, :p)",
            ExpressionAttributeValues = new() { [":s"] = new AttributeValue { S = siteId }, [":p"] = new AttributeValue { S = prefix } },
            Select = Select.COUNT,
        }, cancellationToken)).Count ?? 0;

    private async Task PutAsync(string siteId, string sk, string body, string condition, CancellationToken cancellationToken)
    {
        var item = Key(siteId, sk);
        item["body"] = new AttributeValue { S = body };
        await dynamo.PutItemAsync(new PutItemRequest { TableName = TableName, Item = item, ConditionExpression = condition }, cancellationToken);
    }

    private async Task<bool> DeleteAsync(string siteId, string sk, CancellationToken cancellationToken)
    {
        var response = await dynamo.DeleteItemAsync(new DeleteItemRequest
        {
            TableName = TableName,
            Key = Key(siteId, sk),
            ReturnValues = ReturnValue.ALL_OLD,
        }, cancellationToken);
        return response.Attributes is { Count: > 0 };
    }

    private static Dictionary<string, AttributeValue> Key(string siteId, string sk) => new()
    {
        ["site_id"] = new AttributeValue { S = siteId },
        ["sk"] = new AttributeValue { S = sk },
    };

    private static AttributeValue Number(long value) => new() { N = value.ToString(CultureInfo.InvariantCulture) };
}
