using System.Xml.Linq;
using Amazon.DynamoDBv2;
using Amazon.DynamoDBv2.Model;
using LiveInsight.Core.Storage;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Options;

namespace LiveInsight.Dashboard.Auth;

/// <summary>
/// The Dashboard's Data Protection keys (what signs its sign-in cookies and form tokens) in DynamoDB, one item of the
/// Users table (<see cref="ItemKey"/>, a map of key name → key XML), so every replica and every restart use the same
/// keys: with the default (a folder inside the container) a second task refused the first one's cookies and each
/// deployment signed everyone out. The item is not a person (no password hash, no single sign-on subject), so the
/// member and user scans pass over it, as they pass over the setup marker. Keys rotate every 90 days (about 1 KB each),
/// far under DynamoDB's 400 KB item. At rest they are as protected as the table (DynamoDB's encryption at rest).
/// </summary>
public sealed class DataProtectionKeys(IAmazonDynamoDB dynamo, IOptions<StorageOptions> storage) : IXmlRepository
{
    public const string ItemKey = "#dataprotection";
    public const string KeysAttribute = "keys";

    private string TableName => storage.Value.TableName(Tables.Users);

    private Dictionary<string, AttributeValue> Key => new() { ["email"] = new AttributeValue { S = ItemKey } };

    // IXmlRepository is synchronous; Data Protection calls it at start-up and when it refreshes its key ring (daily).
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        var response = dynamo.GetItemAsync(new GetItemRequest { TableName = TableName, Key = Key, ConsistentRead = true }).GetAwaiter().GetResult();
        return response.Item is { } item && item.TryGetValue(KeysAttribute, out var keys) && keys.M is { Count: > 0 } map
            ? map.Values.Select(v => XElement.Parse(v.S)).ToList()
            : [];
    }

    public void StoreElement(XElement element, string friendlyName)
    {
        // A map must exist before one of its entries can be set; both updates are safe to race with another replica.
        dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = Key,
            UpdateExpression = "SET #keys = if_not_exists(#keys, :empty)",
            ExpressionAttributeNames = new() { ["#keys"] = KeysAttribute },
            ExpressionAttributeValues = new() { [":empty"] = new AttributeValue { M = [], IsMSet = true } },
        }).GetAwaiter().GetResult();
        dynamo.UpdateItemAsync(new UpdateItemRequest
        {
            TableName = TableName,
            Key = Key,
            UpdateExpression = "SET #keys.#name = :xml",
            ExpressionAttributeNames = new() { ["#keys"] = KeysAttribute, ["#name"] = friendlyName },
            ExpressionAttributeValues = new() { [":xml"] = new AttributeValue { S = element.ToString(SaveOptions.DisableFormatting) } },
        }).GetAwaiter().GetResult();
    }
}

public static class DataProtectionKeysExtensions
{
    /// <summary>One key ring for every Dashboard replica, kept in DynamoDB (<see cref="DataProtectionKeys"/>).</summary>
    public static IServiceCollection AddSharedDataProtection(this IServiceCollection services)
    {
        services.AddDataProtection().SetApplicationName("LiveInsight.Dashboard");
        services.AddSingleton<DataProtectionKeys>();
        services.AddOptions<Microsoft.AspNetCore.DataProtection.KeyManagement.KeyManagementOptions>()
            .Configure<DataProtectionKeys>((options, keys) => options.XmlRepository = keys);
        return services;
    }
}
